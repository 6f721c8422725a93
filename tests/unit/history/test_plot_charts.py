"""Plot files drawn as mermaid xychart blocks; reports render every section (pure)."""

from __future__ import annotations

import json

from pipeyard.history.charts import MAX_POINTS, charts_for
from pipeyard.history.report import build_report, report_json_text, report_markdown
from pipeyard.history.snapshot import Snapshot, StageDef, table_of

BASE_CSV = "epoch,loss,acc\n1,0.9,0.5\n2,0.5,0.7\n3,0.25,0.8\n"
HEAD_CSV = "epoch,loss,acc\n1,0.8,0.55\n2,0.4,0.75\n3,0.2,0.9\n"


def test_plot_tables_read_csv_tsv_json_and_yaml():
    assert table_of("p.csv", BASE_CSV)[0] == {"epoch": 1, "loss": 0.9, "acc": 0.5}
    assert table_of("p.tsv", "x\ty\n1\t2\n") == [{"x": 1, "y": 2}]
    assert table_of("p.json", json.dumps({"train": [{"step": 0, "loss": 1.0}]})) == [{"step": 0, "loss": 1.0}]
    assert table_of("p.yaml", "- {a: 1}\n") == [{"a": 1}]
    assert table_of("p.json", "{not json") == []


def test_one_chart_per_numeric_column_with_base_and_head_lines():
    charts = charts_for("plots/curve.csv", {"base abc": BASE_CSV, "head def": HEAD_CSV})
    assert [c.y for c in charts] == ["loss", "acc"]
    loss = charts[0]
    assert loss.x == "epoch" and loss.categories == ("1", "2", "3")
    assert [line.name for line in loss.lines] == ["base abc", "head def"]
    text = loss.mermaid()
    assert text.splitlines()[0] == "xychart-beta"
    assert 'x-axis "epoch" ["1", "2", "3"]' in text
    assert "line [0.9, 0.5, 0.25]" in text and "line [0.8, 0.4, 0.2]" in text
    assert loss.caption() == "line 1: base abc; line 2: head def"


def test_a_version_with_other_x_values_is_left_out_and_long_series_are_sampled():
    other = "epoch,loss\n5,1\n6,2\n"
    long = "loss\n" + "".join(f"{i / 10}\n" for i in range(500))
    assert [line.name for line in charts_for("c.csv", {"base": other, "head": HEAD_CSV})[0].lines] == ["head"]
    sampled = charts_for("c.csv", {"head": long})[0]
    assert len(sampled.categories) == MAX_POINTS and sampled.categories[-1] == "499"
    assert charts_for("c.csv", {"base": None, "head": ""}) == []


def snapshot(label, lr, acc, curve):
    stages = {
        "train": StageDef(
            "train",
            "python t.py",
            params=("train",),
            outs=("m.json", "c.csv"),
            metrics=("m.json",),
            plots=("c.csv",),
        )
    }
    lock = {"train": {"cmd": "python t.py", "params": {"params.yaml": {"train": {"lr": lr}}}}}
    return Snapshot(
        label, None, stages, lock, {"train": {"lr": lr}}, {"m.json": {"acc": acc}}, {"c.csv": curve}
    )


def test_the_report_has_steps_parameters_metrics_and_plots():
    report = build_report(
        snapshot("base1234", 0.1, 0.5, BASE_CSV), snapshot("workspace", 0.01, 0.75, HEAD_CSV)
    )
    markdown = report_markdown(report)
    for heading in ("## pipeyard report", "### Steps", "### Parameters", "### Metrics", "### Plots"):
        assert heading in markdown
    assert "| `train` | re-runs | params train.lr changed: 0.1 -> 0.01 |" in markdown
    assert "| `m.json` | `acc` | 0.5 | 0.75 | +0.25 |" in markdown
    assert "```mermaid\nxychart-beta" in markdown
    data = json.loads(report_json_text(report))
    assert data["steps"]["train"]["state"] == "re-runs"
    assert data["plots"][0]["mermaid"].startswith("xychart-beta")
    assert data["latest_run"] is None
