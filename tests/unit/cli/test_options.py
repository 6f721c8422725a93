"""Option values the commands refuse, each with one line that says what the option takes."""

from __future__ import annotations

import click
import pytest

from pipeyard.cli.main import usage_error_line
from pipeyard.cli.options import GpuIds, PositiveNumber, Size, WholeNumber


@click.command()
@click.option("-j", "--jobs", type=WholeNumber(1, "steps"))
@click.option("--cpus", type=PositiveNumber("CPUs"))
@click.option("--memory", type=Size())
@click.option("--gpus", type=GpuIds())
def command(jobs, cpus, memory, gpus):
    """Print what was parsed."""
    click.echo(repr((jobs, cpus, memory, gpus)))


def _parse(*args: str):
    try:
        return command.main(list(args), prog_name="command", standalone_mode=False)
    except click.ClickException as error:
        return usage_error_line(error)


def test_good_values_parse():
    context = command.make_context(
        "command", ["-j", "2", "--cpus", "0.5", "--memory", "2GB", "--gpus", "1, 0"]
    )
    assert context.params == {"jobs": 2, "cpus": 0.5, "memory": 2048, "gpus": ("1", "0")}
    assert command.make_context("command", ["--gpus", "none"]).params["gpus"] == ()
    assert command.make_context("command", ["--gpus", "GPU-8a1b2c3d"]).params["gpus"] == ("GPU-8a1b2c3d",)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["-j", "0"], "--jobs takes a whole number of steps, 1 or more, got '0'"),
        (["-j", "two"], "--jobs takes a whole number of steps, 1 or more, got 'two'"),
        (["--cpus", "-1"], "--cpus takes a positive number of CPUs, e.g. 2 or 0.5, got '-1'"),
        (["--cpus", "inf"], "--cpus takes a positive number of CPUs, e.g. 2 or 0.5, got 'inf'"),
        (["--memory", "lots"], "--memory takes a size like 16GB, 512MB or 1.5GiB, got 'lots'"),
        (["--gpus", "0,x"], "--gpus: 'x' is not a GPU id"),
        (["--gpus", "1,1"], "--gpus lists GPU '1' twice; list each device once"),
        (["--jbos", "1"], "no such option '--jbos'"),
    ],
)
def test_bad_values_get_one_line_and_a_hint(args, line):
    message, hint = _parse(*args)
    assert message.startswith(line), message
    assert "\n" not in message
    assert hint == "see `command --help`"
