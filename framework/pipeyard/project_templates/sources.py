"""Where a template comes from (built-in name, local folder, git URL) and its files at a version.

A template's *version* is what the state file records as ``commit``: the git commit for
templates kept in git, and ``sha256:<hex>`` of the files for a plain folder or a built-in
template (which carry no history, so a project made from one can be checked but not updated).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError, did_you_mean, known
from ..vcs.git import add_worktree, is_repository_root, run_git

BUILTIN_PREFIX = "builtin:"
_REACH_HINT = "check that the repository or URL exists and that git can reach it"
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")  # git@github.com:owner/repo


class TemplateError(UserError):
    """A template cannot be found, read, rendered or updated from."""


@dataclass(frozen=True)
class BuiltinTemplate:
    """A template shipped with pipeyard: its name, one-line description and folder."""

    name: str
    description: str
    path: Path


@dataclass(frozen=True)
class TemplateSource:
    """A template's origin: kind is "git" (URL or repository path), "local" or "builtin"."""

    kind: str
    location: str  # URL, absolute path, or built-in name
    directory: str | None = None  # the template's folder inside a git repository

    @property
    def recorded(self) -> str:
        """What the state file's ``template`` field holds for this source."""
        return BUILTIN_PREFIX + self.location if self.kind == "builtin" else self.location

    @property
    def label(self) -> str:
        """A short name for messages."""
        where = self.location if self.kind != "builtin" else f"built-in '{self.location}'"
        return f"{where} ({self.directory})" if self.directory else where


def builtin_folder() -> Path | None:
    """The folder holding the built-in templates, or None when pipeyard ships none.

    In a wheel the templates are package data under ``project_templates/builtin``; in a source
    checkout that path is a symlink to the repository's top-level ``templates/``, and where
    symlinks do not work we walk up to the repository root and use ``templates/`` there.
    """
    packaged = Path(__file__).resolve().parent / "builtin"
    if packaged.is_dir():
        return packaged
    for folder in Path(__file__).resolve().parents:
        if (folder / "pyproject.toml").is_file() and (folder / "templates").is_dir():
            return folder / "templates"
    return None


def builtin_templates() -> list[BuiltinTemplate]:
    """The built-in templates, sorted by name."""
    folder = builtin_folder()
    if folder is None:
        return []
    found = []
    for path in sorted(folder.iterdir()):
        spec = path / "cookiecutter.json"
        if path.is_dir() and spec.is_file():
            try:
                description = str(json.loads(spec.read_text(encoding="utf-8")).get("_description", ""))
            except ValueError:
                description = "(cookiecutter.json is not valid JSON)"
            found.append(BuiltinTemplate(path.name, description, path))
    return found


def is_git_url(text: str) -> bool:
    """Whether text names a remote git repository (scheme://... or user@host:path)."""
    return "://" in text or bool(_SCP_LIKE.match(text))


def resolve_source(spec: str, directory: str | None = None, cwd: Path | None = None) -> TemplateSource:
    """What TEMPLATE on the command line means: a git URL, a local folder, or a built-in name."""
    if is_git_url(spec):
        return TemplateSource("git", spec, directory)
    path = (cwd or Path.cwd()) / spec
    if path.exists():
        if is_repository_root(path):
            return TemplateSource("git", str(path.resolve()), directory)
        if directory:
            raise TemplateError(
                f"--directory needs a template kept in git, and {path} is not a git repository",
                hint=f"give the template folder itself: `pipeyard new {Path(spec) / directory}`",
            )
        return TemplateSource("local", str(path.resolve()))
    names = [t.name for t in builtin_templates()]
    name = spec.removeprefix(BUILTIN_PREFIX)
    if name in names and "/" not in spec:
        return TemplateSource("builtin", name)
    raise TemplateError(
        f"no template named '{spec}'{did_you_mean(name, names)}",
        hint=f"built-in templates: {known(names)} (`pipeyard templates` describes them); "
        "or give a folder path or a git URL",
    )


