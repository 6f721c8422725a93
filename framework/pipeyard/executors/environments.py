"""Step environments, realised: a component's declared environment becomes a `uv`-built venv.

What a step's `environment` (its identity string, as compiled into `Stage.environment`) asks:

- a conda file (`{"conda_file": "env/conda.yml", ...}`): its `python=X.Y` and its `pip:`
  dependencies -> a virtual environment built with `uv` (other conda packages cannot be
  installed by uv: the run says so);
- a conda file by path (the SDK's `environment="env/conda.yml"`): the same;
- a pip requirements file (`requirements.txt`, any `*.txt`): -> the same, with the current
  Python version;
- a Docker image (`{"image": ...}` or an image name): needs a reachable container engine;
- a registered `azureml:` environment: exists only in Azure ML.

Venvs live in the user's cache folder (`$PIPEYARD_ENV_CACHE`, else `$XDG_CACHE_HOME/pipeyard/envs`,
else `~/.cache/pipeyard/envs`), one folder per content hash of (python, requirements), shared
by every project; a lock makes concurrent builders wait for one build; a marker file written last
makes a half-built folder count as missing. The step runs with the venv's `bin` first on PATH.
pipeyard's own package (and PyYAML, which `pipeyard.exec` reads parameters with) are linked
into the venv, nothing else of pipeyard's environment, so Python steps work in it too.

Modes: `isolated` (default) builds what it can and says once per step when a step runs in
the current environment instead; `current` builds nothing and says so per step; `strict`
refuses a step whose environment cannot be realised.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from ..errors import ConfigError, Location
from ..model import Stage

ENV_VARIABLE = "PIPEYARD_ENVIRONMENT"  # the realised venv's folder, set for the step
SPEC_VARIABLE = "PIPEYARD_ENVIRONMENT_SPEC"  # what it holds (JSON), so another node can build it
MODES = ("isolated", "current", "strict")
_READY = ".pipeyard-ready"
_PIPEYARD_PACKAGE = Path(__file__).parent.parent  # the folder of `import pipeyard`
_BUILD_TIMEOUT_S = 900


@dataclass(frozen=True)
class VenvSpec:
    """What one isolated venv holds: a Python version (None: the current one) and requirements."""

    python: str | None
    requirements: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what the declaration asks that a uv venv cannot give

    @property
    def content_hash(self) -> str:
        """The folder name of this venv in the cache: a hash of python and requirements."""
        text = json.dumps({"python": self.python, "requirements": list(self.requirements)}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Unrealisable:
    """An environment this machine cannot provide, and why (said once per step)."""

    why: str


def read_environment(environment: str | None, root: Path) -> VenvSpec | Unrealisable | None:
    """What a stage's environment identity asks for; None when it declares none."""
    if not environment:
        return None
    text = environment.strip()
    if text.startswith("azureml:"):
        return Unrealisable(f"environment '{text}' is registered in Azure ML and cannot be built here")
    if text.startswith("{"):
        declared = json.loads(text)
        if "conda_file" in declared:
            return conda_venv(root / declared["conda_file"])
        if "image" in declared or "build" in declared:
            return _image(str(declared.get("image") or declared.get("build")))
        return Unrealisable(f"environment {text} names nothing pipeyard can build (no conda_file or image)")
    if text.endswith((".yml", ".yaml")) and (root / text).is_file():  # the SDK's environment="env.yml"
        return conda_venv(root / text)
    if text.endswith(".txt") and (root / text).is_file():
        lines = (root / text).read_text(encoding="utf-8").splitlines()
        return VenvSpec(python=None, requirements=_requirements(lines))
    return _image(text)


