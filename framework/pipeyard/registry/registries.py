"""The registries a project uses (``registries:`` in pipeyard.yaml), each opened at the
content it resolves to: a folder as it is, a git repository at its pinned commit."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..config.project import ProjectConfig, RegistrySpec
from ..errors import ConfigError, ReferenceError_, did_you_mean, known
from .gitrepo import GitRegistry
from .lockfile import LOCK_FILE, Pin, read_pins, write_pins
from .package import StagedComponent
from .references import ComponentRef
from .store import Entry, RegistryFolder, content_hash

EXAMPLE = "registries: [{name: team, path: ../registry}]"


@dataclass(frozen=True)
class OpenRegistry:
    """A registry ready to read: its folder, and the commit it is pinned to (git only)."""

    spec: RegistrySpec
    folder: RegistryFolder
    commit: str | None = None


@dataclass(frozen=True)
class Registration:
    """What `pipeyard component register` did."""

    name: str
    version: str
    registry: str
    added: bool  # False: the same content was already registered
    commit: str | None = None  # the registry commit made (git registries)
    pushed: bool = False
    push_command: str | None = None


class ProjectRegistries:
    """Open, search, register into and re-pin the project's registries.

    Opening a git registry that has no pin yet pins it to the tip of its ref and writes
    pipeyard.lock.yaml; what happened is added to ``notes``.
    """

    def __init__(self, project: ProjectConfig) -> None:
        self.project = project
        self.root = project.root
        self.notes: list[str] = []
        self._open: dict[str, OpenRegistry] = {}

    @property
    def names(self) -> list[str]:
        """The configured registries' names, in search order."""
        return [spec.name for spec in self.project.registries]

    def spec(self, name: str | None) -> RegistrySpec:
        """The registry called name; None picks the only one configured."""
        specs = {s.name: s for s in self.project.registries}
        if not specs:
            raise ConfigError(
                "this project has no component registries",
                hint=f"add them to pipeyard.yaml, e.g. {EXAMPLE}",
            )
        if name is None:
            if len(specs) > 1:
                raise ConfigError(
                    f"this project has several registries: {known(specs)}",
                    hint="choose one with --registry NAME",
                )
            return next(iter(specs.values()))
        if name not in specs:
            raise ConfigError(
                f"no registry '{name}' in pipeyard.yaml{did_you_mean(name, specs)}",
                hint=f"registries: {known(specs)}",
            )
        return specs[name]

    def open(self, name: str) -> OpenRegistry:
        """The registry called name at the content it resolves to."""
        if name in self._open:
            return self._open[name]
        spec = self.spec(name)
        if spec.path is not None:
            opened = OpenRegistry(spec, RegistryFolder(spec.name, (self.root / spec.path).resolve()))
        else:
            repo = self._git(spec)
            commit = self._pinned_commit(spec, repo)
            path = repo.checkout(commit) if commit else repo.path
            opened = OpenRegistry(spec, RegistryFolder(spec.name, path), commit)
        self._open[name] = opened
        return opened

    def all(self) -> list[OpenRegistry]:
        """Every configured registry, opened, in search order."""
        return [self.open(name) for name in self.names]

    def find(self, ref: ComponentRef) -> tuple[OpenRegistry, Entry]:
        """The registry and entry ref names; ReferenceError_ saying what exists otherwise."""
        searched = [self.open(ref.registry)] if ref.registry else self.all()
        if not searched:
            self.spec(None)  # raises: no registries
        for registry in searched:
            entry = registry.folder.find(ref.name, ref.version)
            if entry is not None:
                return registry, entry
        names = sorted({e.name for r in searched for e in r.folder.entries()})
        versions = sorted({v for r in searched for v in r.folder.versions(ref.name)})
        where = f"registry '{ref.registry}'" if ref.registry else f"registries {known(self.names)}"
        if versions:
            message = f"component '{ref.name}' has no version {ref.version} in {where}"
            hint = (
                f"versions: {known(versions)}; or register it: pipeyard component register "
                f"<file> --version {ref.version}"
            )
        else:
            message = f"no component '{ref.name}' in {where}{did_you_mean(ref.name, names)}"
            hint = (
                "register it: pipeyard component register ./components/"
                f"{ref.name}.yml (components there: {known(names)})"
            )
        raise ReferenceError_(message, hint=hint)

    def register(self, staged: StagedComponent, registry: str | None, *, push: bool = False) -> Registration:
        """Add a staged version (package.StagedComponent) to a registry; commit it in a git one."""
        spec = self.spec(registry)
        entry = Entry(
            staged.name, staged.version, staged.kind, content_hash(staged.folder), staged.description
        )
        if spec.path is not None:
            folder = RegistryFolder(spec.name, (self.root / spec.path).resolve())
            return Registration(entry.name, entry.version, spec.name, folder.add(staged.folder, entry))
        repo = self._git(spec)
        folder = RegistryFolder(spec.name, repo.start_registration())
        if not folder.add(staged.folder, entry):
            return Registration(entry.name, entry.version, spec.name, False)
        commit = repo.commit(f"register {entry.name}:{entry.version}")
        if push:
            repo.push()
        self._open.pop(spec.name, None)
        return Registration(
            entry.name, entry.version, spec.name, True, commit, push, None if push else repo.push_command()
        )

    def update(self, names: list[str] | None = None) -> list[tuple[str, str | None, str]]:
        """Move the pins of the named git registries (default: all) to their refs' tips;
        returns (registry, old commit, new commit) for each."""
        pins = read_pins(self.root)
        moved = []
        for name in names or self.names:
            spec = self.spec(name)
            if spec.git is None:
                continue
            commit = self._git(spec).head_commit()
            if commit is None:
                continue
            old = pins.get(name)
            pins[name] = Pin(spec.git, spec.ref, commit)
            moved.append((name, old.commit if old else None, commit))
            self._open.pop(name, None)
        write_pins(self.root, pins)
        return moved

    def _git(self, spec: RegistrySpec) -> GitRegistry:
        return GitRegistry(spec.name, str(spec.git), spec.ref, self.root)

    def _pinned_commit(self, spec: RegistrySpec, repo: GitRegistry) -> str | None:
        pins = read_pins(self.root)
        pin = pins.get(spec.name)
        if pin is not None and pin.git == spec.git and pin.ref == spec.ref:
            return pin.commit
        commit = repo.head_commit()
        if commit is None:
            return None  # an empty registry: nothing to pin yet
        pins[spec.name] = Pin(str(spec.git), spec.ref, commit)
        write_pins(self.root, pins)
        self.notes.append(f"pinned registry '{spec.name}' to commit {commit[:12]} in {LOCK_FILE}; commit it")
        return commit


def staging_folder() -> Path:
    """A new empty temporary folder to stage a version in (the caller removes it)."""
    return Path(tempfile.mkdtemp(prefix="pipeyard-component-"))


def remove(folder: Path) -> None:
    """Remove a staging folder."""
    shutil.rmtree(folder, ignore_errors=True)
