"""The pipeline model: frozen values only, no I/O; every other layer builds on it."""

from .component import Component, FunctionRef, InputPort, OutputPort, Parameter
from .pipeline import (
    Binding,
    DataPath,
    Job,
    JobOutputRef,
    Pipeline,
    PipelineInput,
    PipelineInputRef,
    PipelineOutput,
    Value,
)
from .resources import Capacity, Distribution, Resources
from .stage import Stage, StageOutput
from .types import OutputRole, PortType

__all__ = [
    "Binding",
    "Capacity",
    "Component",
    "DataPath",
    "Distribution",
    "FunctionRef",
    "InputPort",
    "Job",
    "JobOutputRef",
    "OutputPort",
    "OutputRole",
    "Parameter",
    "Pipeline",
    "PipelineInput",
    "PipelineInputRef",
    "PipelineOutput",
    "PortType",
    "Resources",
    "Stage",
    "StageOutput",
    "Value",
]
