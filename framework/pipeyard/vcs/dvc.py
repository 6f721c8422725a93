"""The one door to the DVC command line: every `dvc` command pipeyard runs goes through here.

The `dvc` beside this Python is preferred (the one installed with pipeyard), else the one on
PATH. pipeyard reads and writes DVC's formats itself on the hot path (cache/); this module is
for the commands where DVC's own behaviour is the point: init, checkout, fetch, pull, push.
DVC's config files (INI, read the way `dvc config` reads them) are read and written here too.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

from ..errors import Location, RepositoryError, not_utf8
from .git import run_git

CONFIG_SCOPES = ("system", "global", "repo", "local")
_DEFAULT_HINT = "check that DVC is installed in this environment (`dvc --version`)"


def dvc_executable() -> str:
    """The path of the `dvc` installed beside this Python, else plain `dvc` (found on PATH)."""
    beside = Path(sys.executable).with_name("dvc")
    return str(beside) if beside.exists() else "dvc"


def dvc_command(*args: str) -> list[str]:
    """The argv that runs `dvc args` (for callers that start and watch the process themselves)."""
    return [dvc_executable(), *args]


def run_dvc(
    root: Path, *args: str, hint: str = _DEFAULT_HINT, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `dvc args` in root without analytics; RepositoryError when it fails (and check)."""
    try:
        result = subprocess.run(
            dvc_command(*args),
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "DVC_NO_ANALYTICS": "1"},
            check=False,
        )
    except OSError as exc:
        raise RepositoryError(f"could not run `dvc {args[0]}`: {exc}", hint=_DEFAULT_HINT) from None
    if check and result.returncode != 0:
        lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
        detail = next((line for line in lines if line.startswith("ERROR")), lines[-1] if lines else "")
        raise RepositoryError(
            f"`dvc {' '.join(args)}` failed: {detail.removeprefix('ERROR: ') or 'no output'}", hint=hint
        )
    return result


def tracked_data_files(root: Path) -> list[str]:
    """The `.dvc` files git tracks below root (data added with `dvc add`), relative to root."""
    listed = run_git(root, "ls-files", "-z", "--", "*.dvc", check=False).stdout.split("\0")
    return [path for path in listed if path and not path.startswith(".dvc/")]


def _config_file(root: Path, scope: str) -> Path:
    if scope == "system":
        return Path("/etc/xdg/dvc/config")
    if scope == "global":
        return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "dvc" / "config"
    return Path(root) / ".dvc" / ("config" if scope == "repo" else "config.local")


def read_config(root: Path, scopes: tuple[str, ...] = ("repo", "local")) -> configparser.ConfigParser:
    """DVC's settings for the repository at root from the given scopes, later ones winning.

    Scopes are DVC's: system, global (the user's), repo (.dvc/config), local (.dvc/config.local).
    A file that is missing adds nothing; one DVC could not read either raises RepositoryError
    naming the file and line.
    """
    config = configparser.ConfigParser(interpolation=None)
    for scope in scopes:
        path = _config_file(root, scope)
        if not path.is_file():
            continue
        shown = path.relative_to(root).as_posix() if scope in ("repo", "local") else str(path)
        try:
            config.read_string(path.read_bytes().decode("utf-8"), source=shown)
        except UnicodeDecodeError as error:
            raise not_utf8(shown, error, RepositoryError) from None
        except configparser.Error as error:
            raise _config_error(shown, scope, error) from None
    return config


def _config_error(shown: str, scope: str, error: configparser.Error) -> RepositoryError:
    line: int | None
    if isinstance(error, configparser.MissingSectionHeaderError):
        line, problem = error.lineno, "a setting before any [section]"
    elif isinstance(error, configparser.ParsingError):
        line, problem = error.errors[0][0], "a line that is neither [section] nor name = value"
    elif isinstance(error, (configparser.DuplicateSectionError, configparser.DuplicateOptionError)):
        line, problem = error.lineno, error.message.split("]: ", 1)[-1]
    else:
        line, problem = None, str(error)
    restore = f" or restore it: `git checkout -- {shown}`" if scope == "repo" else ""
    return RepositoryError(
        f"DVC's config cannot be read: {problem}",
        location=Location(file=shown, line=line),
        hint=f"correct it by hand (DVC refuses it too){restore}",
    )


def config_value(config: configparser.ConfigParser, section: str, option: str) -> str:
    """The option's value without the quotes DVC may write around it; "" when unset."""
    value = config.get(section, option, fallback="").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def write_local_config(root: Path, config: configparser.ConfigParser) -> None:
    """Write config as the repository's .dvc/config.local (settings git does not track)."""
    target = _config_file(root, "local")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8") as handle:
        config.write(handle)
