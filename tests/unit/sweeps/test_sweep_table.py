"""The parameters-against-metrics table of a sweep."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pipeyard.errors import ParameterError
from pipeyard.sweeps.expand import SweepPoint
from pipeyard.sweeps.table import markdown, metric_columns, plain_text, sweep_table


@dataclass
class Result:
    point: SweepPoint
    status: str = "succeeded"
    metrics: dict = field(default_factory=dict)


def result(number: int, lr: str, acc: float | None, status: str = "succeeded") -> Result:
    metrics = {"metrics.json": {"acc": acc}} if acc is not None else {}
    return Result(SweepPoint(number, (f"train.lr={lr}",), (("train.lr", lr),)), status, metrics)


RESULTS = [result(1, "0.1", 0.8), result(2, "0.01", 0.9), result(3, "0.001", None, "failed")]


def test_rows_hold_swept_values_metrics_and_status_in_point_order():
    table = sweep_table(RESULTS)
    assert table.columns == ("point", "train.lr", "acc", "status")
    assert table.rows == (
        (1, "0.1", 0.8, "succeeded"),
        (2, "0.01", 0.9, "succeeded"),
        (3, "0.001", None, "failed"),
    )


def test_sort_largest_first_or_smallest_first_with_a_minus_missing_values_last():
    assert [r[0] for r in sweep_table(RESULTS, "acc").rows] == [2, 1, 3]
    assert [r[0] for r in sweep_table(RESULTS, "-acc").rows] == [1, 2, 3]
    assert sweep_table(RESULTS, "-acc").sorted_by == "-acc"


def test_an_unknown_sort_column_suggests_one():
    with pytest.raises(ParameterError, match="did you mean 'acc'") as caught:
        sweep_table(RESULTS, "-accc")
    assert "columns: acc" in caught.value.hint


def test_the_same_key_in_two_files_is_told_apart():
    columns = metric_columns([{"a.json": {"loss": 1, "acc": 2}, "b.json": {"loss": 3}}])
    assert columns == {
        "a.json:loss": ("a.json", "loss"),
        "acc": ("a.json", "acc"),
        "b.json:loss": ("b.json", "loss"),
    }


def test_plain_text_and_markdown():
    table = sweep_table(RESULTS, "acc")
    assert plain_text(table).splitlines()[:2] == [
        "point  train.lr  acc  status",
        "2      0.01      0.9  succeeded",
    ]
    assert markdown(table).splitlines()[2] == "| 2 | 0.01 | 0.9 | succeeded |"
    assert plain_text(table).splitlines()[3].split() == ["3", "0.001", "-", "failed"]
