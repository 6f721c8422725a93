"""The project's template state file, `.cruft.json`, in cruft's format.

{
  "template": "https://github.com/org/template.git",   # URL, absolute path, or builtin:<name>
  "commit": "<git sha>",             # or sha256:<hex> for a template not kept in git
  "checkout": "main",                # the branch/tag asked for, or null (default branch)
  "context": {"cookiecutter": {...answers..., "_template": "<template>", "_commit": "<commit>"}},
  "directory": null,                 # the template's folder inside the repository
  "skip": []                         # project paths (globs) that updates leave alone
}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatch
from pathlib import Path

from .sources import TemplateError

STATE_FILE = ".cruft.json"


@dataclass(frozen=True)
class TemplateState:
    """Which template (and version of it) a project was rendered from, and with what answers."""

    template: str
    commit: str | None
    checkout: str | None = None
    answers: Mapping[str, object] = field(default_factory=dict)
    directory: str | None = None
    skip: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """The state as cruft writes it (cruft also keeps the commit in the context, as _commit)."""
        context = dict(self.answers)
        if self.commit is not None:
            context["_commit"] = self.commit
        return {
            "template": self.template,
            "commit": self.commit,
            "checkout": self.checkout,
            "context": {"cookiecutter": context},
            "directory": self.directory,
            "skip": list(self.skip),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> TemplateState:
        """Read a state written by pipeyard or cruft."""
        return cls(
            template=str(data["template"]),
            commit=data.get("commit"),
            checkout=data.get("checkout"),
            answers={  # _commit is written from commit (see to_json)
                k: v for k, v in data.get("context", {}).get("cookiecutter", {}).items() if k != "_commit"
            },
            directory=data.get("directory"),
            skip=tuple(data.get("skip") or ()),
        )

    def questions_answered(self) -> dict[str, object]:
        """The answers to pass back to the template (private ``_`` keys come from the template)."""
        return {k: v for k, v in self.answers.items() if not k.startswith("_")}

    def skips(self, path: str) -> bool:
        """Whether updates leave path alone (a skip glob matches it or a folder above it)."""
        parts = path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        return any(fnmatch(prefix, pattern.rstrip("/")) for pattern in self.skip for prefix in prefixes)

    def at(self, commit: str | None, answers: Mapping[str, object], checkout: str | None) -> TemplateState:
        """This state moved to another template version."""
        return replace(self, commit=commit, answers=dict(answers), checkout=checkout)


def read_state(root: Path) -> TemplateState:
    """The state file of the project at root."""
    path = root / STATE_FILE
    if not path.is_file():
        raise TemplateError(
            f"{root} was not made from a template: it has no {STATE_FILE}",
            hint="create projects with `pipeyard new TEMPLATE`; run this in the project's root",
        )
    try:
        return TemplateState.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise TemplateError(
            f"{path} is not a valid template state file: {error}",
            hint=f"restore it with `git checkout -- {STATE_FILE}`",
        ) from error


def write_state(root: Path, state: TemplateState) -> None:
    """Write the state file (stable formatting, so git diffs stay small)."""
    (root / STATE_FILE).write_text(json.dumps(state.to_json(), indent=2) + "\n", encoding="utf-8")
