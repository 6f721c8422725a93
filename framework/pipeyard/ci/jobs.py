"""Which CI job runs which steps: one job per step, or per linear chain on the same runner.

Pure functions of plain names, so they are tested without a disk. The job graph check works
on any workflow mapping (what was generated or what is committed): every `needs` names a
job, the jobs form no cycle, and every runner label is one the project configured.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

JOB_PREFIX = "step-"


@dataclass(frozen=True)
class CiJob:
    """One CI job of pipeline steps.

    steps run in this order inside the job; upstream names the steps outside the job whose
    outputs it reads (pulled from the DVC remote); needs names the jobs that make them.
    """

    id: str
    steps: tuple[str, ...]
    runs_on: tuple[str, ...]
    upstream: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


def runner_labels(compute: str, gpus: int, runners: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The runner labels of a step: its compute profile's when configured, else gpu or cpu."""
    if compute in runners and compute not in ("cpu", "gpu"):
        return tuple(runners[compute])
    return tuple(runners["gpu" if gpus > 0 else "cpu"])


def plan_jobs(
    order: Sequence[str],
    upstream: Mapping[str, Iterable[str]],
    runs_on: Mapping[str, tuple[str, ...]],
    merge_chains: bool = True,
) -> tuple[CiJob, ...]:
    """The CI jobs for steps in topological order, each step in exactly one job.

    With merge_chains, a step joins its parent's job when it is the parent's only child,
    the parent is its only upstream step, and both run on the same labels.
    """
    parents = {name: tuple(dict.fromkeys(upstream.get(name, ()))) for name in order}
    children: dict[str, list[str]] = {name: [] for name in order}
    for name in order:
        for parent in parents[name]:
            children[parent].append(name)
    chains: list[list[str]] = []
    job_of: dict[str, int] = {}
    for name in order:
        if name in job_of:
            continue
        chain = [name]
        while merge_chains:
            last = chain[-1]
            if len(children[last]) != 1:
                break
            child = children[last][0]
            if parents[child] != (last,) or runs_on[child] != runs_on[last]:
                break
            chain.append(child)
        for step in chain:
            job_of[step] = len(chains)
        chains.append(chain)
    jobs = []
    for chain in chains:
        inside = set(chain)
        outside = [p for step in chain for p in parents[step] if p not in inside]
        outside = list(dict.fromkeys(outside))
        needs = list(dict.fromkeys(job_id(chains[job_of[p]]) for p in outside))
        jobs.append(
            CiJob(
                id=job_id(chain),
                steps=tuple(chain),
                runs_on=runs_on[chain[0]],
                upstream=tuple(outside),
                needs=tuple(needs),
            )
        )
    return tuple(jobs)


def job_id(steps: Sequence[str]) -> str:
    """The GitHub job id of a job of steps: `step-` and its first step's name."""
    return JOB_PREFIX + steps[0]


def check_job_graph(jobs: Mapping[str, Mapping], known_labels: Iterable[str]) -> list[str]:
    """Problems of a workflow's `jobs` mapping, as sentences; empty when it is sound.

    Checks that every `needs` names a job, that no job needs itself through others, and
    that every label of `runs-on` is among known_labels (expressions `${{ }}` are skipped).
    """
    problems: list[str] = []
    known = set(known_labels)
    graph: dict[str, set[str]] = {}
    for name, job in jobs.items():
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else list(needs or [])
        graph[name] = set()
        for need in needs:
            if need not in jobs:
                problems.append(f"job '{name}' needs '{need}', which is not a job of the workflow")
            else:
                graph[name].add(need)
        labels = job.get("runs-on")
        labels = [labels] if isinstance(labels, str) else list(labels or [])
        for label in labels:
            if isinstance(label, str) and "${{" not in label and label not in known:
                problems.append(
                    f"job '{name}' runs on label '{label}', which pipeyard.yaml does not configure"
                    f" (known: {', '.join(sorted(known)) or 'none'})"
                )
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as cycle:
        circle = " -> ".join(cycle.args[1])
        problems.append(f"jobs need each other in a circle: {circle}")
    return problems
