"""Pipeline + parameters -> stages, dvc.yaml and params.yaml; code-dependency analysis."""

from .dvcfiles import out_of_sync, render_dvc_yaml, render_params_yaml, write_dvc_files
from .stages import CompiledPipeline, compile_pipeline

__all__ = [
    "CompiledPipeline",
    "compile_pipeline",
    "out_of_sync",
    "render_dvc_yaml",
    "render_params_yaml",
    "write_dvc_files",
]
