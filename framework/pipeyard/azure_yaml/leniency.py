"""What Azure ML accepts that means nothing locally: ``mode`` of inputs and outputs, and the
job keys that only the cloud acts on (``identity``, ``services``, ``settings.continue_on_step_failure``).

Modes, as azure-ai-ml 1.35's schemas allow them.

Job inputs (``DataInputSchema``, ``MLTableInputSchema``, ``ModelInputSchema``): ``ro_mount``,
``download``, ``direct``, and for tables ``eval_mount`` / ``eval_download``; job and pipeline
outputs (``OutputSchema``): ``rw_mount``, ``mount``, ``upload``, ``direct``; component ports
(``InputPortSchema`` / ``OutputPortSchema``): any of those, or ``link``. Locally every input is
read and every output written in place, so an allowed mode changes nothing; any other value is
refused, as Azure refuses it.
"""

from __future__ import annotations

from typing import Any

from ..errors import DefinitionError, Location, did_you_mean
from .yamlfile import SourceFile, line_of

INPUT_MODES = ("ro_mount", "download", "direct", "eval_mount", "eval_download")
OUTPUT_MODES = ("rw_mount", "mount", "upload", "direct")
PORT_MODES = (*INPUT_MODES, "rw_mount", "mount", "upload", "link")


def check_mode(value: Any, allowed: tuple[str, ...], what: str, where: Location) -> None:
    """Refuse a ``mode`` of value (a port or binding mapping) that Azure ML does not allow there."""
    if not isinstance(value, dict) or value.get("mode") is None:
        return
    mode = str(value["mode"])
    if mode not in allowed:
        raise DefinitionError(
            f"{what} has mode '{mode}'{did_you_mean(mode, allowed)}, which Azure ML refuses",
            location=where,
            hint=f"modes allowed there: {', '.join(allowed)}",
        )


CLOUD_ONLY = {
    "identity": "the identity Azure ML runs the job as; a local run has your own access",
    "services": "Azure ML's interactive endpoints (SSH, JupyterLab, TensorBoard, VS Code) on the compute",
}


def note_cloud_only(spec: Any, source: SourceFile, step: str | None, notes: list[str]) -> None:
    """A note for each key of a job that only Azure ML acts on (accepted, ignored here)."""
    if not isinstance(spec, dict):
        return
    for key, meaning in CLOUD_ONLY.items():
        if spec.get(key) is not None:
            notes.append(f"{source.at(line_of(spec, key), step)}: {key} ({meaning}) is ignored locally")
