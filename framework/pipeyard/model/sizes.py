"""Sizes written the way people write them: ``4GB``, ``512MB``, ``1.5GiB``, ``10kb``, ``7b``.

The one size rule of pipeyard. Units are binary (1KB = 1024 bytes, 1GB = 1024 MB), the case
and a trailing ``b``/``ib`` do not matter (``4g`` = ``4GB`` = ``4GiB``), and what a bare number
counts is the caller's choice: bytes for a size limit, megabytes for memory, items for a
mini-batch. Every caller refuses text that is not a size with the same words (`SizeError`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIB = 1024 * 1024
BYTES_PER_UNIT = {"b": 1, "k": 1024, "m": MIB, "g": 1024 * MIB, "t": 1024 * 1024 * MIB}
SIZE_EXAMPLES = "4GB, 512MB or 1.5GiB"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b|i)?|(b))?\s*$", re.IGNORECASE)


class SizeError(ValueError):
    """Text that is not a size (a ValueError, so pydantic and click report it as a bad value)."""


@dataclass(frozen=True)
class Size:
    """A size as written: its number and unit ("b", "k", "m", "g" or "t"; None for a bare number)."""

    number: float
    unit: str | None = None

    def in_bytes(self, bare_unit: str = "b") -> int:
        """The size in bytes; a bare number counts in bare_unit (a key of BYTES_PER_UNIT)."""
        return int(self.number * BYTES_PER_UNIT[self.unit or bare_unit])


def read_size(text: str) -> Size:
    """The Size that text writes; SizeError when it is none."""
    match = _SIZE.match(str(text))
    if not match:
        raise SizeError(f"'{text}' is not a size like {SIZE_EXAMPLES}")
    unit = match.group(2) or match.group(3)
    return Size(float(match.group(1)), unit.lower() if unit else None)


def parse_memory_mb(value: str | int | float) -> int:
    """Megabytes from a size such as ``4GB``, ``512MB``, ``1.5GiB`` or a bare number of MB."""
    if isinstance(value, bool):
        raise SizeError(f"'{value}' is not a size like {SIZE_EXAMPLES}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise SizeError(f"a size must not be negative, got {value}")
        return int(value)
    return read_size(value).in_bytes(bare_unit="m") // MIB
