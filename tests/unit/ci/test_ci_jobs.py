"""Planning CI jobs from a graph of plain step names, and checking a job graph."""

from __future__ import annotations

from pipeyard.ci.jobs import check_job_graph, plan_jobs, runner_labels

CPU, GPU = ("ubuntu-latest",), ("self-hosted", "gpu")
RUNNERS = {"cpu": CPU, "gpu": GPU, "big": ("self-hosted", "a100")}


def _shape(jobs):
    return {job.id: (job.steps, job.needs, job.upstream) for job in jobs}


def test_a_linear_chain_on_one_runner_is_one_job():
    upstream = {"a": (), "b": ("a",), "c": ("b",)}
    jobs = plan_jobs(["a", "b", "c"], upstream, dict.fromkeys(upstream, CPU))
    assert _shape(jobs) == {"step-a": (("a", "b", "c"), (), ())}


def test_without_merging_each_step_is_a_job_needing_its_upstream():
    upstream = {"a": (), "b": ("a",), "c": ("b",)}
    jobs = plan_jobs(["a", "b", "c"], upstream, dict.fromkeys(upstream, CPU), merge_chains=False)
    assert _shape(jobs) == {
        "step-a": (("a",), (), ()),
        "step-b": (("b",), ("step-a",), ("a",)),
        "step-c": (("c",), ("step-b",), ("b",)),
    }


def test_a_diamond_merges_only_where_the_chain_is_linear():
    upstream = {"prep": (), "left": ("prep",), "right": ("prep",), "join": ("left",)}
    jobs = plan_jobs(["prep", "left", "right", "join"], upstream, dict.fromkeys(upstream, CPU))
    assert _shape(jobs) == {
        "step-prep": (("prep",), (), ()),
        "step-left": (("left", "join"), ("step-prep",), ("prep",)),
        "step-right": (("right",), ("step-prep",), ("prep",)),
    }


def test_a_step_with_two_parents_or_another_runner_starts_a_job():
    upstream = {"a": (), "b": ("a",), "c": ("a", "b")}
    runs_on = {"a": CPU, "b": GPU, "c": GPU}
    jobs = plan_jobs(["a", "b", "c"], upstream, runs_on)
    assert [job.steps for job in jobs] == [("a",), ("b",), ("c",)]
    assert jobs[2].needs == ("step-a", "step-b")
    assert jobs[1].runs_on == GPU


def test_runner_labels_prefer_the_compute_profile_then_gpu_or_cpu():
    assert runner_labels("big", 0, RUNNERS) == ("self-hosted", "a100")
    assert runner_labels("local", 1, RUNNERS) == GPU
    assert runner_labels("local", 0, RUNNERS) == CPU
    assert runner_labels("gpu", 0, RUNNERS) == CPU  # kind names are not profiles


def test_a_sound_job_graph_has_no_problems():
    jobs = {"a": {"runs-on": "ubuntu-latest"}, "b": {"needs": ["a"], "runs-on": ["self-hosted", "gpu"]}}
    assert check_job_graph(jobs, {"ubuntu-latest", "self-hosted", "gpu"}) == []


def test_the_job_graph_check_finds_missing_needs_cycles_and_unknown_labels():
    jobs = {
        "a": {"needs": "c", "runs-on": "ubuntu-latest"},
        "c": {"needs": ["a"], "runs-on": "ubuntu-latest"},
        "d": {"needs": ["nope"], "runs-on": "windows-latest"},
        "e": {"runs-on": "${{ matrix.os }}"},
    }
    problems = check_job_graph(jobs, {"ubuntu-latest"})
    assert any("'d' needs 'nope'" in p for p in problems)
    assert any("circle" in p for p in problems)
    assert any("'windows-latest'" in p for p in problems)
    assert not any("matrix" in p for p in problems)
