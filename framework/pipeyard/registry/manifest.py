"""The manifest of a registered version: what it is and its interface, readable without
running or even parsing its code (``pipeyard component show`` reads only this)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Component

KIND_COMMAND = "command"
KIND_PYTHON = "python"


def manifest_of(
    component: Component, *, version: str, kind: str, definition: str | None = None, module: str | None = None
) -> dict[str, Any]:
    """The manifest of component registered at version; definition is its YAML file (command)
    or module + the function's name (python), relative to the version folder."""
    data: dict[str, Any] = {"name": component.name, "version": version, "kind": kind}
    if component.description:
        data["description"] = component.description
    if kind == KIND_COMMAND:
        data["definition"] = definition
        data["command"] = component.command
    else:
        data["module"] = module
        data["function"] = component.function.qualname if component.function else component.name
    data["inputs"] = {
        p.name: _compact({"type": p.type.value, "optional": p.optional, "description": p.description})
        for p in component.inputs
    }
    data["parameters"] = {
        p.name: _compact(
            {
                "type": p.type.value,
                "default": p.default,
                "optional": p.optional,
                "enum": list(p.choices),
                "description": p.description,
            }
        )
        for p in component.parameters
    }
    data["outputs"] = {
        o.name: _compact(
            {
                "type": o.type.value,
                "dvc": o.role.value if o.role.value != "outs" else None,
                "description": o.description,
            }
        )
        for o in component.outputs
    }
    return data


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    """fields without the empty ones (None, optional false, no description, no enum)."""
    return {
        k: v
        for k, v in fields.items()
        if v is not None
        and not (k == "optional" and v is False)
        and not (k in ("description", "enum") and not v)
    }


@dataclass(frozen=True)
class Port:
    """One line of ``pipeyard component show``: a port's kind, name, type and details."""

    kind: str  # input | parameter | output
    name: str
    type: str
    details: str


def ports_of(manifest: dict[str, Any]) -> list[Port]:
    """The inputs, parameters and outputs a manifest declares, ready to print."""
    ports = []
    for kind, key in (("input", "inputs"), ("parameter", "parameters"), ("output", "outputs")):
        for name, info in (manifest.get(key) or {}).items():
            info = info or {}
            details = []
            if "default" in info:
                details.append(f"default {info['default']!r}")
            elif kind == "parameter" and not info.get("optional"):
                details.append("required")
            if info.get("optional"):
                details.append("optional")
            if info.get("enum"):
                details.append("one of " + ", ".join(map(str, info["enum"])))
            if info.get("dvc"):
                details.append(f"dvc {info['dvc']}")
            if info.get("description"):
                details.append(str(info["description"]))
            ports.append(Port(kind, str(name), str(info.get("type", "")), "; ".join(details)))
    return ports