def source_from_state(template: str, directory: str | None) -> TemplateSource:
    """The source a state file's ``template`` and ``directory`` fields point to."""
    if template.startswith(BUILTIN_PREFIX):
        return TemplateSource("builtin", template.removeprefix(BUILTIN_PREFIX))
    if is_git_url(template) or is_repository_root(Path(template)):
        return TemplateSource("git", template, directory)
    if Path(template).is_dir():
        return TemplateSource("local", template)
    raise TemplateError(
        f"the project's template {template} cannot be found",
        hint="fix the 'template' field in .cruft.json if the template moved",
    )


class TemplateCheckout:
    """A template's files, available at any of its versions (see module docstring)."""

    def __init__(self, source: TemplateSource, workdir: Path) -> None:
        self.source = source
        self._workdir = workdir
        self._clone: Path | None = None
        if source.kind == "git":
            self._clone = workdir / "clone"
            run_git(
                workdir,
                "clone",
                "--quiet",
                "--no-checkout",
                source.location,
                str(self._clone),
                hint=_REACH_HINT,
            )

    @property
    def versioned(self) -> bool:
        """Whether earlier versions can be had (the template is kept in git)."""
        return self._clone is not None

    def resolve(self, ref: str | None) -> str:
        """The version a ref names: a commit for git (default: the default branch), else a hash."""
        if self._clone is None:
            if ref:
                raise TemplateError(
                    f"--checkout needs a template kept in git; {self.source.label} is a plain folder",
                    hint="leave out --checkout, or put the template in a git repository",
                )
            return content_hash(self._local_folder())
        candidates = [f"origin/{ref}", ref] if ref else ["HEAD"]
        for candidate in candidates:
            found = run_git(
                self._clone, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", check=False
            )
            if found.returncode == 0:
                return found.stdout.strip()
        raise TemplateError(
            f"'{ref}' is not a branch, tag or commit of {self.source.label}",
            hint=f"list them with `git ls-remote {self.source.location}`",
        )

    def folder(self, version: str) -> Path:
        """The template folder (the one holding cookiecutter.json) at version."""
        if self._clone is None:
            if version != content_hash(self._local_folder()):
                raise TemplateError(
                    f"{self.source.label} is not kept in git, so its version {version[:15]} is gone",
                    hint="keep templates in git to update projects made from them; "
                    "`pipeyard template check` still tells when a plain folder changed",
                )
            return self._local_folder()
        tree = self._workdir / f"at-{version[:12]}"
        if not tree.exists():
            add_worktree(self._clone, tree, version)
        folder = tree / self.source.directory if self.source.directory else tree
        if not folder.is_dir():
            raise TemplateError(
                f"{self.source.label} has no folder '{self.source.directory}' at {version[:12]}",
                hint="check the --directory argument (or the 'directory' field in .cruft.json)",
            )
        return folder

    def _local_folder(self) -> Path:
        if self.source.kind == "builtin":
            for template in builtin_templates():
                if template.name == self.source.location:
                    return template.path
            raise TemplateError(
                f"this pipeyard has no built-in template '{self.source.location}'",
                hint=f"built-in templates: {known(t.name for t in builtin_templates())}",
            )
        return Path(self.source.location)


@contextmanager
def checkout_template(source: TemplateSource) -> Iterator[TemplateCheckout]:
    """Fetch the template (a temporary clone for git) for the duration of the block."""
    workdir = Path(tempfile.mkdtemp(prefix="pipeyard-template-"))
    try:
        yield TemplateCheckout(source, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def content_hash(folder: Path) -> str:
    """``sha256:<hex>`` over the relative paths and bytes of every file under folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not _ignored(p, folder)):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def _ignored(path: Path, folder: Path) -> bool:
    parts = path.relative_to(folder).parts
    return ".git" in parts or "__pycache__" in parts or path.suffix == ".pyc"
