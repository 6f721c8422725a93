"""make_data, run alone on small inputs."""

from pipeyard.testing.steps import run_step


def test_writes_n_rows_numbers(steps, tmp_path):
    result = run_step(steps["make_data"], tmp_path, params={"n_rows": 5, "seed": 1})
    lines = result["numbers"].read_text().splitlines()
    assert lines[0] == "x"
    assert len(lines) == 6


def test_same_seed_gives_same_numbers(steps, tmp_path):
    first = run_step(steps["make_data"], tmp_path / "a", params={"n_rows": 5})
    second = run_step(steps["make_data"], tmp_path / "b", params={"n_rows": 5})
    assert first["numbers"].read_text() == second["numbers"].read_text()
