"""Continuous integration: GitHub Actions workflows that run the pipeline one job per step.

Artifacts move between jobs only through the DVC remote: each job pulls the outputs it
reads, runs its steps with pipeyard's runner, and pushes its outputs and run-cache entries;
a last job rebuilds dvc.lock from the run-cache, records the run and reports on the PR.
"""

from .files import CheckResult, check, generate_files, workflow_options, write_files
from .github import (
    PORTABLE_STEP_PREFIX,
    SETUP_ACTION_PATH,
    WORKFLOW_PATH,
    GeneratedFiles,
    WorkflowOptions,
    generate,
)
from .jobs import CiJob, check_job_graph, plan_jobs, runner_labels
from .remote import Pulled, pull, resolve_entries

__all__ = [
    "PORTABLE_STEP_PREFIX",
    "SETUP_ACTION_PATH",
    "WORKFLOW_PATH",
    "CheckResult",
    "CiJob",
    "GeneratedFiles",
    "Pulled",
    "WorkflowOptions",
    "check",
    "check_job_graph",
    "generate",
    "generate_files",
    "plan_jobs",
    "pull",
    "resolve_entries",
    "runner_labels",
    "workflow_options",
    "write_files",
]
