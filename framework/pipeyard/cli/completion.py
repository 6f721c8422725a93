"""Shell completion of step names (``--force``) and override keys (``train.lr=``, ``train=large``).

Click answers the shell's completion requests itself (``_PIPEYARD_COMPLETE=bash_source
pipeyard`` prints the script; docs/completion.md says how to install it). These functions
give it the project's words: they read the pipeline and conf/ of the project the shell is in,
and offer nothing (never an error) where the project cannot be read.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from ..config.project import load_project_config
from ..errors import PipeyardError
from ..loading import find_pipeline_file, load_pipeline
from ..model import Pipeline
from ..session import find_root

INPUTS_KEY = "inputs"


def complete_steps(
    ctx: click.Context | None, param: click.Parameter | None, incomplete: str
) -> list[CompletionItem]:
    """The steps of the pipeline whose names start with incomplete."""
    pipeline = _pipeline(ctx)
    names = pipeline.job_names if pipeline is not None else ()
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def complete_overrides(
    ctx: click.Context | None, param: click.Parameter | None, incomplete: str
) -> list[CompletionItem]:
    """Override words: ``step.param=`` for each parameter, ``step=option`` for each conf/ group
    option, ``inputs.name=`` for pipeline parameters; a leading ``+``, ``++`` or ``~`` is kept."""
    pipeline = _pipeline(ctx)
    if pipeline is None:
        return []
    earlier = tuple(ctx.params.get(param.name) or ()) if ctx is not None and param is not None else ()
    # bash splits words at '=' (COMP_WORDBREAKS): `train=la` arrives as train, =, la and
    # `train=` as train, = (which click passes on as an empty word): complete the value alone
    after_equals = _bash_current_word() == "="
    if (len(earlier) >= 2 and earlier[-1] == "=") or (after_equals and earlier):
        key = earlier[-1 if after_equals else -2].lstrip("+~")
        values = [
            w[len(key) + 1 :] for w in override_words(pipeline, _conf_dir(ctx)) if w.startswith(f"{key}=")
        ]
        lead = "=" if after_equals else ""
        return [CompletionItem(lead + value) for value in values if value and value.startswith(incomplete)]
    prefix = incomplete[: len(incomplete) - len(incomplete.lstrip("+~"))]
    words = [prefix + word for word in override_words(pipeline, _conf_dir(ctx), deleting="~" in prefix)]
    return [CompletionItem(word) for word in words if word.startswith(incomplete)]


def override_words(pipeline: Pipeline, conf_dir: Path | None, *, deleting: bool = False) -> list[str]:
    """Every key a user may override in pipeline (``train.lr=``), and each group option
    (``train=large``); without the ``=`` when deleting (``~train.lr``)."""
    equals = "" if deleting else "="
    words = [f"{INPUTS_KEY}.{i.name}{equals}" for i in pipeline.inputs if not i.type.is_artifact]
    for job in pipeline.jobs:
        words += [f"{job.name}.{p.name}{equals}" for p in job.component.parameters]
        folder = conf_dir / job.name if conf_dir is not None else None
        if folder is not None and folder.is_dir():
            options = sorted({p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml")})
            words += [job.name] if deleting else [f"{job.name}={option}" for option in options]
    return words


def _bash_current_word() -> str | None:
    """The word under the cursor as bash split it (its completion script sets these), else None."""
    words = os.environ.get("COMP_WORDS", "").split()
    try:
        return words[int(os.environ.get("COMP_CWORD", ""))]
    except (ValueError, IndexError):
        return None


def _pipeline(ctx: click.Context | None) -> Pipeline | None:
    """The project's pipeline (the -p/--pipeline given so far), or None when it cannot be read."""
    try:
        root = find_root()
        path = find_pipeline_file(root, ctx.params.get("pipeline") if ctx is not None else None)
        return load_pipeline(path, root)
    except Exception:  # noqa: BLE001  # a pipeline.py runs user code: whatever it raises, complete nothing
        return None


def _conf_dir(ctx: click.Context | None) -> Path | None:
    try:
        return load_project_config(find_root()).conf_dir
    except (PipeyardError, OSError, ValueError):
        return None
