"""The one exception tree of pipeyard, and the exit code of each branch.

    PipeyardError                 anything pipeyard raises on purpose
    ├── UserError                 exit 2: the input is wrong; the message says how to fix it
    │   ├── DefinitionError       a pipeline or component definition is invalid
    │   │   ├── ReferenceError_   a reference names a job, port or file that does not exist
    │   │   ├── CycleError        the jobs depend on each other in a circle
    │   │   └── TypeMismatch      an output feeds an input of another type
    │   ├── ParameterError        a parameter value or override is invalid
    │   ├── ConfigError           the project configuration (pipeyard.yaml, conf/) is invalid
    │   ├── CapacityError         a step asks for more than the machine has
    │   ├── UnsupportedError      asks for something that cannot work locally (azureml: assets, URLs)
    │   └── RepositoryError       not a git/DVC repository, busy, or out of sync
    ├── StepFailed                exit 1: a user's step failed (its command, not pipeyard)
    └── InternalError             exit 3: a bug in pipeyard itself
    Interrupted                   exit 130: the user pressed Ctrl-C

User errors print as one short message without a traceback; set PIPEYARD_TRACEBACK=1 to see it.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_STEP_FAILED = 1
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, optionally a line, optionally a step."""

    file: str | None = None
    line: int | None = None
    step: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.step:
            parts.append(f"step '{self.step}'")
        return ", ".join(parts)


class PipeyardError(Exception):
    """Base of every error pipeyard raises on purpose."""

    exit_code = EXIT_USER_ERROR

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def format(self) -> str:
        """The message a person reads: where, what, and what to do next."""
        where = f"{self.location}: " if self.location and str(self.location) else ""
        text = f"{where}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()


class UserError(PipeyardError):
    """The input is wrong; the message tells the user what to change."""


class DefinitionError(UserError):
    """A pipeline or component definition is invalid."""


class ReferenceError_(DefinitionError):
    """A reference names a job, port or file that does not exist."""


class CycleError(DefinitionError):
    """Jobs depend on each other in a circle."""


class TypeMismatch(DefinitionError):
    """An output feeds an input of an incompatible type."""


class ParameterError(UserError):
    """A parameter value or a command-line override is invalid."""


class ConfigError(UserError):
    """The project configuration is invalid."""


class CapacityError(UserError):
    """A step asks for more CPUs, memory or GPUs than the machine has."""


class UnsupportedError(UserError):
    """The definition asks for something that cannot run locally."""


class RepositoryError(UserError):
    """The repository is missing, not initialised, busy, or out of sync."""


class StepFailed(PipeyardError):
    """A user's step failed: its command exited non-zero or timed out."""

    exit_code = EXIT_STEP_FAILED


class InternalError(PipeyardError):
    """A bug in pipeyard itself."""

    exit_code = EXIT_INTERNAL_ERROR


class Interrupted(Exception):
    """The run was interrupted (Ctrl-C or SIGTERM)."""

    exit_code = EXIT_INTERRUPTED


def did_you_mean(name: str, choices) -> str:
    """A ' (did you mean 'x'?)' suffix for the closest of choices, or an empty string."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def known(choices) -> str:
    """A short, sorted list of choices for an error message."""
    names = sorted(choices)
    if not names:
        return "none"
    shown = ", ".join(names[:12])
    return shown + (f", ... ({len(names)} in all)" if len(names) > 12 else "")
