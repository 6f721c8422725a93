"""The pipeline designer of `pipeyard ui`: edit a YAML pipeline's jobs, connections, parameters
and compute on a canvas, saved as the smallest change to the file (comments kept), with
refusals that say why; Python (SDK) pipelines are shown read-only.

    yamltext     round-trip YAML: parse, change entries, print back byte for byte
    edits        the edits as values, applied to a file's text (a function of the text)
    components   the components of jobs, and the palette (local files, registries)
    graph        what the canvas draws
    document     loading a draft with pipeyard's loader; edits refused when invalid
    files        reading, saving (refused over a changed file) and committing, inside the project
    routes       the JSON API under /api/designer/
"""

from .document import Designer, Inspection
from .edits import (
    AddJob,
    Connect,
    Disconnect,
    Edit,
    RemoveJob,
    RenameJob,
    SetCompute,
    SetParameter,
    apply_edit,
    edit_from_json,
)
from .routes import designer_routes

__all__ = [
    "AddJob",
    "Connect",
    "Designer",
    "Disconnect",
    "Edit",
    "Inspection",
    "RemoveJob",
    "RenameJob",
    "SetCompute",
    "SetParameter",
    "apply_edit",
    "designer_routes",
    "edit_from_json",
]
