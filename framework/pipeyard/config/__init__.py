"""Project configuration (pipeyard.yaml) and the parameter tree composed with Hydra.

Hydra is imported only when a conf/ folder or an override needs it.
"""

from .params import ResolvedParams, base_tree, resolve_parameters
from .project import CapacitySpec, ProjectConfig, load_project_config

__all__ = [
    "CapacitySpec",
    "ProjectConfig",
    "ResolvedParams",
    "base_tree",
    "load_project_config",
    "resolve_parameters",
]
