"""Component registries: versioned components (YAML command components and Python steps)
shared between projects, found by name and version from pipelines.

Layer: above config, cache and compile (it reads the project configuration and packages
code with the code-dependency analysis), below session and cli.
"""

from __future__ import annotations

from ..config.project import ProjectConfig
from .resolve import ComponentResolver

__all__ = ["ComponentResolver", "component_resolver"]


def component_resolver(project: ProjectConfig) -> ComponentResolver:
    """The resolver of registered components for project."""
    return ComponentResolver(project)
