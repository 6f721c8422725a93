"""CLI: `pipeyard run --cfg job|all`: print the composed parameters and exit, as Hydra's `--cfg`.

``job`` prints the parameter tree (conf/, the overrides params.yaml records, then the command
line's), as params.yaml would hold it; ``all`` adds pipeyard's record of the overrides in force
and its digest: the whole params.yaml a run would write. Nothing is written and nothing runs.
"""

from __future__ import annotations

import sys

from .. import session as sess
from ..compile.dvcfiles import render_params_yaml
from ..config.params_file import without_record
from .project import load_project

CFG_CHOICES = ("job", "all")


def print_composed_config(options: sess.RunOptions, *, which: str, reset_params: bool) -> None:
    """Compose the parameters as `pipeyard run` would and print them as YAML on stdout."""
    loaded = load_project(options.pipeline_file, options.overrides, reset_params=reset_params)
    params = loaded.compiled.params
    sys.stdout.write(render_params_yaml(params if which == "all" else without_record(params)))
