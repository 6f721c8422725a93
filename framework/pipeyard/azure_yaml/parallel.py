"""Azure ML parallel jobs and components (``type: parallel``) -> a command that runs them locally.

The job becomes a command job of its own ``task.code``, whose command starts pipeyard's
parallel driver (``python -m pipeyard.parallel``) with the task's ``entry_script`` and
``program_arguments`` and the job's ``input_data``, ``mini_batch_size``,
``max_concurrency_per_instance`` (times ``resources.instance_count``: the workers),
``mini_batch_error_threshold``, ``error_threshold``, ``retry_settings``, ``logging_level``
and ``task.append_row_to`` / ``output_action``. The step reserves one CPU per worker (at most the
machine's CPUs) unless ``resources.cpus`` says otherwise, and the driver starts no more workers
than the CPUs the step reserves. The driver splits the input into mini-batches,
calls ``init()`` once per worker and ``run(mini_batch)`` per mini-batch, retries failed ones and
gathers the results as Azure does (see pipeyard.parallel). Keys as in azure-ai-ml 1.35's
``ParallelComponentSchema`` / ``ParallelSchema`` / ``ComponentParallelTaskSchema``.
"""

from __future__ import annotations

import os
import shlex
from typing import Any

from ..errors import DefinitionError, UnsupportedError, did_you_mean
from .yamlfile import SourceFile, YamlMap, check_keys, expect_map, line_of

DRIVER_MODULE = "pipeyard.parallel"
PARALLEL_KEYS = frozenset(
    {
        "input_data",
        "mini_batch_size",
        "max_concurrency_per_instance",
        "mini_batch_error_threshold",
        "error_threshold",
        "retry_settings",
        "logging_level",
        "task",
        "partition_keys",
    }
)
TASK_KEYS = frozenset(
    {"type", "code", "entry_script", "program_arguments", "environment", "append_row_to", "model"}
)
LOGGING_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def is_parallel(spec: Any) -> bool:
    """True for a parallel job or component mapping."""
    return isinstance(spec, dict) and spec.get("type") == "parallel"


def as_command(spec: YamlMap, source: SourceFile, step: str | None) -> YamlMap:
    """The command job (or component) mapping that runs the parallel one with the driver."""
    where = source.at(line_of(spec), step)
    task = expect_map(spec.get("task"), "task", source.at(line_of(spec, "task"), step))
    check_keys(task, TASK_KEYS, "task", source, step)
    if task.get("type", "run_function") != "run_function":
        raise UnsupportedError(
            f"parallel task type '{task.get('type')}' cannot run locally",
            location=where,
            hint="use task: {type: run_function, entry_script: ...}",
        )
    entry = task.get("entry_script")
    if not isinstance(entry, str) or not entry.strip():
        raise DefinitionError(
            "the parallel task has no entry_script",
            location=where,
            hint="add task: {entry_script: score.py, code: ./src}",
        )
    if spec.get("partition_keys"):
        raise UnsupportedError(
            "parallel jobs with partition_keys cannot run locally yet",
            location=where,
            hint="split the data by key in a command job, or remove partition_keys",
        )
    input_data = spec.get("input_data")
    if not isinstance(input_data, str) or "${{inputs." not in input_data:
        raise DefinitionError(
            "a parallel job needs input_data: ${{inputs.<name>}}",
            location=where,
            hint="name the input that holds the files or table to split",
        )
    level = str(spec.get("logging_level", "INFO")).upper()
    if level not in LOGGING_LEVELS:
        raise DefinitionError(
            f"unknown logging_level '{level}'{did_you_mean(level, LOGGING_LEVELS)}",
            location=where,
            hint=f"use one of: {', '.join(LOGGING_LEVELS)}",
        )
    retry = expect_map(spec.get("retry_settings"), "retry_settings", where)
    resources = given if isinstance(given := spec.get("resources"), dict) else {}
    workers = _whole(
        spec.get("max_concurrency_per_instance", 1), "max_concurrency_per_instance", where
    ) * _whole(resources.get("instance_count", 1), "resources.instance_count", where)
    words = [
        "python",
        "-m",
        DRIVER_MODULE,
        "--entry-script",
        entry.strip(),
        "--mini-batch-size",
        str(spec.get("mini_batch_size", "1")),
        "--workers",
        str(workers),
        "--mini-batch-error-threshold",
        str(spec.get("mini_batch_error_threshold", 0)),
        "--error-threshold",
        str(spec.get("error_threshold", -1)),
        "--max-retries",
        str(retry.get("max_retries", 3)),
        "--timeout",
        str(retry.get("timeout", 60)),
        "--logging-level",
        level,
    ]
    command = shlex.join(words) + f" --input-data {input_data.strip()}"
    append = task.get("append_row_to")
    action = str(
        spec.get("output_action", task.get("output_action", "append_row" if append else "summary_only"))
    )
    if append:
        command += f" --append-row-to {str(append).strip()}"
    elif action == "append_row":
        raise DefinitionError(
            "output_action append_row needs task.append_row_to: ${{outputs.<name>}}", location=where
        )
    arguments = task.get("program_arguments")
    if arguments:
        command += f" -- {str(arguments).strip()}"
    converted = YamlMap({k: v for k, v in spec.items() if k not in PARALLEL_KEYS and k != "type"})
    converted.line, converted.lines = (
        spec.line if isinstance(spec, YamlMap) else None,
        dict(getattr(spec, "lines", {})),
    )
    converted["type"] = "command"
    if "cpus" not in resources:  # a CPU per worker, as many as this machine has; the driver starts no more
        converted["resources"] = {**resources, "cpus": min(workers, os.cpu_count() or 1)}
    converted["command"] = command
    if task.get("code") is not None:
        converted["code"] = task["code"]
        converted.lines["code"] = line_of(task, "code")
    if task.get("environment") is not None:
        converted["environment"] = task["environment"]
    converted.lines["command"] = line_of(spec, "task")
    return converted


def _whole(value: Any, what: str, where) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0 or isinstance(value, bool):
        raise DefinitionError(f"{what} must be a whole number > 0, got {value!r}", location=where)
    return number
