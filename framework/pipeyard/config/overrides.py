"""Override rules that hold in every mode (`run`, `run -m`, `status`, `--cfg`): one place each.

* ``hydra.*`` and ``hydra/...`` overrides set Hydra itself (its run folder, logging,
  launcher). pipeyard composes ``conf/`` with Hydra's compose API and runs no Hydra job, so
  such a setting would do nothing; it is refused with one line, the same in a sweep.
* ``+group=option`` is Hydra's way to add a config group that the defaults list does not
  name. pipeyard already gives each step's ``conf/<step>/`` folder an empty place in the
  defaults list (so ``train=large`` works without ``+``); ``+train=large`` selects that place
  instead of adding a second one, so both forms work as they do in a plain Hydra app.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..errors import ParameterError

HYDRA_HINT = (
    "leave out hydra.* overrides: pipeyard composes conf/ with Hydra's compose API and runs no "
    "Hydra job, so Hydra's own settings (run folder, logging, launcher) have no effect"
)


def is_hydra_setting(override: str) -> bool:
    """True when override sets Hydra itself (hydra.verbose=true, hydra/job_logging=none)."""
    key = override.strip().lstrip("+~").split("=", 1)[0].strip()
    return key == "hydra" or key.startswith(("hydra.", "hydra/"))


def refuse_hydra_settings(overrides: Sequence[str]) -> None:
    """Raise ParameterError naming the first override that sets Hydra itself."""
    for override in overrides:
        if is_hydra_setting(override):
            raise ParameterError(
                f"override '{override}' sets Hydra itself; pipeyard overrides set step parameters",
                hint=HYDRA_HINT,
            )


def select_placeholders(overrides: Sequence[str], placeholders: Collection[str]) -> list[str]:
    """overrides with ``+group=option`` written ``group=option`` where pipeyard holds group's place.

    placeholders are the config groups pipeyard added to the defaults list (``<step>: null``);
    a group the user's config.yaml names keeps Hydra's answer to ``+`` (an error).
    """
    rewritten = []
    for override in overrides:
        text = override.strip()
        if text.startswith("+") and not text.startswith("++"):
            key, equals, _ = text[1:].partition("=")
            if equals and key.strip() in placeholders:
                text = text[1:]
        rewritten.append(text if text != override.strip() else override)
    return rewritten
