"""`pipeyard template check|diff|update`: compare a project with its template, and bring it up to date.

An update renders the template at the recorded version (base) and at the new one (theirs) with
the recorded answers, then merges base -> theirs into the work tree (see merge.py). The state
file moves to the new version in the same change, with or without conflicts: committing the
result finishes the update, and `git reset --hard && git clean -fd` abandons it (the tree was
clean before, so this restores exactly the state before the update).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .. import session
from ..errors import PipeyardError, RepositoryError
from ..loading import CANDIDATES
from ..vcs.git import changed_paths
from .builtin_snapshots import refresh_snapshot
from .merge import MergeReport, merge_update, unified_diff
from .render import Rendered, render, template_questions
from .snapshots import restore_render, save_render, snapshot_ref
from .sources import TemplateError, checkout_template, source_from_state
from .state import STATE_FILE, TemplateState, read_state, write_state


@dataclass(frozen=True)
class TemplateVersions:
    """The template version a project is at, and the latest one of its recorded branch/ref."""

    template: str
    current: str | None
    latest: str

    @property
    def up_to_date(self) -> bool:
        """Whether the project is at the latest version."""
        return self.current == self.latest


@dataclass(frozen=True)
class UpdateResult:
    """What `pipeyard template update` did."""

    versions: TemplateVersions
    report: MergeReport  # empty when already up to date
    compiled: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Renders:
    versions: TemplateVersions
    base: Path
    theirs: Path
    state: TemplateState  # the state after the update
    versioned: bool = True  # False: keep the new render as the base of the next update


def check_project(root: Path, checkout: str | None = None) -> TemplateVersions:
    """Compare the project's recorded template version with the latest one."""
    state = read_state(root)
    source = source_from_state(state.template, state.directory)
    refresh_snapshot(source)
    with checkout_template(source) as files:
        latest = files.resolve(checkout if checkout is not None else state.checkout)
    return TemplateVersions(state.template, state.commit, latest)


def diff_project(
    root: Path, checkout: str | None = None, only: Sequence[str] = ()
) -> tuple[TemplateVersions, list[str]]:
    """The template's change since the project's version, as unified-diff lines."""
    with _render_both(root, checkout) as renders:
        if renders.versions.up_to_date:
            return renders.versions, []
        state = renders.state
        return renders.versions, unified_diff(renders.base, renders.theirs, state.skips, only)


def update_project(root: Path, checkout: str | None = None) -> UpdateResult:
    """Merge the template's change since the project's version into its work tree."""
    dirty = changed_paths(root)
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise RepositoryError(
            f"the work tree has uncommitted changes ({shown})",
            hint="commit or stash them first (`git stash -u`), so the update can be reviewed and undone on its own",
        )
    with _render_both(root, checkout) as renders:
        if renders.versions.up_to_date:
            return UpdateResult(renders.versions, MergeReport(()))
        report = merge_update(
            root, renders.base, renders.theirs, renders.state.skips, protected=(STATE_FILE,)
        )
        if not renders.versioned:
            save_render(root, renders.theirs, renders.versions.latest)
    write_state(root, renders.state)
    if report.conflicts:
        return UpdateResult(renders.versions, report)
    compiled, notes = _recompile(root)
    return UpdateResult(renders.versions, report, compiled, notes)


@contextmanager
def _render_both(root: Path, checkout: str | None) -> Iterator[_Renders]:
    state = read_state(root)
    source = source_from_state(state.template, state.directory)
    refresh_snapshot(source)
    checkout = checkout if checkout is not None else state.checkout
    with (
        checkout_template(source) as files,
        tempfile.TemporaryDirectory(prefix="pipeyard-renders-") as scratch,
    ):
        latest = files.resolve(checkout)
        versions = TemplateVersions(state.template, state.commit, latest)
        if versions.up_to_date:
            yield _Renders(versions, Path(scratch), Path(scratch), state)
            return
        if state.commit is None:
            raise TemplateError(
                f"{STATE_FILE} records no template version, so there is nothing to update from",
                hint=f"set 'commit' in {STATE_FILE} to the template commit the project was made from",
            )
        base_dir: Path | None
        if files.versioned:
            base_dir = _render_at(files.folder(state.commit), Path(scratch) / "base", state).project_dir
        else:
            base_dir = restore_render(root, state.commit, Path(scratch) / "base")
            if base_dir is None:
                raise TemplateError(
                    f"{state.template} keeps no history and this repository has no copy of its "
                    f"version {state.commit[:19]} ({snapshot_ref(state.commit)})",
                    hint="fetch it from the repository that created the project: "
                    "`git fetch origin 'refs/pipeyard/*:refs/pipeyard/*'`",
                )
        theirs = _render_at(files.folder(latest), Path(scratch) / "theirs", state)
        yield _Renders(
            versions,
            base_dir,
            theirs.project_dir,
            state.at(latest, theirs.answers, checkout),
            files.versioned,
        )


def _render_at(folder: Path, output: Path, state: TemplateState) -> Rendered:
    asked = set(template_questions(folder))
    answers = {k: v for k, v in state.questions_answered().items() if k in asked}
    return render(
        folder, output, answers=answers, no_input=True, template_label=state.template, user_defaults=False
    )


def _recompile(root: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not any((root / name).is_file() for name in CANDIDATES):
        return (), ()
    try:
        return tuple(session.compile_files(session.load(root))), ()
    except PipeyardError as error:
        return (), (
            f"the updated pipeline does not compile yet: {error.message}; fix it, then run `pipeyard compile`",
        )
