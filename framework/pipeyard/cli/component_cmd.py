"""CLI commands: `pipeyard component register|list|show|update|init`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ..azure_yaml import load_component_yaml
from ..config.project import load_project_config
from ..registry.from_script import component_from_script
from ..registry.manifest import ports_of
from ..registry.package import stage_component
from ..registry.references import parse_reference, version_key
from ..registry.registries import ProjectRegistries, remove, staging_folder
from ..registry.store import Entry, read_manifest
from ..session import find_root
from ._output import err, out
from .options import json_option


def _registries() -> ProjectRegistries:
    return ProjectRegistries(load_project_config(find_root()))


def _print_notes(registries: ProjectRegistries) -> None:
    for note in registries.notes:
        err.print(f"note: {note}", style="yellow", markup=False, emoji=False)


@click.group()
def component() -> None:
    """Share versioned components through registries (folders or git repositories).

    \b
    Configure registries in pipeyard.yaml:
      registries:
        - {name: team, path: ../registry}
        - {name: shared, git: https://host/registry.git, ref: main}
    then register and use them by name:
      pipeyard component register components/train.yml --version 3
      jobs: {train: {component: azureml:train:3}}     # in pipeline.yml
    """


@component.command(name="register")
@click.argument("target", metavar="PATH")
@click.option(
    "-r", "--registry", default=None, metavar="NAME", help="Registry to add it to (default: the only one)."
)
@click.option(
    "-v",
    "--version",
    "version",
    default=None,
    metavar="V",
    help="Version to register (default: the component's own).",
)
@click.option("--push", is_flag=True, help="Git registries: push the new commit to the remote.")
def register_(target: str, registry: str | None, version: str | None, push: bool) -> None:
    """Validate a component and add it to a registry under its name and version.

    PATH is a YAML command component (its code folder is copied with it) or a Python step,
    steps/train.py:train (its module and the local modules it imports). Versions never
    change: registering other content under an existing version is refused.
    """
    registries = _registries()
    staging = staging_folder()
    try:
        staged = stage_component(target, registries.root, version, staging)
        done = registries.register(staged, registry, push=push)
    finally:
        remove(staging)
    what = f"{done.name}:{done.version}"
    if not done.added:
        out.print(
            f"{what} is already in registry '{done.registry}' with the same content; nothing to do",
            markup=False,
            emoji=False,
        )
        return
    out.print(f"registered {what} in registry '{done.registry}'", markup=False, emoji=False)
    if done.commit:
        out.print(f"committed {done.commit[:12]} in the registry's clone", markup=False, emoji=False)
        if done.pushed:
            out.print(
                f"pushed; projects see it after `pipeyard component update {done.registry}`",
                markup=False,
                emoji=False,
            )
        else:
            err.print(f"push it with: {done.push_command}", markup=False, emoji=False)
    out.print(
        f"use it in a pipeline: component: azureml:{done.name}:{done.version}", markup=False, emoji=False
    )


@component.command(name="list")
@json_option
def list_(as_json: bool) -> None:
    """List registered components: name, versions and registry."""
    registries = _registries()
    rows = []
    for opened in registries.all():
        by_name: dict[str, list[Entry]] = {}
        for entry in opened.folder.entries():
            by_name.setdefault(entry.name, []).append(entry)
        for name, entries in sorted(by_name.items()):
            entries.sort(key=lambda e: version_key(e.version))
            rows.append(
                {
                    "name": name,
                    "versions": [e.version for e in entries],
                    "registry": opened.spec.name,
                    "kind": entries[-1].kind,
                    "description": entries[-1].description,
                }
            )
    _print_notes(registries)
    if as_json:
        print(json.dumps({"components": rows}, indent=2))
        return
    if not rows:
        out.print(
            "no components registered yet; add one with `pipeyard component register PATH`",
            markup=False,
            emoji=False,
        )
        return
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        versions = ", ".join(row["versions"])
        out.print(
            f"{row['name']:<{width}}  {versions:<16} {row['registry']:<10} {row['kind']:<8} {row['description']}".rstrip(),
            markup=False,
            emoji=False,
        )


@component.command()
@click.argument("reference", metavar="NAME[:VERSION]")
@click.option("--json", "as_json", is_flag=True, help="Print the component's manifest as JSON.")
def show(reference: str, as_json: bool) -> None:
    """Show a registered component: inputs, outputs and parameters, command, where it lives."""
    registries = _registries()
    opened, entry = registries.find(parse_reference(reference))
    folder = opened.folder.folder(entry)
    manifest = read_manifest(folder)
    _print_notes(registries)
    if as_json:
        print(
            json.dumps(
                {
                    **manifest,
                    "registry": opened.spec.name,
                    "path": str(folder),
                    "hash": entry.hash,
                    "commit": opened.commit,
                },
                indent=2,
                default=str,
            )
        )
        return
    versions = ", ".join(sorted(opened.folder.versions(entry.name), key=version_key))
    out.print(
        f"{entry.name}:{entry.version}  ({entry.kind}; versions: {versions})", markup=False, emoji=False
    )
    if manifest.get("description"):
        out.print(f"  {manifest['description']}", markup=False, emoji=False)
    pin = f" at commit {opened.commit[:12]}" if opened.commit else ""
    out.print(f"registry: {opened.spec.name}{pin}  ({os.path.relpath(folder)})", markup=False, emoji=False)
    ports = ports_of(manifest)
    if ports:
        width = max(len(p.name) for p in ports)
        for kind in ("input", "parameter", "output"):
            chosen = [p for p in ports if p.kind == kind]
            if chosen:
                out.print(f"{kind}s:", markup=False, emoji=False)
            for port in chosen:
                out.print(
                    f"  {port.name:<{width}}  {port.type:<10} {port.details}".rstrip(),
                    markup=False,
                    emoji=False,
                )
    if manifest.get("command"):
        out.print(f"command: {manifest['command']}", markup=False, emoji=False)
    else:
        out.print(f"function: {manifest.get('module')}:{manifest.get('function')}", markup=False, emoji=False)
    out.print(f"use it: component: azureml:{entry.name}:{entry.version}", markup=False, emoji=False)


@component.command()
@click.argument("names", nargs=-1, metavar="[REGISTRY]...")
def update(names: tuple[str, ...]) -> None:
    """Move the pins of git registries (pipeyard.lock.yaml) to the tip of their refs."""
    registries = _registries()
    moved = registries.update(list(names) or None)
    if not moved:
        out.print("no git registries to update", markup=False, emoji=False)
    for name, old, new in moved:
        if old == new:
            out.print(f"{name}: already at {new[:12]}", markup=False, emoji=False)
        else:
            out.print(f"{name}: {old[:12] if old else '(unpinned)'} -> {new[:12]}", markup=False, emoji=False)
    if any(old != new for _, old, new in moved):
        out.print(
            "commit pipeyard.lock.yaml; pipelines that name @latest now resolve against the new commits",
            markup=False,
            emoji=False,
        )


@component.command()
@click.argument("script", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Component file to write (default: components/<script name>.yml).",
)
@click.option("--name", default=None, help="Component name (default: the script's name).")
@click.option("--force", is_flag=True, help="Overwrite the output file when it exists.")
def init(script: Path, output: Path | None, name: str | None, force: bool) -> None:
    """Write an Azure ML command component for an argparse script (read, never run).

    It guesses each argument's kind and type; review the file, then use it in a pipeline
    (component: ./components/train.yml) or register it.
    """
    output = output or Path("components") / f"{script.stem}.yml"
    if output.exists() and not force:
        raise click.UsageError(f"{output} exists; choose another with -o, or overwrite it with --force")
    made = component_from_script(script, output, name)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(made.text, encoding="utf-8")
    root = find_root(output.parent.resolve())
    load_component_yaml(output.resolve(), root)  # what was written must load
    out.print(f"wrote {output} (component '{made.name}'); guessed:", markup=False, emoji=False)
    width = max((len(g.flag) for g in made.guesses), default=0)
    for guess in made.guesses:
        details = f"{guess.kind} '{guess.name}' ({guess.type}"
        details += (
            f", default {guess.default!r}" if guess.default is not None and guess.kind == "parameter" else ""
        )
        details += ", optional" if guess.optional else ""
        out.print(f"  {guess.flag:<{width}}  -> {details})", markup=False, emoji=False)
    review = [f"{g.flag}: {g.review}" for g in made.guesses if g.review] + list(made.notes)
    review.append("the kinds and types above (data inputs, outputs, parameters), and add an environment")
    err.print("review:", markup=False, emoji=False)
    for line in review:
        err.print(f"  - {line}", markup=False, emoji=False)
