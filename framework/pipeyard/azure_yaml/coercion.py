"""Parameter values the way Azure ML takes them: lenient where Azure is, strict where it protects.

Azure ML sends every literal job input to the service as ``str(value)`` and parses it back by
the input's type (azure-ai-ml ``_input_output_helpers.to_rest_dataset_literal_inputs`` and
``Input._parse``). So a boolean or a number given to a ``string`` parameter arrives as the text
Python writes for it (``True``, ``1``, ``0.5``), and a number given for a ``string`` enum value
matches the enum's text; pipeyard does the same and says so in a note. Values Azure refuses
stay refused: text that is no number for ``number``/``integer``, anything but true/false for
``boolean``, and a value outside the parameter's ``enum``.
"""

from __future__ import annotations

from typing import Any

from ..errors import Location, ParameterError, TypeMismatch
from ..model import PortType
from ..model.types import coerce_parameter


def lenient_value(
    value: Any, port_type: PortType, name: str, where: Location, notes: list[str], choices: tuple = ()
) -> Any:
    """value for a parameter of port_type as Azure would pass it; a note when it changed type.

    Raises TypeMismatch at where for a value Azure refuses.
    """
    if value is None:
        return None
    converted = value
    if port_type is PortType.STRING and isinstance(value, (bool, int, float)):
        converted = str(value)
        notes.append(
            f"{where}: parameter '{name}' is a string; {value!r} is passed as "
            f"'{converted}', as Azure ML does (quote it to silence this note)"
        )
    try:
        converted = coerce_parameter(converted, port_type, name=name)
    except ParameterError as error:
        raise TypeMismatch(error.message, location=where, hint=error.hint) from None
    if choices and converted not in choices:
        raise TypeMismatch(
            f"parameter '{name}' is {converted!r}, which is not one of its enum {[str(c) for c in choices]}",
            location=where,
            hint=f"give one of: {', '.join(str(c) for c in choices)}",
        )
    return converted
