"""The project configuration: compute profiles, machine capacity and folders, from pipeyard.yaml.

A project needs no ``pipeyard.yaml``; every field has a default::

    compute:                      # profile name -> what one step on it needs
      gpu-cluster: {gpus: 1, cpus: 2, memory: 8GB}
      big-memory: {cpus: 2, custom: {highmem: 1}}   # a cluster's custom resources (Ray)
      azureml:cpu-cluster: {cpus: 4}   # the azureml: prefix is dropped
    capacity:                     # what this machine offers; each key optional (= detect)
      cpus: 8
      memory: 32GB
      gpus: [0, 1]                # a count or a list of device ids
    executor: {type: ray, address: auto}   # where steps run: local (default), ray, a plug-in
    conf_dir: conf                # Hydra configs (default: conf/ when it exists)
    output_root: outputs          # where unpinned outputs go
    registries:                   # component registries, searched in this order
      - {name: team, path: ../registry}                         # a folder (relative to the root)
      - {name: shared, git: https://host/registry.git, ref: main}  # a git repository
    ci:                           # `pipeyard ci github`: workflows for GitHub Actions
      github:
        runners: {cpu: ubuntu-latest, gpu: [self-hosted, gpu]}   # labels per kind of step
        merge_chains: true        # one job for a linear chain of steps on the same runner
        python: "3.11"
        secrets: [AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY]      # for the DVC remote

Memory sizes are binary: ``1GB`` = 1024 MB; a bare number means MB (the rule of `model.sizes`).
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..model.project_layout import DEFAULT_CONF_DIR, DEFAULT_OUTPUT_ROOT, PROJECT_CONFIG_FILES
from ..model.resources import Capacity, Resources

LOCAL_PROFILE = "local"
AZUREML_PREFIX = "azureml:"


def strip_azureml(name: str) -> str:
    """A compute name without Azure ML's ``azureml:`` prefix."""
    return name.removeprefix(AZUREML_PREFIX)


def read_only(values: dict[str, Any]) -> MappingProxyType[str, Any]:
    """A read-only view of values: how a pickled MappingProxyType comes back."""
    return MappingProxyType(values)


def _reduce_read_only(
    proxy: MappingProxyType[str, Any],
) -> tuple[Callable[..., MappingProxyType[str, Any]], tuple[dict[str, Any]]]:
    return read_only, (dict(proxy),)


# A sweep hands each worker process its project by pickle, and ProjectConfig
# holds read-only mappings, which pickle refuses by default: they travel as the dict they show.
copyreg.pickle(MappingProxyType, _reduce_read_only)


DEFAULT_RUNNERS = MappingProxyType({"cpu": ("ubuntu-latest",), "gpu": ("self-hosted", "gpu")})


@dataclass(frozen=True)
class GithubCiSpec:
    """How `pipeyard ci github` writes workflows (the ``ci.github`` section of pipeyard.yaml).

    runners maps ``cpu``, ``gpu`` or a compute profile name to runner labels; secrets names
    the repository secrets passed to jobs as environment variables (the DVC remote's
    credentials); install is what pip installs to get pipeyard (None: this version).
    """

    runners: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_RUNNERS)
    merge_chains: bool = True
    python: str = "3.11"
    secrets: tuple[str, ...] = ()
    branch: str | None = None  # None: the repository's default branch
    install: str | None = None
    actions: str = "sha"  # pin actions by commit "sha" or by "tag"


@dataclass(frozen=True)
class CapacitySpec:
    """What the machine offers, as configured; None means "detect at run time"."""

    cpus: float | None = None
    memory_mb: int | None = None
    gpu_ids: tuple[str, ...] | None = None

    def fill(self, detected: Capacity) -> Capacity:
        """The capacity to use: each configured value, else the one detected on the machine."""
        return Capacity(
            cpus=detected.cpus if self.cpus is None else self.cpus,
            memory_mb=detected.memory_mb if self.memory_mb is None else self.memory_mb,
            gpu_ids=detected.gpu_ids if self.gpu_ids is None else self.gpu_ids,
        )


