"""The schema of pipeyard.yaml, validated with pydantic, and errors that point at its lines.

Imported only when a project has a pipeyard.yaml, so a run without one skips pydantic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import ConfigError, Location, not_utf8, yaml_error_at
from ..model.project_layout import DEFAULT_OUTPUT_ROOT, PROJECT_CONFIG_FILES
from ..model.sizes import SIZE_EXAMPLES, parse_memory_mb


def parse_project_file(path: Path) -> tuple[Any, yaml.Node | None]:
    """The validated content of pipeyard.yaml and its YAML node tree (for line numbers)."""
    data, node = _read_yaml(path)
    try:
        return _ProjectFile.model_validate(data), node
    except ValidationError as exc:
        raise _config_error(exc, path, data, node) from None


# --- the file's schema ---------------------------------------------------------------------

_Memory = Annotated[int, BeforeValidator(parse_memory_mb)]
_Count = Annotated[int, Field(ge=0, strict=True)]


def parse_gpu_ids(value: Any) -> tuple[str, ...] | None:
    """GPU device ids from a count (``2`` -> ``("0", "1")``) or a list of ids."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return tuple(str(i) for i in range(value))
    if isinstance(value, list) and all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in value):
        return tuple(str(v) for v in value)
    raise ValueError(f"expected a count of GPUs or a list of device ids, got {value!r}")


_GpuIds = Annotated[tuple[str, ...], BeforeValidator(parse_gpu_ids)]


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cpus: float = Field(default=1.0, gt=0, description="a positive number of CPUs, e.g. 2 or 0.5")
    memory: _Memory = Field(default=0, description=f"a size like {SIZE_EXAMPLES}, or a number of MB")
    gpus: _Count = Field(default=0, description="a whole number of GPUs, e.g. 1")
    cpu_fallback: bool = Field(
        default=False, description="true to run on the CPU when the machine has no GPU to give"
    )
    custom: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict, description="a cluster's named resources, e.g. {highmem: 1}"
    )
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="labels a cluster node must carry, e.g. {zone: eu} (Ray node labels)",
    )


class _Executor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field(default="local", description="an executor name: local, ray, or a plug-in's")
    address: str | None = Field(default=None, description="a cluster address, e.g. auto or ray://head:10001")
    options: dict[str, Any] = Field(default_factory=dict, description="the executor's own settings")


class _Capacity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cpus: float | None = Field(default=None, gt=0, description="a positive number of CPUs")
    memory: _Memory | None = Field(
        default=None, description=f"a size like {SIZE_EXAMPLES}, or a number of MB"
    )
    gpus: _GpuIds | None = Field(
        default=None, description="a count of GPUs (e.g. 2) or a list of device ids (e.g. [0, 1])"
    )


class _Registry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$", description="a short name such as team or shared"
    )
    path: str | None = Field(default=None, description="a registry folder, relative to the project root")
    git: str | None = Field(default=None, description="the URL (or path) of a git repository")
    ref: str | None = Field(default=None, description="the branch or tag of a git registry, e.g. main")

    @model_validator(mode="after")
    def _one_source(self) -> _Registry:
        if (self.path is None) == (self.git is None):
            raise ValueError(f"registry '{self.name}' needs exactly one of path: or git:")
        if self.ref is not None and self.git is None:
            raise ValueError(f"registry '{self.name}': ref: goes with git:, not path:")
        return self


