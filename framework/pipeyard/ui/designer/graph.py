"""What the canvas draws: jobs with their typed ports and values, and the edges between them,
as JSON-ready dicts. A YAML pipeline is read from its text (so a draft that does not load yet
still shows); a Python pipeline from its loaded model.
"""

from __future__ import annotations

from typing import Any

from ...model import Component, DataPath, JobOutputRef, Pipeline, PipelineInputRef, Value
from .components import json_value, ports_json
from .edits import Components, binding_of


def yaml_graph(data: Any, components: Components, problems: dict[str, str] | None = None) -> dict[str, Any]:
    """The graph of a parsed YAML pipeline (ruamel tree) whose job components come from components."""
    top = _mapping(data)
    jobs, edges = [], []
    for job_key, job_spec in _mapping(top.get("jobs")).items():
        name = str(job_key)
        spec = _mapping(job_spec)
        given = _mapping(spec.get("inputs"))
        component = components.of_job(name)
        node = _node(name, component, spec)
        if component is None and problems is not None and name in problems:
            node["problem"] = problems[name]
        for port in node["inputs"]:
            port["source"] = _source(given.get(port["name"]))
        for parameter in node["parameters"]:
            value = given.get(parameter["name"])
            expression = binding_of(value)
            parameter["value"] = None if expression is not None else json_value(value)
            parameter["bound"] = str(value) if expression is not None else None
        known_ports = {p["name"] for p in (*node["inputs"], *node["parameters"])}
        if component is None:  # show what the YAML binds, untyped
            for key, value in given.items():
                node["inputs"].append(
                    {"name": str(key), "type": None, "optional": True, "source": _source(value)}
                )
        elif unknown := [str(k) for k in given if str(k) not in known_ports]:
            node["problem"] = f"unknown input or parameter: {', '.join(unknown)}"
        for port in node["inputs"]:
            source = port["source"]
            if source and source.get("job"):
                edges.append(
                    {
                        "source": source["job"],
                        "output": source["output"],
                        "target": name,
                        "input": port["name"],
                        "type": port["type"],
                    }
                )
        jobs.append(node)
    inputs = _mapping(top.get("inputs"))
    return {
        "name": str(top.get("display_name") or top.get("name") or ""),
        "jobs": jobs,
        "edges": edges,
        "pipeline_inputs": [{"name": str(k), "type": _declared_type(v)} for k, v in inputs.items()],
    }


def _mapping(value: Any) -> dict[Any, Any]:
    """value when the YAML gave a mapping there, else an empty one (a draft may be half-written)."""
    return value if isinstance(value, dict) else {}


def _node(name: str, component: Component | None, spec: dict) -> dict[str, Any]:
    reference = spec.get("component")
    return {
        "name": name,
        "component": {
            "name": component.name if component else None,
            "reference": reference if isinstance(reference, str) else ("inline" if reference else None),
            "description": component.description if component else "",
        },
        "compute": str(spec["compute"]) if spec.get("compute") is not None else None,
        **ports_json(component),
    }


def _source(value: Any) -> dict[str, Any] | None:
    """Where an input's value comes from: another job's output, a pipeline input, or a path."""
    if value is None:
        return None
    expression = binding_of(value)
    if expression is not None:
        if expression.kind == "job_output":
            return {"job": expression.job, "output": expression.name}
        return {"pipeline_input": expression.name}
    if isinstance(value, dict):
        return {"path": str(value.get("path"))} if value.get("path") is not None else None
    return {"path": str(value)}


def _declared_type(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("type") or ("uri_folder" if "path" in value else "string"))
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return "number" if isinstance(value, float) else "string"


def model_graph(pipeline: Pipeline) -> dict[str, Any]:
    """The graph of a loaded pipeline (Python SDK pipelines, shown read-only)."""
    jobs, edges = [], []
    for job in pipeline.jobs:
        node = _node(job.name, job.component, {"compute": job.compute})
        node["component"]["reference"] = None
        for port in node["inputs"]:
            binding = job.inputs.get(port["name"])
            port["source"] = _model_source(binding)
            if isinstance(binding, JobOutputRef):
                edges.append(
                    {
                        "source": binding.job,
                        "output": binding.output,
                        "target": job.name,
                        "input": port["name"],
                        "type": port["type"],
                    }
                )
        for parameter in node["parameters"]:
            binding = job.parameters.get(parameter["name"])
            parameter["value"] = json_value(binding.value) if isinstance(binding, Value) else None
            parameter["bound"] = (
                f"${{{{parent.inputs.{binding.name}}}}}" if isinstance(binding, PipelineInputRef) else None
            )
        jobs.append(node)
    return {
        "name": pipeline.name,
        "jobs": jobs,
        "edges": edges,
        "pipeline_inputs": [{"name": i.name, "type": i.type.value} for i in pipeline.inputs],
    }


def _model_source(binding: Any) -> dict[str, Any] | None:
    if isinstance(binding, JobOutputRef):
        return {"job": binding.job, "output": binding.output}
    if isinstance(binding, PipelineInputRef):
        return {"pipeline_input": binding.name}
    if isinstance(binding, DataPath):
        return {"path": binding.path}
    return None
