"""The command table (cli/commands.py), and main(): one place from errors to exit codes."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from pipeyard import errors
from pipeyard.cli import commands
from pipeyard.cli.main import app, main


def _main(argv: list[str]) -> tuple[int, str, str]:
    """main(argv) in this process: exit code, stdout, stderr."""
    with CliRunner().isolation() as (stdout, stderr, _):
        code = main(argv)
        sys.stdout.flush()
    return code, stdout.getvalue().decode(), stderr.getvalue().decode()


@pytest.mark.parametrize("name", sorted(commands.COMMANDS))
def test_every_name_in_the_table_is_a_command_of_that_name(name):
    command = commands.load_attribute(commands.COMMANDS[name])
    assert isinstance(command, click.Command) and command.name == name


@pytest.mark.parametrize(
    "spec",
    [commands.BEFORE_EVERY_COMMAND, commands.REMOVE_STALE_SWEEPS, commands.RUN_SWEEP, commands.RUN_AT_REV],
)
def test_every_function_named_by_the_table_exists(spec):
    assert callable(commands.load_function(spec))


def test_help_lists_every_command_and_the_exit_codes():
    code, out, _ = _main(["--help"])
    assert code == 0
    listed = out.split("Commands:")[1]
    for name in commands.COMMANDS:
        assert f"\n  {name} " in listed, name
    codes = out.split("Exit codes:")[1].splitlines()[1:]
    assert [line.split(None, 1) for line in codes] == [
        [str(c), text] for c, text in errors.EXIT_CODES.items()
    ]


def test_run_help_shows_the_exit_codes_too():
    code, out, _ = _main(["run", "--help"])
    assert code == 0 and "Exit codes:" in out and "130  interrupted" in out


def test_start_up_imports_no_command_module_and_no_session():
    code = (
        "import sys, pipeyard.cli.main;"
        "print(sorted(m for m in sys.modules if m.endswith('_cmd') or m in "
        "('pipeyard.session', 'pipeyard.runner', 'pipeyard.cli.options', 'rich')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_no_command_module_imports_the_command_group():
    modules = sorted({spec.partition(":")[0] for spec in commands.COMMANDS.values()})
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}];"
        "print('pipeyard.cli.main' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_command_added_to_the_group_comes_before_the_table():
    group = commands.LazyGroup(lazy_commands={"status": commands.COMMANDS["status"]})
    own = click.Command("status")
    group.add_command(own)
    context = click.Context(group)
    assert group.get_command(context, "status") is own
    assert group.get_command(context, "nothing") is None
    assert group.list_commands(context) == ["status"]


def _raising(error: BaseException) -> click.Command:
    def callback() -> None:
        raise error

    return click.Command("boom", callback=callback)


@pytest.mark.parametrize(
    ("error", "code", "said"),
    [
        (errors.CheckFailed("out of date: dvc.yaml"), errors.EXIT_CHECK_FAILED, "out of date: dvc.yaml\n"),
        (errors.StepFailed("step 'a' failed"), errors.EXIT_STEP_FAILED, "error: step 'a' failed\n"),
        (
            errors.ConfigError("bad key", hint="remove it"),
            errors.EXIT_USER_ERROR,
            "error: bad key\n  hint: remove it\n",
        ),
        (errors.Interrupted(resume="pipeyard run"), errors.EXIT_INTERRUPTED, "pipeyard run"),
        (KeyboardInterrupt(), errors.EXIT_INTERRUPTED, "interrupted"),
        (SystemExit(errors.EXIT_CHECK_FAILED), errors.EXIT_CHECK_FAILED, ""),
    ],
)
def test_main_maps_each_error_to_its_exit_code(error, code, said, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PIPEYARD_TRACEBACK", raising=False)
    monkeypatch.setitem(app.commands, "boom", _raising(error))
    exit_code, _, stderr = _main(["boom"])
    assert exit_code == code
    assert said in stderr if said else stderr == ""
    assert "Traceback" not in stderr and not stderr.startswith("error: interrupted")