def _labels(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


_Labels = Annotated[list[str], BeforeValidator(_labels), Field(min_length=1)]


class _GithubCi(BaseModel):
    model_config = ConfigDict(extra="forbid")

    runners: dict[str, _Labels] = Field(
        default_factory=dict,
        description="cpu, gpu or a compute name -> runner labels, e.g. {gpu: [self-hosted, gpu]}",
    )
    merge_chains: bool = Field(default=True, description="true or false")
    python: str = Field(default="3.11", description="a Python version for actions/setup-python, e.g. '3.11'")
    secrets: list[str] = Field(
        default_factory=list, description="names of repository secrets the DVC remote needs"
    )
    branch: str | None = Field(
        default=None,
        description="the branch pushes to which run the workflow (default: the repository's default branch)",
    )
    install: str | None = Field(
        default=None,
        description="what pip installs for pipeyard, e.g. pipeyard @ git+https://host/org/pipeyard@<commit>",
    )
    actions: Literal["sha", "tag"] = Field(
        default="sha", description="pin actions by commit sha (the tag in a comment) or by tag"
    )


class _Ci(BaseModel):
    model_config = ConfigDict(extra="forbid")

    github: _GithubCi = Field(default_factory=_GithubCi, description="a mapping: runners, ...")


class _ProjectFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    compute: dict[str, _Profile] = Field(
        default_factory=dict, description="a mapping of compute names to {cpus, memory, gpus}"
    )
    capacity: _Capacity = Field(default_factory=_Capacity, description="a mapping with cpus, memory and gpus")
    conf_dir: str | None = Field(default=None, description="a folder of Hydra configs, e.g. conf")
    output_root: str = Field(default=DEFAULT_OUTPUT_ROOT, description="a folder, e.g. outputs")
    ci: _Ci = Field(default_factory=_Ci, description="a mapping with github: {runners, ...}")
    registries: list[_Registry] = Field(
        default_factory=list,
        description="a list of {name, path} or {name, git, ref} component registries",
    )
    executor: _Executor = Field(
        default_factory=_Executor, description="a mapping: {type: local | ray, address: ...}"
    )

    @field_validator("registries")
    @classmethod
    def _unique_names(cls, registries: list[_Registry]) -> list[_Registry]:
        names = [r.name for r in registries]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"registry names must be unique; repeated: {', '.join(twice)}")
        return registries


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(str(path), exc, ConfigError) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line, _, problem = yaml_error_at(exc, text)
        raise ConfigError(
            f"{path.name} is not valid YAML: {problem}",
            location=Location(file=str(path), line=line),
            hint="check the indentation and the ':' after each key",
        ) from None
    if data is None:
        return {}, node
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path.name} must be a mapping of settings, not a {type(data).__name__}",
            location=Location(file=str(path), line=1),
            hint="allowed keys: " + ", ".join(_ProjectFile.model_fields),
        )
    return data, node


def conf_dir_of(root: Path, configured: str, path: Path | None, node: yaml.Node | None) -> Path:
    """The configured Hydra config folder, which must exist (path and node: where it is set)."""
    conf = (root / configured).resolve()
    if not conf.is_dir():
        raise ConfigError(
            f"conf_dir '{configured}' is not a folder",
            location=Location(file=str(path), line=_line_of(node, ("conf_dir",))),
            hint="create it, or remove conf_dir to use conf/ when it exists",
        )
    return conf


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the key (or item) at loc inside a composed YAML node."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == str(part)), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
    return line


def _data_loc(data: Any, loc: tuple) -> tuple:
    """loc without the parts pydantic adds that are not in the file (a union member's name)."""
    kept = []
    for part in loc:
        in_mapping = isinstance(data, dict) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if in_mapping or in_list:
            kept.append(part)
            data = data[part]
    return tuple(kept)


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The schema model of the mapping that holds the key at loc, or None."""
    model: type[BaseModel] | None = _ProjectFile
    parts = list(loc[:-1])
    while parts and model is not None:
        part = parts.pop(0)
        if model is _ProjectFile and part == "compute":
            if not parts:
                return None  # directly under compute: any profile name is allowed
            parts.pop(0)
            model = _Profile
            continue
        info = model.model_fields.get(str(part))
        annotation = info.annotation if info else None
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return model


def _config_error(exc: ValidationError, path: Path | None, data: Any, node) -> ConfigError:
    problems = []
    seen: set[tuple] = set()
    for error in exc.errors():
        loc = _data_loc(data, tuple(error["loc"]))
        if loc in seen:
            continue
        seen.add(loc)
        key = ".".join(str(p) for p in loc) or "(top level)"
        model = _model_at(loc) if loc else None
        if error["type"] == "extra_forbidden":
            message = f"unknown key '{key}'"
            hint = f"allowed here: {', '.join(model.model_fields)}" if model else None
        else:
            message = f"{key}: {error['msg'].removeprefix('Value error, ')}"
            info = model.model_fields.get(str(loc[-1])) if model and loc else None
            hint = f"{loc[-1]}: {info.description}" if info and info.description else None
        problems.append((_line_of(node, loc), message, hint))
    line, message, hint = problems[0]
    for other_line, other_message, _ in problems[1:]:
        message += f"\n  also{f' line {other_line}' if other_line else ''}: {other_message}"
    return ConfigError(
        message,
        location=Location(file=str(path) if path else PROJECT_CONFIG_FILES[0], line=line),
        hint=hint,
    )
