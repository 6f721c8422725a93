"""Hydra's and OmegaConf's errors in the user's words: which override or conf/ file, and the fix.

Hydra words a bad override in its parser's terms (``missing EQUAL at '<EOF>'``), a missing
config option as ``Could not find 'train/lrge'`` and a conf/ file that is a list as
``Cannot merge DictConfig with ListConfig``. `hydra_error` turns each into one line that names
the override (or the conf/ file and line) and says what to write instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from ..errors import (
    ConfigError,
    Location,
    ParameterError,
    UserError,
    did_you_mean,
    known,
    not_utf8,
    yaml_error_at,
)
from ..model.pipeline import Pipeline
from .params_file import override_key

INPUTS_KEY = "inputs"
PRIMARY_CONFIG = "__pipeyard_primary__"
GRAMMAR_HINT = (
    "overrides look like train.lr=0.01 (change), +train.extra=1 (add), ~train.lr (remove) "
    "or train=large (select conf/train/large.yaml)"
)
_KEY = re.compile(r"^[A-Za-z_][\w/-]*(\.[\w/-]+)*(@[\w./]+)?$")
_CLOSING = {"[": "]", "{": "}", "(": ")"}


def hydra_error(exc: Exception, pipeline: Pipeline, conf: Path | None, overrides: Sequence[str]) -> UserError:
    """The UserError for one of Hydra's or OmegaConf's errors, cleaned of search paths and stacks."""
    from hydra.errors import MissingConfigException, OverrideParseException
    from omegaconf.errors import OmegaConfBaseException

    if isinstance(exc, yaml.YAMLError):
        return _yaml_error(exc, conf)
    if isinstance(exc, UnicodeDecodeError):
        return _not_utf8_conf(exc, conf)
    if isinstance(exc, (OverrideParseException, ValueError)):
        bad = next((o for o in overrides if override_problem(o) is not None), None)
        if bad is not None:
            message, hint = override_problem(bad)  # type: ignore[misc]
            return ParameterError(message, hint=hint)
    message = _first_lines(str(exc))
    in_file, message = _split_file(message)
    if isinstance(exc, OverrideParseException):
        return ParameterError(
            f"override '{exc.override}' cannot be read: {_parser_words(message)}", hint=GRAMMAR_HINT
        )
    if isinstance(exc, MissingConfigException):
        return _missing_option(message, conf, in_file, overrides)
    if "Cannot merge DictConfig with ListConfig" in message:
        return ConfigError(
            ("a conf/ file" if in_file is None else "the file")
            + " must be a mapping of names to values, but it is a list",
            location=_conf_location(conf, in_file, 1),
            hint="write 'lr: 0.01' in a config group file, or 'train:' then '  lr: 0.01' in config.yaml",
        )
    if isinstance(exc, OmegaConfBaseException):
        return _interpolation_error(exc, message)
    steps = [*pipeline.job_names, INPUTS_KEY]
    if message.startswith("Could not override '") or "is not in struct" in message:
        return _unknown_key(message, pipeline, steps, overrides)
    if message.startswith("Could not delete from config."):
        return _nothing_to_delete(message, pipeline, overrides)
    if message.startswith("Ambiguous value"):
        return ParameterError(
            message.splitlines()[0],
            hint="to sweep over values run `pipeyard run -m ...`; to pass a string with commas, quote it: key='a,b'",
        )
    if message.startswith("Multiple values for"):
        group = message.split()[3].rstrip(".")
        plus = next((o for o in overrides if o.startswith("+") and override_key(o) == group), None)
        said = f"override '{plus}' adds" if plus else "the overrides add"
        option = plus.partition("=")[2] if plus else "<option>"
        return ParameterError(
            f"{said} a second option for '{group}', which conf/ already selects one for",
            hint=f"replace the selection without '+': {group}={option}",
        )
    return ParameterError(message, hint=GRAMMAR_HINT if overrides else None)


def override_problem(override: str) -> tuple[str, str] | None:
    """What is wrong with one override's form, in words, and what to write; None if nothing.

    It checks what users get wrong (a missing '=' or key, a key that is not a dotted name,
    an unclosed bracket or quote); Hydra's parser stays the judge of everything else.
    """
    text = override.strip()
    if text.startswith("~") and "=" not in text:
        key = text.lstrip("~")
        return None if _KEY.match(key) else _bad_key(override, key)
    key, equals, value = text.partition("=")
    key = key.lstrip("+")
    if not equals:
        if not key:
            return f"override '{override}' is empty", f"write KEY=VALUE, e.g. train.lr=0.01; {GRAMMAR_HINT}"
        shown = key if _KEY.match(key) else "KEY"
        return (
            f"override '{override}' has no value: write {shown}=VALUE",
            f"to remove the key instead, write ~{shown}",
        )
    if not key:
        return (
            f"override '{override}' has no key before '=': write KEY={value or 'VALUE'}",
            f"keys name a step's parameter, e.g. train.lr={value or '0.01'}",
        )
    if not _KEY.match(key):
        return _bad_key(override, key)
    if value.startswith("="):
        return (
            f"override '{override}' has '==': write {key}={value.lstrip('=')}",
            "one '=' separates the key from the value",
        )
    if "=" in value and value[:1] not in "'\"":
        return (
            f"override '{override}' has a second '=' in its value",
            f"quote the value, and the whole override for your shell: \"{key}='{value}'\"",
        )
    unclosed = _unclosed(value)
    if unclosed:
        opening, closing = unclosed
        fixed = f"{text}{closing}"
        shell = f'"{fixed}"' if "'" in fixed else f"'{fixed}'"
        return (
            f"override '{override}': {opening} in the value {value!r} is not closed",
            f"close it, and quote the whole override for your shell: {shell}",
        )
    return None


def _bad_key(override: str, key: str) -> tuple[str, str]:
    return (
        f"'{key}' in override '{override}' is not a parameter name",
        "a key is a step and a parameter joined by '.', e.g. train.lr=0.01 (no spaces; "
        "quote a value with spaces: train.name='a b')",
    )


def _unclosed(value: str) -> tuple[str, str] | None:
    """The first bracket, brace or quote of value that is never closed (in words) and what
    closes what is open; None when everything is closed."""
    stack: list[str] = []
    quote = None
    for char in value:
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char in _CLOSING:
            stack.append(char)
        elif stack and char == _CLOSING[stack[-1]]:
            stack.pop()
    if quote:
        return f"the quote {quote}", quote + "".join(_CLOSING[c] for c in reversed(stack))
    if stack:
        return f"'{stack[0]}'", "".join(_CLOSING[c] for c in reversed(stack))
    return None


def _parser_words(message: str) -> str:
    """Hydra's parser message (ANTLR's words) as a short phrase: what it did not expect."""
    lines = [ln for ln in message.splitlines() if not ln.startswith("Error parsing override")]
    text = lines[0] if lines else message
    found = re.search(r"(?:extraneous|mismatched) input '(.*?)' expecting", text)
    if found:
        token = found.group(1)
        return "it ends too early" if token == "<EOF>" else f"'{token}' is not expected there"
    found = re.search(r"no viable alternative at input '(.*?)'", text)
    if found:
        return f"'{found.group(1)}' is not a value it can read"
    return text


def _nothing_to_delete(message: str, pipeline: Pipeline, overrides: Sequence[str]) -> ParameterError:
    """`~train.lrr` names a key that is not there."""
    found = re.search(r"'([^']+)' does not exist", message)
    key = found.group(1) if found else ""
    step, _, name = key.partition(".")
    job = next((j for j in pipeline.jobs if j.name == step), None)
    declared = [p.name for p in job.component.parameters] if job else []
    original = next((o for o in overrides if o.startswith("~") and override_key(o) == key), f"~{key}")
    if job is None:
        steps = [*pipeline.job_names, INPUTS_KEY]
        return ParameterError(
            f"override '{original}' removes '{key}', but '{step}' is neither a step nor 'inputs'"
            f"{did_you_mean(step, steps)}",
            hint=f"steps: {known(pipeline.job_names)}",
        )
    return ParameterError(
        f"override '{original}' removes '{name}', which step '{step}' does not have"
        f"{did_you_mean(name, declared)}",
        hint=f"parameters of '{step}': {known(declared)}",
    )


def _first_lines(message: str) -> str:
    message = message.split("\nConfig search path:")[0]
    message = message.replace(f"In '{PRIMARY_CONFIG}': ", "")
    lines = [ln.rstrip() for ln in message.strip().splitlines()]
    return "\n".join(ln for ln in lines if ln and not ln.startswith("See https://hydra.cc"))


def _split_file(message: str) -> tuple[str | None, str]:
    """("config", rest) from "In 'config': rest"; (None, message) when no file is named."""
    match = re.match(r"^In '([^']+)': (.*)", message, re.DOTALL)
    if match is None:
        return None, message
    rest = match.group(2)
    rest = re.sub(r"^\w+ raised while composing config:\s*", "", rest)
    return match.group(1), rest


def _conf_location(conf: Path | None, config_name: str | None, line: int | None = None) -> Location | None:
    if config_name is None:
        return None
    folder = conf.name if conf is not None else "conf"
    return Location(file=f"{folder}/{config_name}.yaml", line=line)


def _yaml_error(exc: yaml.YAMLError, conf: Path | None) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return ConfigError(f"a conf/ file is not valid YAML: {exc}", hint="check the files under conf/")
    path = Path(mark.name)
    shown = path.as_posix()
    if conf is not None and path.is_absolute() and path.is_relative_to(conf.parent):
        shown = path.relative_to(conf.parent).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    line, _, problem = yaml_error_at(exc, text)
    return ConfigError(
        f"not valid YAML: {problem}",
        location=Location(file=shown, line=line or mark.line + 1),
        hint="check the indentation (spaces, not tabs), brackets and the ':' after each key",
    )


def _not_utf8_conf(exc: UnicodeDecodeError, conf: Path | None) -> UserError:
    """Hydra does not say which conf/ file is not UTF-8: the first one that is not."""
    if conf is not None:
        for path in sorted(conf.rglob("*.yaml")):
            try:
                path.read_bytes().decode("utf-8")
            except UnicodeDecodeError as error:
                return not_utf8(path.relative_to(conf.parent).as_posix(), error, ConfigError)
    return ConfigError(
        f"a conf/ file is not UTF-8 text: {exc.reason}", hint="save the files under conf/ as UTF-8"
    )


def _missing_option(
    message: str, conf: Path | None, in_file: str | None, overrides: Sequence[str]
) -> UserError:
    """An override, or a defaults list in conf/, selects a config option that does not exist.

    The hint is Hydra's own "Available options in '<group>'" list (the options Hydra found on
    its search path), or, for a group without options, the file that would add one.
    """
    found = re.search(r"Could not find '([^']+)'", message)
    wanted = found.group(1) if found else ""
    group, _, option = wanted.rpartition("/")
    options = _available_options(message, conf, group)
    folder = f"{conf.name if conf else 'conf'}/{group}/"
    suggestion = did_you_mean(option, options)
    if options:
        hint = f"Available options in '{group}': {', '.join(options)}"
    elif group:
        hint = f"config group '{group}' has no options yet; add {folder}{option}.yaml"
    else:
        hint = f"add {conf.name if conf else 'conf'}/{option}.yaml"
    chosen = next((o for o in overrides if override_key(o) == group and o.partition("=")[2] == option), None)
    if chosen is not None:
        return ParameterError(
            f"override '{chosen}': {folder} has no option '{option}'{suggestion}",
            hint=hint,
        )
    if in_file is not None and group:
        line = _line_naming(conf, in_file, option)
        return ConfigError(
            f"its defaults list selects '{option}' for '{group}', but {folder} has no '{option}'{suggestion}",
            location=_conf_location(conf, in_file, line),
            hint=hint,
        )
    return ParameterError(message.splitlines()[0], hint=hint)


def _available_options(message: str, conf: Path | None, group: str) -> list[str]:
    """Hydra's "Available options in '<group>'" list from its message, else conf/<group>/*.yaml."""
    listed = re.search(r"Available options in '[^']*':\n((?:\t.*(?:\n|$))+)", message)
    if listed:
        return [line.strip() for line in listed.group(1).splitlines() if line.strip()]
    folder = conf / group if conf is not None and group else None
    if folder is None or not folder.is_dir():
        return []
    return sorted({p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml")})


def _line_naming(conf: Path | None, config_name: str, option: str) -> int | None:
    """The first line of conf/<config_name>.yaml that names option, for the error's location."""
    if conf is None:
        return None
    try:
        lines = (conf / f"{config_name}.yaml").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf":\s*{re.escape(option)}\s*$")
    return next((n for n, text in enumerate(lines, 1) if pattern.search(text)), None)


def _interpolation_error(exc: Exception, message: str) -> ParameterError:
    """A ParameterError from an OmegaConf error, e.g. a ${...} naming no key."""
    first = message.splitlines()[0]
    key = getattr(exc, "full_key", None)
    return ParameterError(
        f"{first} (in '{key}')" if key else first,
        hint="a ${...} reference names a key of the parameter tree, e.g. ${inputs.lr}",
    )


def _unknown_key(
    message: str, pipeline: Pipeline, steps: list[str], overrides: Sequence[str]
) -> ParameterError:
    """An override sets a key that is neither a step nor one of a step's parameters."""
    key = message.split("'")[1]
    top = key.split(".")[0]
    if top not in steps:
        original = next((o for o in overrides if override_key(o) == key), key)
        return ParameterError(
            f"'{top}' in override '{original}' is neither a step nor 'inputs'{did_you_mean(top, steps)}",
            hint=f"steps: {known(pipeline.job_names)}",
        )
    value = next((o.split("=", 1)[1] for o in overrides if override_key(o) == key), "<value>")
    job = next((j for j in pipeline.jobs if j.name == top), None)
    declared = [p.name for p in job.component.parameters] if job else []
    name = key.split(".", 1)[-1]
    return ParameterError(
        f"'{name}' is not a parameter of '{top}'{did_you_mean(name, declared)}",
        hint=f"use +{key}={value} to add a key; parameters of '{top}': {known(declared)}",
    )
