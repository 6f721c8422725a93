"""Load a project's pipeline: definitions, parameters (with the overrides params.yaml records), stages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..compile.dvc_stages import read_dvc_stages, with_dvc_stages
from ..compile.path_checks import check_inputs_exist
from ..compile.stages import compile_pipeline
from ..config.params import resolve_parameters
from ..config.params_file import (
    RecordedParams,
    edits_as_overrides,
    merge_overrides,
    override_key,
    read_params_file,
    with_record,
)
from ..config.project import load_project_config
from ..errors import ParameterError
from ..loading import find_pipeline_file, input_path_overrides, is_input_path_override, load_pipeline
from ..model import Pipeline
from ..registry import component_resolver
from ._project import Loaded


def load(
    root: Path,
    pipeline_file: str | None = None,
    overrides: Sequence[str] = (),
    *,
    reset_params: bool = False,
) -> Loaded:
    """Load, parameterize and compile the project's pipeline. It writes no files, except the
    first use of a registered component: its copy in components/_registry/ (and a registry
    pin in pipeyard.lock.yaml), both said in the notes.

    The overrides recorded in params.yaml by earlier runs (and values changed there by hand
    or by DVC) apply first, then overrides; reset_params starts from conf/ alone instead.
    pipeyard.yaml is read here, once; the Loaded value carries it.
    """
    project = load_project_config(root)
    path = find_pipeline_file(root, pipeline_file)
    resolver = component_resolver(project)
    state = read_params_file(root)
    given = merge_overrides(() if reset_params else state.overrides, overrides)
    pipeline = load_pipeline(path, root, resolve_component=resolver, input_paths=input_path_overrides(given))
    data_inputs = [i.name for i in pipeline.inputs if i.type.is_artifact]
    paths = tuple(o for o in given if is_input_path_override(o, data_inputs))  # data inputs: not Hydra's
    kept_paths = [o for o in paths if o not in overrides]
    overrides = [o for o in overrides if not is_input_path_override(o, data_inputs)]
    recorded, record_notes = _recorded_overrides(state, pipeline, project.conf_dir, overrides, reset_params)
    effective = merge_overrides(recorded, overrides)
    try:
        resolved = resolve_parameters(pipeline, project.conf_dir, list(effective))
    except ParameterError as error:
        said = f"{error.message} {error.hint or ''}"
        if any(o in said for o in recorded if o not in overrides):
            kept = "params.yaml records overrides of earlier runs; `pipeyard run --reset-params` drops them"
            error.hint = f"{error.hint}; {kept}" if error.hint else kept
        raise
    compiled = compile_pipeline(pipeline, resolved.tree, project)
    compiled = with_dvc_stages(compiled, read_dvc_stages(root))
    check_inputs_exist(pipeline, root)  # DVC-tracked inputs may wait for `dvc pull`
    compiled = replace(compiled, params=with_record(compiled.params, (*paths, *effective)))
    source = _relative(path, root)
    if kept_paths:
        record_notes = (
            *record_notes,
            f"params.yaml keeps the data inputs of earlier runs: {' '.join(kept_paths)} "
            "(`pipeyard run --reset-params` returns to the pipeline's own)",
        )
    notes = (*pipeline.notes, *record_notes, *resolver.notes, *resolved.notes, *compiled.notes)
    return Loaded(root, source, pipeline, compiled, project, tuple(notes), (*paths, *effective))


def _recorded_overrides(
    state: RecordedParams,
    pipeline: Pipeline,
    conf_dir: Path | None,
    overrides: Sequence[str],
    reset: bool,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The parameter overrides params.yaml carries over from earlier runs and edits (paths of
    data inputs, applied when the pipeline loads, left out), and notes on them."""
    if reset:
        dropped = " ".join(state.overrides)
        return (), ((f"--reset-params: dropped the recorded overrides {dropped}",) if dropped else ())
    data_inputs = [i.name for i in pipeline.inputs if i.type.is_artifact]
    recorded = tuple(o for o in state.overrides if not is_input_path_override(o, data_inputs))
    notes: list[str] = []
    if state.edited:
        composed = resolve_parameters(pipeline, conf_dir, list(recorded))
        edits, lacking = edits_as_overrides(state.values, composed.tree)
        notes.extend(lacking)
        if edits:
            notes.append(
                "params.yaml was changed outside pipeyard (an editor, `dvc exp run -S`, `dvc exp apply`): "
                f"kept as overrides: {' '.join(edits)}; `pipeyard run --reset-params` returns to conf/"
            )
            recorded = merge_overrides(recorded, edits)
    new_keys = {override_key(o) for o in overrides}
    carried = [o for o in recorded if override_key(o) not in new_keys]
    if carried:
        notes.append(
            f"params.yaml keeps the overrides of earlier runs: {' '.join(carried)} "
            "(`pipeyard run --reset-params` returns to conf/)"
        )
    return recorded, tuple(notes)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
