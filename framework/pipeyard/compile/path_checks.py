"""The output rule checked against the disk, and the source inputs a pipeline needs.

``check_output_paths`` (called by ``compile_pipeline``) judges every output of every compiled
step with ``model.output_rule``: against the repository's machinery, the project's definition
files, the code each step runs (the modules its files import included) and the pipeline's
source inputs; once as written and once with symbolic links resolved, so a link that leads
outside the project, or into ``.git``, is refused too.

``check_inputs_exist`` refuses a source input (a data input no step writes) that is not on
disk. Inputs that steps write do not exist before the run and are never checked.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..config.project import ProjectConfig
from ..errors import Location, ReferenceError_
from ..model.output_rule import (
    InputUse,
    OutputClaim,
    Protected,
    ProtectedPaths,
    ancestors,
    check_outputs,
    escape_problem,
    normalise,
    project_files,
    source_inputs,
    unsafe_output,
)
from ..model.pipeline import Job, Pipeline
from ..model.stage import Stage


def check_output_paths(pipeline: Pipeline, stages: Sequence[Stage], project: ProjectConfig) -> None:
    """Raise DefinitionError, naming the step and the output, for the first output that would
    delete or overwrite something of the project, or that leads outside it through a link."""
    root = Path(project.root).resolve()
    claims = output_claims(pipeline, stages)
    sources = source_inputs(input_uses(pipeline), claims, pipeline.upstream())
    protected = ProtectedPaths(
        [
            *project_files(_inside(project.conf_dir, root)),
            *_definition_files(pipeline, project, root),
            *(Protected(u.path, f"input '{u.input}' of step '{u.step}' ({u.path})") for u in sources),
            *(
                Protected(path, f"the code of step '{stage.name}' ({path})")
                for stage in stages
                for path in stage.code_deps
            ),
        ]
    )
    check_outputs(claims, protected)
    links = _LinkFinder(root)
    for claim in claims:
        problem = links.problem(claim.path, protected) if links.on_the_way(claim.path) else None
        if problem:
            raise unsafe_output(claim, problem)


def check_inputs_exist(
    pipeline: Pipeline, root: Path, *, steps: Iterable[str] | None = None, tracked_ok: bool = True
) -> None:
    """Raise ReferenceError_ for the first source input of steps (None: all) missing on disk.

    With tracked_ok, an input DVC tracks (a ``.dvc`` file for it or a folder above it) may be
    absent: a fresh clone fetches it later (``pipeyard ci pull``, ``dvc pull``).
    """
    root = Path(root)
    chosen = None if steps is None else set(steps)
    written = (
        OutputClaim(job.name, port.name, pipeline.output_path(job.name, port.name))
        for job in pipeline.jobs
        for port in job.component.outputs
    )
    for use in source_inputs(input_uses(pipeline), written, pipeline.upstream()):
        if (chosen is not None and use.step not in chosen) or escape_problem(use.path):
            continue
        if (root / use.path).exists():
            continue
        tracked = _dvc_file_of(root, use.path)
        if tracked and tracked_ok:
            continue
        raise ReferenceError_(
            f"input '{use.input}' reads '{use.path}', which does not exist",
            location=use.where,
            hint=(
                f"it is tracked by DVC ({tracked}): fetch it with `dvc pull {tracked}`"
                if tracked
                else "create it, fix the path (relative to the file that names it), or bind the input "
                "to a step's output: ${{parent.jobs.<step>.outputs.<output>}}"
            ),
        )


def output_claims(pipeline: Pipeline, stages: Sequence[Stage]) -> tuple[OutputClaim, ...]:
    """Every output of the compiled stages with its path and where its step is defined."""
    claims = []
    for stage in stages:
        job = pipeline.job(stage.name)
        where = _where(pipeline, job)
        for port, out in zip(job.component.outputs, stage.outs, strict=True):
            claims.append(OutputClaim(stage.name, port.name, out.path, where))
    return tuple(claims)


def input_uses(pipeline: Pipeline) -> tuple[InputUse, ...]:
    """Every bound data input of every step with the path it reads."""
    uses = []
    for job in pipeline.jobs:
        where = _where(pipeline, job)
        for port in job.component.inputs:
            path = pipeline.resolve_input_path(job, port.name)
            if path is not None:
                uses.append(InputUse(job.name, port.name, normalise(str(path)), where))
    return tuple(uses)


def _where(pipeline: Pipeline, job: Job) -> Location:
    base = job.source or pipeline.source or Location()
    return Location(file=base.file, line=base.line, step=job.name)


def _definition_files(pipeline: Pipeline, project: ProjectConfig, root: Path) -> list[Protected]:
    found: dict[str, str] = {}
    pipeline_file = _inside(pipeline.source.file if pipeline.source else None, root)
    if pipeline_file:
        found[pipeline_file] = f"the pipeline file ({pipeline_file})"
    for job in pipeline.jobs:
        component = job.component
        for location in (component.source, job.source):
            file = _inside(location.file if location else None, root)
            if file and file not in found:
                found[file] = f"the definition of component '{component.name}' ({file})"
    project_file = _inside(project.source, root)
    if project_file:
        found.setdefault(project_file, f"the project configuration ({project_file})")
    return [Protected(path, what) for path, what in found.items()]


def _inside(path: str | os.PathLike | None, root: Path) -> str | None:
    """path relative to root (POSIX) when it lies inside root; None otherwise."""
    if not path:
        return None
    text = os.fspath(path)
    if os.path.isabs(text):
        try:
            text = os.path.relpath(text, root)
        except ValueError:  # another drive
            return None
    relative = normalise(text)
    return None if escape_problem(relative) else relative


class _LinkFinder:
    """Finds symbolic links on the way to paths under root; lstat-s each folder once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._prefix = f"{root}{os.sep}"
        self._seen: dict[str, str] = {}  # path -> "link", "missing" or "plain"

    def on_the_way(self, path: str) -> bool:
        """True when path, or a folder on the way to it, is a symbolic link."""
        prefix = ""
        for part in path.split("/"):
            prefix = f"{prefix}/{part}" if prefix else part
            kind = self._seen.get(prefix)
            if kind is None:
                kind = self._seen[prefix] = self._kind(prefix)
            if kind != "plain":
                return kind == "link"  # nothing below a missing path exists
        return False

    def _kind(self, path: str) -> str:
        try:
            mode = os.lstat(self._prefix + path).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return "missing"
        return "link" if stat.S_ISLNK(mode) else "plain"

    def problem(self, path: str, protected: ProtectedPaths) -> str | None:
        """Why path is unsafe once its links are resolved, or None."""
        real = os.path.realpath(self.root / path)
        try:
            relative = normalise(os.path.relpath(real, self.root))
        except ValueError:  # another drive
            relative = normalise(real)
        if relative == ".." or relative.startswith("../") or os.path.isabs(relative):
            return f"leads outside the project through a symbolic link (to {real})"
        problem = protected.problem(relative)
        return f"leads through a symbolic link to '{relative}', which {problem}" if problem else None


def _dvc_file_of(root: Path, path: str) -> str | None:
    for candidate in (path, *ancestors(path)):
        if (root / f"{candidate}.dvc").is_file():
            return f"{candidate}.dvc"
    return None
