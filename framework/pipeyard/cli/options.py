"""The options several commands share, and option types that refuse a bad value in one line.

click's own range types say "0 is not in the range x>=1"; these say what the option takes,
with an example, and use the same size and GPU-id rules as pipeyard.yaml.
"""

from __future__ import annotations

import re
from typing import Any

import click

from ..model.sizes import parse_memory_mb
from .completion import complete_overrides

pipeline_option = click.option(
    "-p",
    "--pipeline",
    default=None,
    metavar="FILE",
    help="Pipeline file (default: pipeline.yml, pipeline.yaml or pipeline.py in the project root).",
)
overrides_argument = click.argument(
    "overrides", nargs=-1, metavar="[OVERRIDES]...", shell_complete=complete_overrides
)
reset_params_option = click.option(
    "--reset-params",
    is_flag=True,
    help="Forget the overrides params.yaml keeps from earlier runs (and values edited there); start from conf/.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")

# CUDA_VISIBLE_DEVICES takes indexes, or the GPU-/MIG- UUIDs that nvidia-smi -L prints.
_GPU_ID = re.compile(r"^(\d+|(GPU|MIG)-[0-9A-Za-z/-]+)$")


class WholeNumber(click.ParamType):
    """A whole number no smaller than minimum, e.g. ``--jobs 4``."""

    name = "integer"

    def __init__(self, minimum: int, what: str) -> None:
        self.minimum = minimum
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """The number, or a usage error that says what the option takes."""
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                number = None
        if number is None or number < self.minimum:
            self.fail(
                f"takes a whole number of {self.what}, {self.minimum} or more, got {value!r}",
                param,
                ctx,
            )
        return number


class PositiveNumber(click.ParamType):
    """A number above zero, e.g. ``--cpus 2`` or ``--cpus 0.5``."""

    name = "number"

    def __init__(self, what: str) -> None:
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        """The number, or a usage error that says what the option takes."""
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not number > 0 or number == float("inf"):
            self.fail(f"takes a positive number of {self.what}, e.g. 2 or 0.5, got {value!r}", param, ctx)
        return number


class Size(click.ParamType):
    """A memory size in megabytes, written like ``16GB``, ``512MB`` or a bare number of MB."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Megabytes, by the rule pipeyard.yaml uses (`model.sizes`), or a usage error."""
        if isinstance(value, int):
            return value
        try:
            return parse_memory_mb(value.strip())
        except ValueError:
            self.fail(f"takes a size like 16GB, 512MB or 1.5GiB, got {value!r}", param, ctx)


class GpuIds(click.ParamType):
    """GPU device ids separated by commas (``0,1``), or ``none`` for a machine without GPUs."""

    name = "ids"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, ...]:
        """The ids, () for none, or a usage error naming the id that is not one."""
        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        if text.lower() in ("", "none"):
            return ()
        ids = tuple(part.strip() for part in text.split(",") if part.strip())
        for gpu in ids:
            if not _GPU_ID.match(gpu):
                self.fail(
                    f"{gpu!r} is not a GPU id; give device indexes like 0,1 (as nvidia-smi "
                    "numbers them), GPU-/MIG- UUIDs, or 'none'",
                    param,
                    ctx,
                )
        if len(set(ids)) != len(ids):
            twice = next(gpu for gpu in ids if ids.count(gpu) > 1)
            self.fail(f"lists GPU {twice!r} twice; list each device once", param, ctx)
        return ids
