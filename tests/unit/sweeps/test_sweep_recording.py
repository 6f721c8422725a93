"""A point's warm-up run folded into its own run, and its record copied to the main repository."""

from __future__ import annotations

from pipeyard.runner.records import RunRecord, list_records
from pipeyard.sweeps.recording import fold_warmups, save_point_record


def record(run_id: str, started: float, **steps: str) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        status="succeeded",
        started_at=started,
        finished_at=started + 1,
        steps={
            name: {
                "status": status,
                "duration_s": 0.5,
                "log_path": f".pipeyard/runs/{run_id}/logs/{name}.log",
            }
            for name, status in steps.items()
        },
    )


def test_steps_a_warm_up_did_count_where_they_were_done():
    warmup = record("w", 10.0, prepare="ran", split="restored")
    final = record("f", 20.0, prepare="cached", split="cached", train="ran")
    folded = fold_warmups(final, [warmup])
    assert {n: s["status"] for n, s in folded.steps.items()} == {
        "prepare": "ran",
        "split": "restored",
        "train": "ran",
    }
    assert folded.started_at == 10.0 and folded.finished_at == 21.0
    assert folded.steps["prepare"]["log_path"].startswith(".pipeyard/runs/w/")


def test_the_record_and_its_logs_go_to_the_main_repository(tmp_path):
    main, workspace = tmp_path / "main", tmp_path / "point"
    log = workspace / ".pipeyard" / "runs" / "f" / "logs" / "train.log"
    log.parent.mkdir(parents=True)
    log.write_text("training\n")
    saved = save_point_record(
        main, workspace, record("f", 1.0, train="ran", other="cached"), commit="abc", dirty=True
    )
    assert saved.steps["train"]["log_path"] == ".pipeyard/runs/f/logs/train.log"
    assert (main / saved.steps["train"]["log_path"]).read_text() == "training\n"
    (stored,) = list_records(main)
    assert stored.commit == "abc" and stored.dirty and stored.steps["other"]["status"] == "cached"