@dataclass(frozen=True)
class ExecutorConfig:
    """pipeyard.yaml's `executor:`: the executor's name, a cluster address, and its own options."""

    type: str = "local"
    address: str | None = None
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class RegistrySpec:
    """A component registry the project uses: a folder (path) or a git repository (git + ref).

    path is kept as written (relative to the project root); ref None means the remote's
    default branch.
    """

    name: str
    path: str | None = None
    git: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class ProjectConfig:
    """The settings of one project, read once from ``pipeyard.yaml`` (or defaults)."""

    root: Path
    profiles: Mapping[str, Resources] = field(
        default_factory=lambda: MappingProxyType({LOCAL_PROFILE: Resources()})
    )
    capacity: CapacitySpec = field(default_factory=CapacitySpec)
    conf_dir: Path | None = None
    output_root: str = DEFAULT_OUTPUT_ROOT
    source: Path | None = None  # the pipeyard.yaml read, or None when defaults were used
    registries: tuple[RegistrySpec, ...] = ()
    ci_github: GithubCiSpec = field(default_factory=GithubCiSpec)
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)

    def __hash__(self) -> int:
        return hash((self.root, self.source, self.conf_dir, self.output_root))

    def profile(self, compute: str | None) -> Resources | None:
        """The resources of the named compute profile (``azureml:`` ignored), or None."""
        if compute is None:
            return self.profiles[LOCAL_PROFILE]
        return self.profiles.get(strip_azureml(compute))


# --- loading -------------------------------------------------------------------------------


def find_project_file(root: Path) -> Path | None:
    """The project's pipeyard.yaml (or .yml), or None when it has none."""
    for name in PROJECT_CONFIG_FILES:
        if (root / name).is_file():
            return root / name
    return None


def load_project_config(root: Path) -> ProjectConfig:
    """Read and validate ``pipeyard.yaml`` at root; defaults when the file is absent.

    Raises ConfigError naming the file, the line of the bad key and what is allowed there.
    """
    root = Path(root).resolve()
    path = find_project_file(root)
    if path is None:
        return ProjectConfig(root=root, conf_dir=_default_conf_dir(root))
    from .project_file import conf_dir_of, parse_project_file  # imports pydantic: only when needed

    parsed, node = parse_project_file(path)
    profiles = {LOCAL_PROFILE: Resources()}
    for name, profile in parsed.compute.items():
        profiles[strip_azureml(name)] = Resources(
            cpus=profile.cpus,
            memory_mb=profile.memory,
            gpus=profile.gpus,
            cpu_fallback=profile.cpu_fallback,
            custom=tuple(sorted(profile.custom.items())),
            labels=tuple(sorted(profile.labels.items())),
        )
    return ProjectConfig(
        root=root,
        profiles=MappingProxyType(profiles),
        capacity=CapacitySpec(parsed.capacity.cpus, parsed.capacity.memory, parsed.capacity.gpus),
        conf_dir=_default_conf_dir(root)
        if parsed.conf_dir is None
        else conf_dir_of(root, parsed.conf_dir, path, node),
        output_root=parsed.output_root,
        source=path,
        executor=ExecutorConfig(
            parsed.executor.type, parsed.executor.address, MappingProxyType(dict(parsed.executor.options))
        ),
        ci_github=_github_ci_spec(parsed.ci.github),
        registries=tuple(RegistrySpec(r.name, path=r.path, git=r.git, ref=r.ref) for r in parsed.registries),
    )


def _github_ci_spec(parsed) -> GithubCiSpec:
    runners = {**DEFAULT_RUNNERS, **parsed.runners}
    return GithubCiSpec(
        runners=MappingProxyType({k: tuple(v) for k, v in runners.items()}),
        merge_chains=parsed.merge_chains,
        python=parsed.python,
        secrets=tuple(parsed.secrets),
        branch=parsed.branch,
        install=parsed.install,
        actions=parsed.actions,
    )


def _default_conf_dir(root: Path) -> Path | None:
    """conf/ when the project has one (Hydra's configs), else None."""
    conf = root / DEFAULT_CONF_DIR
    return conf if conf.is_dir() else None
