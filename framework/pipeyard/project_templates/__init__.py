"""Projects made from cookiecutter templates: create them, and keep them up to date with their template.

Layer: between cli and session (like demo); it builds on session.init/load/compile_files.
Nothing here imports cookiecutter or starts git until a function is called.
"""

from .create import Created, create_project
from .merge import FileChange, MergeReport
from .render import parse_answers
from .sources import BuiltinTemplate, TemplateError, builtin_folder, builtin_templates
from .state import STATE_FILE, TemplateState, read_state
from .update import TemplateVersions, UpdateResult, check_project, diff_project, update_project

__all__ = [
    "STATE_FILE",
    "BuiltinTemplate",
    "Created",
    "FileChange",
    "MergeReport",
    "TemplateError",
    "TemplateState",
    "TemplateVersions",
    "UpdateResult",
    "builtin_folder",
    "builtin_templates",
    "check_project",
    "create_project",
    "diff_project",
    "parse_answers",
    "read_state",
    "update_project",
]
