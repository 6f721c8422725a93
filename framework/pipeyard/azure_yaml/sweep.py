"""Azure ML sweep jobs (``type: sweep``) -> one job per trial plus the job that picks the best.

A sweep called ``s`` becomes the trials ``s__trial_0``, ``s__trial_1``, ... (each the ``trial``
command component with the job's inputs and its sampled search-space values, so each is an
ordinary cached step that the scheduler runs within capacity) and the job ``s`` itself, which
reads every trial's MLflow store and outputs, writes the trial table to its ``sweep_trials``
metrics output and copies the best trial's outputs into its own; downstream jobs read
``${{parent.jobs.s.outputs.<name>}}`` and get the best model, as in Azure ML.

Each trial logs with ``mlflow.log_metric`` into an extra output (``sweep_mlruns``) that is
cached with its other outputs, so a cached trial still counts. ``limits.trial_timeout``
bounds each trial; ``max_concurrent_trials`` and ``timeout`` are the trials' StepGroup, which
the scheduler applies (runner.groups: at most that many trials at once; a trial that would run
past the sweep's timeout is stopped, one not started by then fails, and the sweep with it, as
Azure ML cancels it). ``early_termination`` (bandit, median_stopping, truncation_selection) is
applied as each trial logs its primary metric (azure_yaml.trial_guard); a trial stopped early
cannot be picked as the best.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from dataclasses import replace
from typing import Any

from ..errors import DefinitionError, ReferenceError_, did_you_mean, known
from ..model import Component, InputPort, Job, JobOutputRef, OutputPort, OutputRole, PortType, Value
from ..model.pipeline import DEFAULT_OUTPUT_ROOT
from ..model.stage import StepGroup
from .coercion import lenient_value
from .component import component_from_spec, load_component_yaml
from .jobs import JobContext, bind_inputs, bind_outputs, resolve_component
from .search_space import algorithm_of, sample
from .termination import read_policy
from .yamlfile import YamlMap, check_keys, expect_map, line_of, yaml_map

SWEEP_KEYS = frozenset(
    {
        "type",
        "name",
        "display_name",
        "description",
        "tags",
        "properties",
        "experiment_name",
        "compute",
        "inputs",
        "outputs",
        "trial",
        "search_space",
        "sampling_algorithm",
        "objective",
        "limits",
        "early_termination",
        "queue_settings",
        "resources",
        "identity",
        "services",
        "comment",
        "$schema",
    }
)
TRACKING_OUTPUT = "sweep_mlruns"
TABLE_OUTPUT = "sweep_trials"
SELECT_MODULE = "pipeyard.azure_yaml.trial_select"
_SEARCH_SPACE_REF = re.compile(r"\$\{\{\s*search_space\.([\w\-]+)\s*\}\}")


def sweep_jobs(name: str, spec: YamlMap, context: JobContext) -> list[Job]:
    """The trial jobs and the selecting job of the sweep job called name (full name)."""
    source = context.source
    where = source.at(line_of(spec), name)
    check_keys(spec, SWEEP_KEYS, f"sweep job '{name}'", source, name)
    space = expect_map(
        spec.get("search_space"), "search_space", source.at(line_of(spec, "search_space"), name)
    )
    trial = _trial_component(name, spec, space, context)
    for key in space:
        if trial.parameter(str(key)) is None:
            names = [p.name for p in trial.parameters]
            raise ReferenceError_(
                f"search_space '{key}' is not a parameter of trial component '{trial.name}'"
                f"{did_you_mean(str(key), names)}",
                location=source.at(line_of(space, key), name),
                hint=f"its parameters: {known(names)}",
            )
    objective = expect_map(spec.get("objective"), "objective", source.at(line_of(spec, "objective"), name))
    goal = str(objective.get("goal", "")).lower()
    metric = objective.get("primary_metric")
    if goal not in ("maximize", "minimize") or not metric:
        raise DefinitionError(
            "a sweep needs objective: {goal: maximize | minimize, primary_metric: <name>}",
            location=source.at(line_of(spec, "objective"), name),
            hint="primary_metric names what the trial logs with mlflow.log_metric",
        )
    limits = expect_map(spec.get("limits"), "limits", source.at(line_of(spec, "limits"), name))
    algorithm, seed = algorithm_of(
        spec.get("sampling_algorithm"), source.at(line_of(spec, "sampling_algorithm"), name)
    )
    trials = sample(
        space,
        algorithm,
        seed,
        _whole(limits.get("max_total_trials"), "max_total_trials", where),
        name,
        source.at(line_of(spec, "search_space"), name),
    )
    tracked = replace(trial, outputs=(*trial.outputs, OutputPort(TRACKING_OUTPUT, PortType.URI_FOLDER)))
    inputs, parameters = bind_inputs(spec, trial, name, context)
    trial_timeout = _whole(limits.get("trial_timeout"), "trial_timeout", where)
    group = _group(name, spec, limits, str(metric), goal, context)
    swept = {p.name: p for p in trial.parameters}  # every search_space key is one (checked above)
    jobs = []
    for index, values in enumerate(trials):
        bound = dict(parameters)
        for key, value in values.items():
            parameter = swept[key]
            bound[key] = Value(
                lenient_value(value, parameter.type, key, where, context.notes, parameter.choices)
            )
        jobs.append(
            Job(
                name=f"{name}__trial_{index}",
                component=tracked,
                inputs=inputs,
                parameters=bound,
                compute=spec.get("compute"),
                timeout_s=float(trial_timeout) if trial_timeout else None,
                source=where,
                tracking_output=TRACKING_OUTPUT,
                group=group,
            )
        )
    selector = _selector(trial, len(trials), goal, str(metric), trials)
    paths, bindings = bind_outputs(spec, selector, name, context)
    paths.setdefault(TABLE_OUTPUT, posixpath.join(DEFAULT_OUTPUT_ROOT, name, f"{TABLE_OUTPUT}.json"))
    jobs.append(
        Job(
            name=name,
            component=selector,
            inputs={
                f"t{i}_{o.name}": JobOutputRef(job.name, o.name)
                for i, job in enumerate(jobs)
                for o in tracked.outputs
            },
            output_paths=paths,
            output_bindings=bindings,
            source=where,
        )
    )
    return jobs


def _trial_component(name: str, spec: YamlMap, space: YamlMap, context: JobContext) -> Component:
    source = context.source
    trial = spec.get("trial")
    where = source.at(line_of(spec, "trial"), name)
    if trial is None:
        raise DefinitionError(
            f"sweep job '{name}' has no trial",
            location=where,
            hint="add trial: ./components/train.yml (a command component)",
        )
    if isinstance(trial, dict):
        trial = _search_space_as_inputs(yaml_map(trial), spec, space)
        return component_from_spec(trial, source, default_name=name.replace("-", "_"), step=name)
    return resolve_component(trial, name, where, context, load_component_yaml)


def _search_space_as_inputs(trial: YamlMap, spec: YamlMap, space: YamlMap) -> YamlMap:
    """A standalone sweep's inline trial: ``${{search_space.x}}`` becomes input x, and the
    sweep's own literal inputs become the trial's parameters."""
    command = trial.get("command")
    if not isinstance(command, str):
        return trial
    copy = YamlMap(trial)
    copy.line, copy.lines = trial.line, dict(trial.lines)
    copy["command"] = _SEARCH_SPACE_REF.sub(r"${{inputs.\1}}", command)
    declared = YamlMap(trial.get("inputs") if isinstance(trial.get("inputs"), dict) else {})
    for key, value in (spec.get("inputs") or {}).items():
        if key in declared:
            continue
        if isinstance(value, dict):
            kind = value.get("type") or ("uri_file" if "file" in value else "uri_folder")
            declared[key] = (
                {"type": kind}
                if "path" in value or "file" in value or "folder" in value
                else {"type": kind or _kind(value.get("default")), "default": value.get("default")}
            )
        else:
            declared[key] = {"type": _kind(value), "default": value}
    for key, value in space.items():
        if key not in declared:
            first = (value.get("values") or [0.0])[0] if value.get("type") == "choice" else 0.0
            kind = "integer" if value.get("type") == "randint" else _kind(first)
            declared[key] = {"type": kind}
    copy["inputs"] = declared
    return copy


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def _selector(
    trial: Component, count: int, goal: str, metric: str, trials: list[dict[str, Any]]
) -> Component:
    """The component that picks the best trial and copies its outputs."""
    ports = tuple(
        InputPort(f"t{i}_{o.name}", o.type)
        for i in range(count)
        for o in (*trial.outputs, OutputPort(TRACKING_OUTPUT))
    )
    words = [
        "python",
        "-m",
        SELECT_MODULE,
        "--goal",
        goal,
        "--metric",
        metric,
        "--values",
        json.dumps(trials, sort_keys=True, default=str),
    ]
    command = shlex.join(words) + f" --table ${{{{outputs.{TABLE_OUTPUT}}}}}"
    for i in range(count):
        command += f" --trial ${{{{inputs.t{i}_{TRACKING_OUTPUT}}}}}"
        for output in trial.outputs:
            command += f" --from {i}:{output.name}=${{{{inputs.t{i}_{output.name}}}}}"
    for output in trial.outputs:
        command += f" --out {output.name}=${{{{outputs.{output.name}}}}}"
    return Component(
        name="sweep_select",
        inputs=ports,
        outputs=(*trial.outputs, OutputPort(TABLE_OUTPUT, PortType.URI_FILE, OutputRole.METRICS)),
        command=command,
        description=f"the best of {count} trials by {metric} ({goal})",
    )


def _whole(value: Any, what: str, where) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise DefinitionError(f"limits.{what} must be a whole number > 0, got {value!r}", location=where)
    return value


def _group(
    name: str, spec: YamlMap, limits: YamlMap, metric: str, goal: str, context: JobContext
) -> StepGroup | None:
    """max_concurrent_trials, timeout and early_termination, shared by the trials (the scheduler
    applies them: runner.groups)."""
    where = context.source.at(line_of(spec), name)
    limit = _whole(limits.get("max_concurrent_trials"), "max_concurrent_trials", where)
    timeout = _whole(limits.get("timeout"), "timeout", where)
    termination = None
    policy_spec = spec.get("early_termination")
    if policy_spec is not None:
        policy_where = context.source.at(line_of(spec, "early_termination"), name)
        policy = read_policy(expect_map(policy_spec, "early_termination", policy_where), policy_where)
        termination = json.dumps({"policy": policy.as_dict(), "metric": metric, "goal": goal}, sort_keys=True)
    if limit is None and timeout is None and termination is None:
        return None
    return StepGroup(name, limit, float(timeout) if timeout else None, termination)
