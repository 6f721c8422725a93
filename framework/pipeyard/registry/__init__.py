"""Component registries: versioned components (YAML command components and Python steps)
shared between projects, found by name and version from pipelines.

Layer: above config, cache and compile (it reads the project configuration and packages
code with the code-dependency analysis), below session and cli. Importing this package is
cheap; the modules load what they need when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .resolve import ComponentResolver

__all__ = ["ComponentResolver", "component_resolver"]


def component_resolver(project) -> ComponentResolver:
    """The resolver of registered components for project (a config.project.ProjectConfig)."""
    from .resolve import ComponentResolver

    return ComponentResolver(project)
