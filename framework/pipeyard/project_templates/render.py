"""Render a cookiecutter template into a folder with cookiecutter's Python API (no replay files)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import did_you_mean
from .sources import TemplateError


@dataclass(frozen=True)
class Rendered:
    """A rendered project folder and the answers it was rendered with (incl. ``_template``)."""

    project_dir: Path
    answers: Mapping[str, object]


def parse_answers(pairs: Sequence[str]) -> dict[str, str]:
    """``key=value`` arguments as a dict of template answers."""
    answers: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or key != key.strip():
            raise TemplateError(
                f"'{pair}' is not a key=value answer",
                hint="answer template questions as name=value, e.g. project_name='My project'",
            )
        answers[key] = value
    return answers


def require_template(folder: Path, label: str) -> None:
    """Raise TemplateError unless folder is a cookiecutter template."""
    if not (folder / "cookiecutter.json").is_file():
        raise TemplateError(
            f"{label} is not a cookiecutter template: it has no cookiecutter.json",
            hint="a template holds cookiecutter.json and a folder named like {{cookiecutter.project_slug}}; "
            "use --directory if it is in a subfolder of the repository",
        )
    if not any(p.is_dir() and "cookiecutter" in p.name and "{{" in p.name for p in folder.iterdir()):
        raise TemplateError(
            f"{label} is not a cookiecutter template: no folder named like {{{{cookiecutter.project_slug}}}}",
            hint="cookiecutter renders the folder whose name is a {{cookiecutter.*}} expression",
        )


def template_questions(folder: Path) -> list[str]:
    """The names a template asks for (its cookiecutter.json keys without a leading underscore)."""
    import json

    spec = json.loads((folder / "cookiecutter.json").read_text(encoding="utf-8"))
    return [key for key in spec if not key.startswith("_")]


def render(
    folder: Path,
    output_dir: Path,
    *,
    answers: Mapping[str, object],
    no_input: bool,
    template_label: str,
    user_defaults: bool = True,
) -> Rendered:
    """Render the template at folder into output_dir/<its project folder>.

    answers override the template's defaults; with no_input nothing is asked. user_defaults
    applies the user's ~/.cookiecutterrc default_context (wanted for new projects, not when
    re-rendering recorded answers).
    """
    from cookiecutter.config import get_user_config
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_context, generate_files
    from cookiecutter.prompt import prompt_for_config

    require_template(folder, template_label)
    _check_answer_names(folder, answers, template_label)
    try:
        defaults = get_user_config()["default_context"] if user_defaults else None
        context = generate_context(
            context_file=str(folder / "cookiecutter.json"),
            default_context=defaults,
            extra_context=dict(answers),
        )
        context["_cookiecutter"] = {k: v for k, v in context["cookiecutter"].items() if not k.startswith("_")}
        context["cookiecutter"].update(prompt_for_config(context, no_input))
        context["cookiecutter"]["_template"] = template_label
        project = generate_files(repo_dir=str(folder), context=context, output_dir=str(output_dir))
    except (CookiecutterException, ValueError) as error:
        raise TemplateError(
            f"cookiecutter could not render {template_label}: {error}",
            hint="check the key=value answers against the template's cookiecutter.json",
        ) from error
    recorded = {k: v for k, v in context["cookiecutter"].items() if k not in ("_output_dir", "_repo_dir")}
    return Rendered(Path(project), recorded)


def _check_answer_names(folder: Path, answers: Mapping[str, object], label: str) -> None:
    questions = template_questions(folder)
    for key in answers:
        if not key.startswith("_") and key not in questions:
            raise TemplateError(
                f"{label} asks no question '{key}'{did_you_mean(key, questions)}",
                hint=f"it asks: {', '.join(questions) or 'nothing'}",
            )
