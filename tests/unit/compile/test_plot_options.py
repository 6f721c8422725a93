"""Plot options of a plots output: parsed once in the model, written under the path in dvc.yaml."""

from __future__ import annotations

import re

import pytest

from pipeyard.errors import DefinitionError
from pipeyard.model import OutputPort, OutputRole, PortType
from pipeyard.model.types import PlotOptions


def test_options_parse_and_render_as_dvc_writes_them():
    options = PlotOptions.parse({"x": "step", "y": ["loss", "acc"], "template": "linear"}, what="output 'h'")
    assert options.as_dvc() == {"x": "step", "y": ["loss", "acc"], "template": "linear"}
    assert PlotOptions().as_dvc() == {}


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ({"templat": "linear"}, "unknown plot option 'templat' (did you mean 'template'?)"),
        ({"x": 3}, "plot option 'x' must be a column name or text"),
        ({"y": []}, "plot option 'y' must be a column name or text"),
        ("linear", "plot options must be a mapping"),
    ],
)
def test_bad_options_are_one_clear_error(value, said):
    with pytest.raises(DefinitionError, match=re.escape(said)) as caught:
        PlotOptions.parse(value, what="output 'h'")
    assert caught.value.hint


def test_plot_options_belong_to_plots_outputs_only():
    OutputPort("h", PortType.URI_FILE, OutputRole.PLOTS, plot=PlotOptions(x="step"))
    with pytest.raises(DefinitionError, match="has plot options but is not a plots output"):
        OutputPort("h", PortType.URI_FILE, OutputRole.METRICS, plot=PlotOptions(x="step"))
