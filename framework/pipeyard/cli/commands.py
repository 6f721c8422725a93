"""The table of pipeyard's commands, the group that imports each command's module on use, and
the exit codes as help text (from errors.EXIT_CODES).

A command's module imports what it needs at its top (the session, the runner, history,
sweeps, registries, templates). Importing them all at start-up would make every command,
and `pipeyard --version`, pay for all of them, so the `pipeyard` group knows its commands by
name only: COMMANDS maps each to "module:attribute", and the module is imported when that
command runs or its help is shown. Two branches of `pipeyard run` load the same way
(RUN_SWEEP, RUN_AT_REV): the sweep machinery (30-40 ms: psutil and eleven modules) and
history (~15 ms) would otherwise slow every plain run; so does the clean-up of killed sweeps
that precedes every command, where a project has .pipeyard/sweeps/. These strings are the
only imports by name in the CLI; the modules they name never import the command group.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

import click

from ..errors import EXIT_CODES

COMMANDS: dict[str, str] = {
    "init": "pipeyard.cli.project_cmd:init",
    "validate": "pipeyard.cli.project_cmd:validate",
    "compile": "pipeyard.cli.project_cmd:compile_",
    "dag": "pipeyard.cli.project_cmd:dag",
    "run": "pipeyard.cli.run_cmd:run",
    "status": "pipeyard.cli.run_cmd:status",
    "runs": "pipeyard.cli.run_cmd:runs",
    "demo": "pipeyard.cli.demo_cmd:demo",
    "log": "pipeyard.cli.history_cmd:log",
    "show": "pipeyard.cli.history_cmd:show",
    "diff": "pipeyard.cli.history_cmd:diff",
    "report": "pipeyard.cli.history_cmd:report",
    "new": "pipeyard.cli.template_cmd:new",
    "templates": "pipeyard.cli.template_cmd:templates",
    "template": "pipeyard.cli.template_cmd:template",
    "component": "pipeyard.cli.component_cmd:component",
    "ci": "pipeyard.cli.ci_cmd:ci",
    "check-data": "pipeyard.cli.hooks_cmd:check_data",
    "ui": "pipeyard.cli.ui_cmd:ui",
}

# Before every command: end the workers and remove the worktrees of sweeps that were killed.
BEFORE_EVERY_COMMAND = "pipeyard.cli.project:remove_what_killed_sweeps_left"
REMOVE_STALE_SWEEPS = "pipeyard.sweeps.worktrees:remove_stale_sweeps"  # only where sweeps ran
RUN_SWEEP = "pipeyard.cli.sweep_cmd:run_sweep_command"  # `pipeyard run -m`
RUN_AT_REV = "pipeyard.cli.history_cmd:run_at_rev_command"  # `pipeyard run --rev`


def exit_codes_help() -> str:
    """errors.EXIT_CODES as a help epilog, one code a line (click keeps a \\b paragraph's lines)."""
    width = max(len(str(code)) for code in EXIT_CODES)
    lines = [f"  {code:<{width}}  {meaning}" for code, meaning in EXIT_CODES.items()]
    return "\b\nExit codes:\n" + "\n".join(lines)


def load_attribute(spec: str) -> object:
    """What spec ("package.module:attribute") names, importing its module now."""
    module_name, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def load_function(spec: str) -> Callable[..., None]:
    """The function spec names, importing its module now."""
    function = load_attribute(spec)
    if not callable(function):
        raise TypeError(f"{spec} is not a function")
    return function


class LazyGroup(click.Group):
    """A click group whose commands are named in a table and imported when first asked for.

    Commands added with `add_command` are found first, as in any group.
    """

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, loaded or not, sorted."""
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command of that name, its module imported on first use; None if there is none."""
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self.lazy_commands:
            spec = self.lazy_commands[cmd_name]
            loaded = load_attribute(spec)
            if not isinstance(loaded, click.Command):
                raise TypeError(f"{spec} is not a click command")
            self.add_command(loaded, cmd_name)
            command = loaded
        return command
