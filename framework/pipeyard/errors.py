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
    │       └── UnsafePathError   refused to delete or replace a path not proven a safe output
    ├── StepFailed                exit 1: a user's step failed (its command, not pipeyard)
    ├── CheckFailed               exit 1: a check found problems it listed (compile --check, hooks…)
    ├── InternalError             exit 3: a bug in pipeyard itself
    └── Interrupted               exit 130: Ctrl-C or SIGTERM (says how to resume; carries the
                                  run's summary when a run was under way)

User errors print as one short message without a traceback; set PIPEYARD_TRACEBACK=1 to see it.
`not_utf8` and `yaml_error_at` word the two file-reading failures every reader meets alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXIT_OK = 0
EXIT_STEP_FAILED = 1
EXIT_CHECK_FAILED = 1
EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 3
EXIT_INTERRUPTED = 130

# The one table of pipeyard's exit codes (`pipeyard --help` and docs/cli.md show it).
EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_STEP_FAILED: "a step failed, or a check found problems (it lists them)",
    EXIT_USER_ERROR: "bad input: the message says what, where and what to do next",
    EXIT_INTERNAL_ERROR: "a bug in pipeyard (PIPEYARD_TRACEBACK=1 shows the trace)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C or SIGTERM); finished steps are recorded",
}


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


class UnsafePathError(RepositoryError):
    """pipeyard refused to delete or replace a path: it is not a declared output strictly
    inside the repository (the root itself, .git, .dvc, .pipeyard, or behind a symlink)."""


class StepFailed(PipeyardError):
    """A user's step failed: its command exited non-zero or timed out."""

    exit_code = EXIT_STEP_FAILED


class CheckFailed(PipeyardError):
    """A check ran and found problems, which it has already listed (exit 1, not a user error)."""

    exit_code = EXIT_CHECK_FAILED


class InternalError(PipeyardError):
    """A bug in pipeyard itself."""

    exit_code = EXIT_INTERNAL_ERROR


class Interrupted(PipeyardError):
    """The run was interrupted (Ctrl-C or SIGTERM).

    resume is the command that continues the run (with its overrides), when there is one;
    summary is what the run had done (the runner's RunSummary) when a run was under way.
    """

    exit_code = EXIT_INTERRUPTED

    def __init__(
        self, message: str = "interrupted", *, resume: str | None = None, summary: Any = None
    ) -> None:
        super().__init__(message)
        self.resume = resume
        self.summary = summary

    def format(self) -> str:
        """The one line a person reads after Ctrl-C."""
        if self.resume:
            return f"interrupted: finished steps are recorded; resume with `{self.resume}`"
        return "interrupted: finished steps are recorded; `pipeyard run` resumes the rest"


def not_utf8(shown: str, error: UnicodeDecodeError, error_class: type[UserError] | None = None) -> UserError:
    """The error for a text file that is not UTF-8: the line and the byte that is not."""
    data = error.object if isinstance(error.object, bytes) else b""
    line = data[: error.start].count(b"\n") + 1
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    byte = data[error.start : error.start + 1].hex() if data else "?"
    return (error_class or UserError)(
        f"not UTF-8 text: byte 0x{byte} at column {column}",
        location=Location(file=shown, line=line),
        hint="save the file with UTF-8 encoding (most editors offer it under 'Save with encoding')",
    )


def yaml_error_at(error: Exception, text: str) -> tuple[int | None, int | None, str]:
    """(line, column, the problem in words) of a YAML parser's error in text; both from 1.

    An unclosed bracket, brace or quote is placed where it opens, not at the end of the file
    where the parser noticed; a tab says it is a tab ("cannot start any token", says YAML).
    """
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None) or ""
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    lines = text.splitlines()
    at_end = problem_mark is not None and problem_mark.index >= len(text.rstrip())
    if (
        at_end
        and context_mark is not None
        and context.startswith(("while parsing a flow", "while scanning a quoted"))
    ):
        line = lines[context_mark.line] if context_mark.line < len(lines) else ""
        opener = line[context_mark.column : context_mark.column + 1] or "bracket"
        return context_mark.line + 1, context_mark.column + 1, f"the {opener} opened here is never closed"
    mark = problem_mark or context_mark
    if mark is None:
        return None, None, (problem or str(error)).strip()
    line = lines[mark.line] if mark.line < len(lines) else ""
    words = (problem or context or "invalid YAML").strip()
    if "cannot start any token" in words and ("'\\t'" in words or "\t" in line):
        words = "a tab character indents this line; YAML indents with spaces only"
    return mark.line + 1, mark.column + 1, words


def unreadable_yaml(file: str, error: Exception, text: str, hint: str) -> ConfigError:
    """The one-line error for a YAML file pipeyard reads (dvc.yaml, params.yaml): a merge
    conflict said as one, with its line, else where the YAML breaks and how."""
    if "\n<<<<<<< " in f"\n{text}":
        line = f"\n{text}".split("\n<<<<<<< ")[0].count("\n") + 1
        return ConfigError(
            f"{file} has unresolved merge conflict markers",
            location=Location(file=file, line=line),
            hint=hint,
        )
    error_line, _column, words = yaml_error_at(error, text)
    return ConfigError(
        f"{file} is not valid YAML: {words}", location=Location(file=file, line=error_line), hint=hint
    )


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
