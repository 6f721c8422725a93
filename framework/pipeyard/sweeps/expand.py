"""Sweep overrides in Hydra's grammar -> the points of a sweep, each a list of plain overrides.

    train.lr=0.1,0.01            a comma list
    train.depth=range(1,5)       1, 2, 3, 4 (range(start, stop[, step]), floats too)
    train.opt=choice(adam,sgd)   the same as a comma list
    train=glob(*)                every option of the config group conf/train/ (glob(*,exclude=x))
    train.lr=0.1                 a plain override: the same in every point

Parsing is Hydra's own (`OverridesParser`), and the points are the cartesian product of the
swept values in the order the overrides were given, as Hydra's BasicSweeper builds them. No
Hydra global state is touched. `interval(...)` is continuous and is refused.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config.hydra_errors import override_problem
from ..config.overrides import refuse_hydra_settings
from ..errors import ParameterError

if TYPE_CHECKING:
    from hydra.core.object_type import ObjectType

_GRAMMAR_HINT = (
    "sweep values look like train.lr=0.1,0.01 or train.depth=range(1,5) or "
    "train.opt=choice(adam,sgd) or train=glob(*); quote a string holding commas: key='a,b'"
)


@dataclass(frozen=True)
class SweepPoint:
    """One point of a sweep: its number (from 1) and the plain overrides that make it.

    swept holds (key, value) for each key that takes several values in the sweep, in the
    order the overrides were given; these are the parameter columns of the sweep's table.
    """

    number: int
    overrides: tuple[str, ...]
    swept: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """The swept values as one short text, e.g. 'train.lr=0.1 train.depth=3'."""
        return " ".join(f"{key}={value}" for key, value in self.swept) or "(no swept values)"


def expand_sweep(overrides: Sequence[str], conf_dir: Path | None = None) -> tuple[SweepPoint, ...]:
    """Every point of the sweep the overrides describe; conf_dir lists options for glob(...).

    Raises ParameterError for an override that does not parse, an interval(...) sweep, a
    Hydra setting (hydra.*), a glob over a missing config group, or a sweep without points.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    # Hydra asks for a whole ConfigLoader; glob(...), the one caller, needs get_group_options only
    parser = OverridesParser.create(config_loader=_ConfigGroups(conf_dir))  # type: ignore[arg-type]
    choices: dict[str, list[str]] = {}
    for text in overrides:
        try:
            (override,) = parser.parse_overrides([text])
        except HydraException as exc:
            problem = override_problem(text)
            if problem is not None:
                raise ParameterError(problem[0], hint=problem[1]) from None
            raise ParameterError(f"bad override '{text}': {_first_line(exc)}", hint=_GRAMMAR_HINT) from None
        key = override.get_key_element()
        if not override.key_or_group:
            raise ParameterError(f"bad override '{text}': it names no key", hint=_GRAMMAR_HINT)
        if override.is_hydra_override():
            refuse_hydra_settings([text])  # the same answer as a single run gives
        if override.is_interval_sweep():
            raise ParameterError(
                f"'{text}' is a continuous interval; a sweep needs values it can list",
                hint=f"list the values: {key}=range(start,stop,step) or {key}=0.1,0.01,0.001",
            )
        if override.is_sweep_override():
            try:
                values = [f"{key}={value}" for value in override.sweep_string_iterator()]
            except HydraException as exc:
                raise ParameterError(
                    f"cannot list the values of '{text}': {_first_line(exc)}", hint=_GRAMMAR_HINT
                ) from None
            if not values:
                raise ParameterError(f"'{text}' gives no values", hint=_GRAMMAR_HINT)
        else:
            values = [text]
        choices[key] = values  # a key given twice: the last one wins, as in Hydra
    return tuple(
        SweepPoint(number, tuple(combination), _swept(combination, choices))
        for number, combination in enumerate(itertools.product(*choices.values()), start=1)
    )


def _swept(combination: Sequence[str], choices: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for override, (key, values) in zip(combination, choices.items(), strict=True):
        if len(values) > 1:
            pairs.append((key, override.split("=", 1)[1]))
    return tuple(pairs)


def _first_line(exc: Exception) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip() and "hydra.cc" not in ln]
    return " ".join(lines[-2:]) if lines else type(exc).__name__


class _ConfigGroups:
    """What glob(...) needs of Hydra's ConfigLoader: the options of a config group in conf/."""

    def __init__(self, conf_dir: Path | None) -> None:
        self.conf_dir = Path(conf_dir) if conf_dir is not None else None

    def get_group_options(
        self,
        group_name: str,
        results_filter: ObjectType | None = None,
        config_name: str | None = None,
        overrides: list[str] | None = None,
    ) -> list[str]:
        """The names of conf/<group>/*.yaml, sorted; a missing group is a ParameterError."""
        folder = self.conf_dir / group_name if self.conf_dir is not None else None
        if folder is None or not folder.is_dir():
            where = f"{folder}" if folder is not None else f"conf/{group_name}/ (the project has no conf/)"
            raise ParameterError(
                f"glob(...) lists the options of config group '{group_name}', but {where} does not exist",
                hint="glob selects config group files, e.g. train=glob(*) over conf/train/*.yaml",
            )
        return sorted({p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml")})
