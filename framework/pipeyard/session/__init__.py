"""One project on disk: load the pipeline, resolve parameters, compile, then plan or run.

This is the layer the CLI talks to. It owns no logic of its own beyond putting the layers
below it together in the right order and holding the repository's run lock while it runs.

    _project     where the project is; RunOptions, Loaded, StepStatus
    _load        load: definitions -> parameters (recorded overrides) -> stages
    _files       compile_files, out_of_sync: dvc.yaml, params.yaml
    _status      status: what a run would do, and why
    _run         run: locks, executor (injected or from the registry), scheduler, record
    _repository  init, and the check that DVC is set up

Every command imports this package, `pipeyard --version` too, and loading the layers below
(compile, Hydra, the registries, the runner) costs about 100 ms: the values of `_project`
load at once, the functions of the other modules on first use (PEP 562).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._project import SWEEPS_DIR, Loaded, RunExecutorFactory, RunOptions, StepStatus, find_root

if TYPE_CHECKING:
    from ._files import compile_files, out_of_sync
    from ._load import load
    from ._repository import init
    from ._run import executor_spec, run, run_capacity, step_environment
    from ._status import status

_MODULE_OF = {
    "load": "_load",
    "compile_files": "_files",
    "out_of_sync": "_files",
    "status": "_status",
    "run": "_run",
    "run_capacity": "_run",
    "executor_spec": "_run",
    "step_environment": "_run",
    "init": "_repository",
}

__all__ = [
    "SWEEPS_DIR",
    "Loaded",
    "RunExecutorFactory",
    "RunOptions",
    "StepStatus",
    "compile_files",
    "executor_spec",
    "find_root",
    "init",
    "load",
    "out_of_sync",
    "run",
    "run_capacity",
    "status",
    "step_environment",
]


def __getattr__(name: str) -> Any:
    """Load a session function from its module on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
