"""dvc.lock: build entries the way DVC does, read the file fast, write it atomically.

An entry is DVC's single-stage lock dict: `cmd`, then `deps`, `params`, `outs` when not empty.
deps and outs are sorted by path, each `{path, hash: md5, md5, size[, nfiles][, isexec]}`;
params is `{params.yaml: {key: value}}` with the top-level keys sorted. Metrics and plots are
listed under `outs` like any other output (DVC 3 does the same).

Reading parses YAML once and keeps a JSON copy under `.pipeyard/state/` keyed by the file's
stat, so later runs read it in milliseconds. Writing gives DVC's bytes exactly (`emit_yaml`:
ruamel's layout, folding long lines at 80 columns, YAML 1.2 plain scalars such as `yes`) and
reuses the text of entries that did not change.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import Location, RepositoryError, not_utf8, yaml_error_at
from ..model.project_layout import PARAMS_FILE
from ..yamlio import emit_yaml, parse_yaml, try_emit_yaml
from .files import write_atomic
from .hashing import PathHash

LOCK_FILE_NAME = "dvc.lock"
_HEADER = "schema: '2.0'\nstages:\n"
_STAGE_START = re.compile(r"^  \S", re.MULTILINE)
_PLAIN_NAME_LINE = re.compile(r"^  ([A-Za-z0-9_][A-Za-z0-9_.-]*):$")
_SHADOW_VERSION = 1


def path_entry(path: str, hashed: PathHash) -> dict:
    """One deps/outs item as DVC writes it: path, hash, md5, size and (folders) nfiles."""
    return {"path": path, **hashed.lock_fields()}


def lock_entry(
    cmd: str | list[str],
    deps: Mapping[str, PathHash],
    params: Mapping[str, Any] | None,
    outs: Mapping[str, PathHash],
) -> dict:
    """The dvc.lock entry of a stage (DVC's `to_single_stage_lockfile`).

    params maps each top-level params.yaml key the stage reads to its value.
    """
    entry: dict[str, Any] = {"cmd": list(cmd) if isinstance(cmd, (list, tuple)) else cmd}
    if deps:
        entry["deps"] = [path_entry(p, deps[p]) for p in sorted(deps)]
    if params:
        entry["params"] = {PARAMS_FILE: {k: plain(params[k]) for k in sorted(params)}}
    if outs:
        entry["outs"] = [path_entry(p, outs[p]) for p in sorted(outs)]
    return entry


def plain(value: Any) -> Any:
    """value with tuples turned into lists, as it reads back from YAML."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def _json_safe(data: Any) -> bool:
    try:
        return json.loads(json.dumps(data)) == data
    except (TypeError, ValueError):
        return False


_REGENERATE = (
    "dvc.lock is generated: delete it and run `pipeyard run`, then commit the new one; "
    "steps whose results are in the cache are restored, not run again"
)
_CONFLICT_MARKERS = ("<<<<<<< ", "<<<<<<<\n", "=======\n", ">>>>>>> ", "||||||| ")


def _first_conflict_marker(text: str) -> int | None:
    """The line number of the first git merge-conflict marker in text, or None."""
    if "<<<<<<<" not in text and ">>>>>>>" not in text:
        return None
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if line.startswith(_CONFLICT_MARKERS) or line.rstrip("\r\n") in ("<<<<<<<", "=======", ">>>>>>>"):
            return number
    return None


def _split_stage_texts(text: str, names: list[str]) -> dict[str, str] | None:
    """The text of each stage of a DVC-written lock file, or None when the layout differs."""
    if not text.startswith(_HEADER):
        return None
    body = text[len(_HEADER) :]
    starts = [m.start() for m in _STAGE_START.finditer(body)]
    if len(starts) != len(names) or (starts and starts[0] != 0):
        return None
    chunks: dict[str, str] = {}
    for name, start, end in zip(names, starts, [*starts[1:], len(body)], strict=True):
        chunk = body[start:end]
        first_line = chunk.split("\n", 1)[0]
        plain = _PLAIN_NAME_LINE.match(first_line)
        if plain is None:
            try:
                parsed = parse_yaml(first_line.strip())
            except Exception:  # noqa: BLE001 - any doubt means: render everything again
                return None
            if not isinstance(parsed, dict) or list(parsed) != [name]:
                return None
        elif plain.group(1) != name:
            return None
        chunks[name] = chunk
    return chunks


class LockFile:
    """The stages of dvc.lock, held in memory; `flush` writes them back in one atomic step."""

    def __init__(self, root: Path, state_dir: Path) -> None:
        self.path = root / LOCK_FILE_NAME
        self._shadow = state_dir / "lock.json"
        self._loaded: dict[str, dict] | None = None
        self._extra: dict[str, Any] = {}
        self._recorded: dict[str, dict] = {}
        self._texts: dict[str, str] | None = None  # stage -> its text in the file as last written

    def _load(self) -> dict[str, dict]:
        if self._loaded is not None:
            return self._loaded
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._loaded = {}
            return self._loaded
        document = self._read_shadow(st)
        if document is None:
            document = self._parse(self._read_text())
            if _json_safe(document):
                self._write_shadow(st, document)
        stages = document.get("stages") or {}
        self._extra = {k: v for k, v in document.items() if k not in ("schema", "stages")}
        self._loaded = {name: entry for name, entry in stages.items() if isinstance(entry, dict)}
        return self._loaded

    def _read_text(self) -> str:
        data = self.path.read_bytes()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            error = not_utf8(LOCK_FILE_NAME, exc, RepositoryError)
            error.hint = _REGENERATE
            raise error from None

    def _parse(self, text: str) -> dict:
        conflict = _first_conflict_marker(text)
        if conflict is not None:
            raise RepositoryError(
                "dvc.lock has unresolved merge conflict markers",
                location=Location(file=LOCK_FILE_NAME, line=conflict),
                hint=_REGENERATE,
            )
        try:
            document = parse_yaml(text) or {}
        except Exception as exc:  # noqa: BLE001 - any YAML error: the file is unreadable
            line, _, problem = yaml_error_at(exc, text)
            raise RepositoryError(
                f"dvc.lock is not valid YAML: {problem}",
                location=Location(file=LOCK_FILE_NAME, line=line),
                hint=_REGENERATE,
            ) from None
        if not isinstance(document, dict) or not isinstance(document.get("stages", {}), dict):
            raise RepositoryError(
                "dvc.lock does not have DVC's lock file layout (a 'stages:' mapping)",
                location=Location(file=LOCK_FILE_NAME, line=1),
                hint=_REGENERATE,
            )
        return document

    def _read_shadow(self, st: os.stat_result) -> dict | None:
        try:
            shadow = json.loads(self._shadow.read_bytes())
        except (FileNotFoundError, ValueError):
            return None
        if shadow.get("version") != _SHADOW_VERSION or shadow.get("stat") != _stat_key(st):
            return None
        return shadow.get("document")

    def _write_shadow(self, st: os.stat_result, document: dict) -> None:
        payload = {"version": _SHADOW_VERSION, "stat": _stat_key(st), "document": document}
        write_atomic(self._shadow, json.dumps(payload).encode("utf-8"), fsync=False)

    def entry(self, name: str) -> dict | None:
        """The entry of a stage: recorded in this session, else as read from dvc.lock."""
        if name in self._recorded:
            return self._recorded[name]
        return self._load().get(name)

    def stage_names(self) -> list[str]:
        """Names of the stages dvc.lock has (as read), then those recorded since."""
        loaded = self._load()
        return [*loaded, *(n for n in self._recorded if n not in loaded)]

    def record(self, name: str, entry: dict) -> None:
        """Remember the new entry of a stage; it reaches dvc.lock on `flush`."""
        self._recorded[name] = entry

    def flush(self, order: Iterable[str], keep: Iterable[str] = ()) -> bool:
        """Write dvc.lock: stages in order first, then others recorded or named in keep.

        Entries of stages that are in neither are dropped. Nothing is written when the content
        would not change; returns True when the file was written (or removed).
        """
        loaded = self._load()
        keep = set(keep)
        order = [n for n in dict.fromkeys(order) if self.entry(n) is not None]
        listed = set(order)
        rest = [n for n in self.stage_names() if n not in listed and (n in keep or n in self._recorded)]
        final = {n: entry for n in [*order, *rest] if (entry := self.entry(n)) is not None}
        if list(final.items()) == list(loaded.items()):
            return False
        if not final and not self._extra:
            existed = self.path.exists()
            self.path.unlink(missing_ok=True)
            self._loaded, self._recorded = {}, {}
            return existed
        text, texts = self._render(final, loaded)
        write_atomic(self.path, text.encode("utf-8"))
        self._texts = texts
        document = {"schema": "2.0", **self._extra, "stages": final}
        if _json_safe(document):
            self._write_shadow(os.stat(self.path), document)
        self._loaded, self._recorded = final, {}
        return True

    def _render(self, final: dict[str, dict], loaded: dict[str, dict]) -> tuple[str, dict | None]:
        """The new file's text, and each stage's text in it (None when not split by stage)."""
        if self._extra:
            return emit_yaml({"schema": "2.0", **self._extra, "stages": final}), None
        old_texts = self._texts
        if old_texts is None and any(loaded.get(n) == e for n, e in final.items()):
            try:
                old_texts = _split_stage_texts(self.path.read_text(encoding="utf-8"), list(loaded))
            except FileNotFoundError:
                old_texts = None
        old_texts = old_texts or {}
        texts = {n: old_texts[n] for n, e in final.items() if n in old_texts and loaded.get(n) == e}
        texts.update(render_stages({n: e for n, e in final.items() if n not in texts}))
        return _HEADER + "".join(texts[name] for name in final), texts


def render_stages(stages: dict[str, dict]) -> dict[str, str]:
    """The YAML text of each stage as it appears under `stages:` in a DVC-written dvc.lock.

    All are written in one call of the fast writer; when a stage needs ruamel (a command
    longer than a line, non-ASCII text), each stage is written on its own, so only those
    stages pay for ruamel.
    """
    if not stages:
        return {}
    fast = try_emit_yaml({"stages": stages})
    chunks = None if fast is None else _split_stage_texts(_HEADER + fast[len("stages:\n") :], list(stages))
    if chunks is None:  # a stage only ruamel lays out, or an unusual name: one by one
        return {name: render_stage(name, entry) for name, entry in stages.items()}
    return chunks


def render_stage(name: str, entry: dict) -> str:
    """The YAML text of one stage as it appears under `stages:` in a DVC-written dvc.lock."""
    text = emit_yaml({"stages": {name: entry}})
    return text[len("stages:\n") :]
