"""The `pipeyard` command group, and `main`: the one place where errors become exit codes.

The commands live in modules by area (project_cmd, run_cmd, history_cmd, ...), named in
commands.COMMANDS and imported when used; this module imports none of them.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from pathlib import Path

import click

from .. import errors
from ._output import err
from .commands import BEFORE_EVERY_COMMAND, COMMANDS, LazyGroup, exit_codes_help, load_function


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    epilog=exit_codes_help(),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="pipeyard", prog_name="pipeyard")
def app() -> None:
    """Git-native ML pipelines: define steps in Python or Azure ML YAML, parameterize them
    with Hydra, compile to DVC, and run them in parallel with caching.

    \b
    Start with:  pipeyard demo /tmp/pipeyard-demo
    In a project: pipeyard init && pipeyard run
    """
    load_function(BEFORE_EVERY_COMMAND)()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map errors to exit codes in one place."""
    try:
        app.main(args=argv, prog_name="pipeyard", standalone_mode=False)
        return errors.EXIT_OK
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except errors.Interrupted as interrupted:  # a PipeyardError: it must come first
        err.print(interrupted.format(), markup=False)
        return errors.EXIT_INTERRUPTED
    except errors.CheckFailed as failed:  # what the check found is the message, not an error
        err.print(failed.format(), markup=False)
        return failed.exit_code
    except errors.PipeyardError as error:
        _show_trace_if_asked()
        err.print(f"error: {error.format()}", markup=False)
        return error.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        err.print(errors.Interrupted().format(), markup=False)
        return errors.EXIT_INTERRUPTED
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # click 8.2+: `pipeyard component` shows its help
            error.show()
            return error.exit_code
        _show_trace_if_asked()
        message, hint = usage_error_line(error)
        err.print(f"error: {message}" + (f"\n  hint: {hint}" if hint else ""), markup=False)
        return errors.EXIT_USER_ERROR
    except Exception as error:  # noqa: BLE001 - a bug in pipeyard: show the trace, exit 3
        if isinstance(error, OSError) and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            _show_trace_if_asked()  # the project folder's permissions, not a bug
            err.print(f"error: {_not_writable(error).format()}", markup=False)
            return errors.EXIT_USER_ERROR
        traceback.print_exc()
        err.print("pipeyard hit an internal error; please report it with the trace above", markup=False)
        return errors.EXIT_INTERNAL_ERROR


def usage_error_line(error: click.ClickException) -> tuple[str, str | None]:
    """A click usage error as one line and a hint, in the words of the other errors."""
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else "pipeyard"
    if isinstance(error, click.BadParameter) and error.param is not None and error.message:
        param = error.param
        if isinstance(param, click.Option):
            name = max(param.opts, key=len)
        else:
            name = (param.human_readable_name or "argument").upper()
        says = error.message.startswith(("takes ", "lists "))  # worded to follow the option's name
        message = f"{name} {error.message}" if says else f"{name}: {error.message}"
    else:
        message = error.format_message()
    message = message[0].lower() + message[1:] if message[:2].istitle() else message
    hint = f"see `{command} --help`" if ctx is not None else "see `pipeyard --help`"
    return message.rstrip("."), hint


def _not_writable(error: OSError) -> errors.RepositoryError:
    """A permission or read-only-file-system error: which path, and how to get past it."""
    path = error.filename or "a file of the project"
    reason = (error.strerror or "permission denied").lower()
    return errors.RepositoryError(
        f"cannot access {path}: {reason}",
        hint="pipeyard writes into the project folder (.pipeyard/, dvc.yaml, dvc.lock, outputs); "
        f"make it writable for your user (see `ls -ld {Path(path).parent}`), or work in a copy you own",
    )


def _show_trace_if_asked() -> None:
    if os.environ.get("PIPEYARD_TRACEBACK"):
        traceback.print_exc()


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