def conda_venv(path: Path) -> VenvSpec:
    """The venv a conda file describes: its python=X.Y and pip: list; other packages are noted."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    python: str | None = None
    pip: list[str] = []
    others: list[str] = []
    for dependency in data.get("dependencies") or ():
        if isinstance(dependency, dict):
            pip.extend(str(p) for p in dependency.get("pip") or ())
            continue
        name = str(dependency).split("::")[-1].strip()
        bare = name.split("=")[0].split("<")[0].split(">")[0].strip()
        if bare == "python":
            python = name[len("python") :].lstrip("=").strip() or None
        elif bare != "pip":
            others.append(name)
    notes = (
        (f"conda packages {', '.join(others)} are not installed (uv installs the pip: list only)",)
        if others
        else ()
    )
    return VenvSpec(python=python, requirements=_requirements(pip), notes=notes)


def _requirements(lines: Iterable[str]) -> tuple[str, ...]:
    kept = (line.split("#", 1)[0].strip() for line in lines)
    return tuple(sorted({line for line in kept if line}))


def _image(image: str) -> Unrealisable:
    engine = shutil.which("docker") or shutil.which("podman")
    if engine is None:
        return Unrealisable(f"image '{image}' needs a container engine and none is installed")
    reachable = subprocess.run([engine, "info"], capture_output=True, timeout=20, check=False).returncode == 0
    if not reachable:
        return Unrealisable(
            f"image '{image}' needs a container engine and {Path(engine).name} cannot reach one"
        )
    return Unrealisable(f"image '{image}': running steps in containers is not implemented yet")


def cache_root() -> Path:
    """Where built venvs live, shared by every project of this user."""
    if os.environ.get("PIPEYARD_ENV_CACHE"):
        return Path(os.environ["PIPEYARD_ENV_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pipeyard" / "envs"


def uv_command() -> str | None:
    """The uv executable: next to this Python first (the `uv` package), else on PATH."""
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.is_file() else shutil.which("uv")


def ensure_venv(spec: VenvSpec, root: Path | None = None) -> Path:
    """The venv for spec, built with uv on first use; later calls only check its marker.

    Raises ConfigError (one line: what failed, uv's last line) when it cannot be built.
    """
    folder = (root or cache_root()) / spec.content_hash
    if (folder / _READY).is_file():
        return folder
    uv = uv_command()
    if uv is None:
        raise ConfigError(
            "building step environments needs uv, which is not installed",
            hint="pip install 'pipeyard[ray]' or pip install uv; or run with --env current",
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{spec.content_hash}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another builder of the same venv: wait for it
        if (folder / _READY).is_file():
            return folder
        shutil.rmtree(folder, ignore_errors=True)  # what a killed build left
        python = spec.python or f"{sys.version_info.major}.{sys.version_info.minor}"
        _uv(uv, ["venv", "--quiet", "--python", python, str(folder)], spec)
        if spec.requirements:
            _uv(
                uv,
                ["pip", "install", "--quiet", "--python", str(folder / "bin" / "python"), *spec.requirements],
                spec,
            )
        _link_pipeyard(folder)
        (folder / _READY).write_text(json.dumps({"python": spec.python, "requirements": spec.requirements}))
    return folder


def _uv(uv: str, args: list[str], spec: VenvSpec) -> None:
    done = subprocess.run([uv, *args], capture_output=True, text=True, timeout=_BUILD_TIMEOUT_S, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or f"exit code {done.returncode}").splitlines()[-1]
        raise ConfigError(
            f"could not build the environment (python {spec.python or 'current'}, "
            f"{len(spec.requirements)} requirement(s)): uv {args[0]}: {last}"
        )


def _link_pipeyard(folder: Path) -> None:
    """Make `import pipeyard` (and yaml) work in the venv by linking just those packages."""
    links = folder / "pipeyard-link"
    links.mkdir(exist_ok=True)
    for package in (_PIPEYARD_PACKAGE, Path(yaml.__file__).parent):
        target = links / package.name
        if not target.exists():
            target.symlink_to(package, target_is_directory=True)
    purelib = subprocess.run(
        [str(folder / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "_pipeyard_link.pth").write_text(str(links) + "\n")


def venv_variables(folder: Path, path: str, spec: VenvSpec) -> dict[str, str]:
    """The variables that run a step inside the venv at folder (path: the PATH to extend)."""
    bin_dir = str(folder / "bin")
    return {
        "PATH": bin_dir + (os.pathsep + path if path else ""),
        "VIRTUAL_ENV": str(folder),
        ENV_VARIABLE: str(folder),
        SPEC_VARIABLE: json.dumps({"python": spec.python, "requirements": list(spec.requirements)}),
    }


def realised_here(env: dict[str, str]) -> dict[str, str]:
    """A step's variables with its venv built on this node when the coordinator's path is absent.

    The same uv build (cached here by the same content hash) on a node that does not share the
    coordinator's cache folder; env unchanged when the step has no venv or the folder exists.
    """
    folder = env.get(ENV_VARIABLE)
    if not folder or not env.get(SPEC_VARIABLE) or (Path(folder) / _READY).is_file():
        return env
    declared = json.loads(env[SPEC_VARIABLE])
    here = ensure_venv(VenvSpec(python=declared["python"], requirements=tuple(declared["requirements"])))
    path = env.get("PATH", "").replace(str(Path(folder) / "bin"), str(here / "bin"))
    return {**env, "PATH": path, "VIRTUAL_ENV": str(here), ENV_VARIABLE: str(here)}


def realise_environments(
    stages: Iterable[Stage], root: Path, mode: str, notify: Callable[[str], None]
) -> tuple[Stage, ...]:
    """Stages whose declared environments are realised as their mode says (see the module doc).

    A realised stage gets the venv's variables in its env; the environment stays in its
    identity as compiled (params.yaml), so nothing in dvc.lock depends on where it was built.
    Raises ConfigError in strict mode, naming the step and why.
    """
    if mode not in MODES:
        raise ConfigError(f"unknown --env mode '{mode}'", hint=f"modes are {', '.join(MODES)}")
    base_path = _pipeyard_path()
    realised = []
    for stage in stages:
        wanted = read_environment(stage.environment, root)
        if wanted is None:
            realised.append(stage)
            continue
        if mode == "current":
            notify(f"step '{stage.name}' runs in the current environment (--env current)")
            realised.append(stage)
            continue
        try:
            if isinstance(wanted, Unrealisable):
                raise ConfigError(wanted.why)
            folder = ensure_venv(wanted)
        except ConfigError as error:
            if mode == "strict":
                raise ConfigError(
                    error.message,
                    location=Location(step=stage.name),
                    hint="run with --env isolated to fall back to the current environment",
                ) from None
            notify(f"step '{stage.name}' runs in the current environment: {error.message}")
            realised.append(stage)
            continue
        for note in wanted.notes:
            notify(f"step '{stage.name}': {note}")
        realised.append(replace(stage, env={**stage.env, **venv_variables(folder, base_path, wanted)}))
    return tuple(realised)


def _pipeyard_path() -> str:
    """PATH as steps get it (pipeyard's bin first); the venv's bin goes before it."""
    bin_dir = sysconfig.get_path("scripts") or str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    return bin_dir + (os.pathsep + path if path else "")
