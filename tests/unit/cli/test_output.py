"""cli/_output.py: plain text written directly is byte for byte what rich would print."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from pipeyard.cli._output import OutputConsole

TEXTS = [
    "hello",
    "",
    "  trailing   ",
    "a: b",
    "100 steps in 0.43s: 100 cached",
    "x [green]y[/green]",
    "wide 字 text é",
    "line1\nline2",
    "path/to/file.py:12: note",
    "tab\there",
    "a:smile:b",
    "ends with newline\n",
    "x" * 300,
    "e \\[x]",
    "bell\x07",
]
OPTIONS = [{}, {"markup": False}, {"style": "yellow"}, {"end": ""}, {"style": "bold red", "markup": False}]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("text", TEXTS)
def test_output_to_a_file_is_what_rich_prints(text, options):
    rich_out, ours = io.StringIO(), io.StringIO()
    Console(file=rich_out, highlight=False, soft_wrap=True).print(text, **options)
    OutputConsole(file=ours).print(text, **options)
    assert ours.getvalue() == rich_out.getvalue()


def test_plain_text_to_a_file_does_not_build_a_rich_console():
    console = OutputConsole(file=io.StringIO())
    console.print("3 steps in 0.10s: 3 cached")
    assert console._rich is None and console.plain


def test_forced_colour_goes_through_rich(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    stream = io.StringIO()
    OutputConsole(file=stream).print("[green]ok[/green]")
    assert "\x1b[" in stream.getvalue() and "ok" in stream.getvalue()
