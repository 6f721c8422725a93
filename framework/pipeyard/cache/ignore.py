"""`.dvcignore` rules, applied the way DVC applies them when it hashes a folder.

DVC reads the `.dvcignore` of the repository root and of each folder on the way down to the
one it lists. Every line is stripped of surrounding whitespace; empty lines and lines starting
with `#` are skipped; the rest are gitignore patterns (pathspec's `GitIgnoreSpecPattern`).
A nested file's patterns are rewritten to mean the same from the root (`x` in `a/.dvcignore`
becomes `a/**/x`, `b/x` becomes `a/b/x`) and appended after those above it, so the deeper file
wins. DVC's own rules come first: `.hg/`, `.git/`, `.git` and `.dvc/`. A `.dvcignore` that the
rules above it ignore is not read.

A path is ignored when one of the folders above it is, each tried as a folder with the same
rules; otherwise the last pattern that matches it decides. Folder-only patterns (`name/`) match
folders only, and a folder is tried both as `name` and `name/`. pathspec turns each pattern into
a regular expression; as in DVC, it must match from the start of the path (`re.match`, where
pathspec itself would search), which decides patterns such as `*/`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Location, RepositoryError

if TYPE_CHECKING:  # pathspec is imported when a pattern is compiled: most runs compile none
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    Patterns = tuple[tuple[str, GitIgnoreSpecPattern], ...]  # (text rewritten from the root, compiled)

DVCIGNORE = ".dvcignore"
DVC_DEFAULT_PATTERNS = (".hg/", ".git/", ".git", ".dvc/")

# (path, folder) of a .dvcignore -> its (mtime_ns, size, inode) when read, and its patterns
_PARSED: dict[tuple[str, str], tuple[tuple[int, int, int], Patterns]] = {}


class IgnoreRules:
    """The patterns in force in one folder of a repository, anchored at the repository root.

    The patterns never change after construction; answers are remembered per folder.
    """

    def __init__(self, patterns: Patterns | None = None, *, texts: tuple[str, ...] = ()) -> None:
        """patterns compiled, or texts to compile when the rules are first used."""
        self._patterns = patterns
        self._texts = texts
        self._compiled_checks: tuple | None = None
        self._folders: dict[str, bool] = {}

    @property
    def patterns(self) -> Patterns:
        """(text, compiled pattern) pairs, oldest first."""
        if self._patterns is None:
            self._patterns = tuple((text, _compile(text, "DVC's own rules", None)) for text in self._texts)
        return self._patterns

    @property
    def _checks(self) -> tuple:
        # newest first; as DVC does, a pattern's regex must match from the start of the path
        if self._compiled_checks is None:
            self._compiled_checks = tuple(
                (p.regex, bool(p.include), text.endswith("/"))
                for text, p in reversed(self.patterns)
                if p.regex is not None
            )
        return self._compiled_checks

    def extended(self, more: Patterns) -> IgnoreRules:
        """These rules followed by more (which win where both match)."""
        return IgnoreRules(self.patterns + more) if more else self

    def is_ignored(self, path: str, *, is_dir: bool) -> bool:
        """True when the root-relative POSIX path (a folder when is_dir) is ignored."""
        parent = path.rpartition("/")[0]
        if parent and self._folder_ignored(parent):
            return True
        return self._matches(path, is_dir=is_dir)

    def _folder_ignored(self, folder: str) -> bool:
        """True when folder or a folder above it is ignored."""
        found = self._folders.get(folder)
        if found is None:
            parent = folder.rpartition("/")[0]
            found = bool(parent) and self._folder_ignored(parent)
            found = found or self._matches(folder, is_dir=True)
            self._folders[folder] = found
        return found

    def _matches(self, path: str, *, is_dir: bool) -> bool:
        """The verdict of the last pattern that matches path itself (False when none does)."""
        marked = path + "/"
        for regex, ignores, folders_only in self._checks:
            if not is_dir:
                if not folders_only and regex.match(path):
                    return ignores
            elif regex.match(path) or regex.match(marked):
                return ignores
        return False


def _compile(text: str, source: str, line: int | None) -> GitIgnoreSpecPattern:
    from pathspec.patterns.gitignore import GitIgnorePatternError
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    try:
        return GitIgnoreSpecPattern(text)
    except GitIgnorePatternError as exc:
        raise RepositoryError(
            f"{source} has a pattern DVC cannot read: {exc}",
            location=Location(file=source, line=line),
            hint="fix or remove that line (gitignore syntax; DVC strips trailing spaces first, "
            "so a trailing '\\' escapes nothing)",
        ) from None


DEFAULT_RULES = IgnoreRules(texts=DVC_DEFAULT_PATTERNS)
"""DVC's own rules, the only ones in force where no `.dvcignore` applies."""


def anchored_pattern(pattern: str, folder: str) -> str:
    """pattern, from `<folder>/.dvcignore`, rewritten to match the same paths from the root.

    folder is root-relative POSIX ("" for the root itself, where nothing changes). As DVC does,
    a pattern with a slash before its end is anchored to folder, any other matches at any depth
    below it, and one leading backslash is dropped.
    """
    if not folder:
        return pattern
    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    anchored = "/" in body[:-1] and not body.startswith("**/")
    body = body.removeprefix("/") if anchored else body.removeprefix("**/")
    body = body.removeprefix("\\")
    rooted = f"{folder}/{body}" if anchored else f"{folder}/**/{body}"
    return f"!/{rooted}" if negated else rooted


def read_patterns(path: Path, folder: str) -> Patterns:
    """The patterns of the `.dvcignore` at path (in folder), rewritten from the root.

    Parsed once per process until its mtime, size or inode changes. Raises RepositoryError on
    a pattern pathspec rejects or a file that is not UTF-8.
    """
    st = os.stat(path)
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    key = (os.fspath(path), folder)
    cached = _PARSED.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    source = f"{folder}/{DVCIGNORE}" if folder else DVCIGNORE
    try:
        with open(path, encoding="utf-8") as fobj:
            lines = [line.strip() for line in fobj.readlines()]
    except UnicodeDecodeError as exc:
        raise RepositoryError(
            f"{source} is not UTF-8 text ({exc.reason}), which DVC requires",
            location=Location(file=source),
            hint="save it as UTF-8",
        ) from None
    patterns = []
    for number, line in enumerate(lines, start=1):
        if not line or line.startswith("#"):
            continue
        text = anchored_pattern(line, folder)
        compiled = _compile(text, source, number)
        if compiled.include is not None:
            patterns.append((text, compiled))
    result = tuple(patterns)
    _PARSED[key] = (stamp, result)
    return result


class RepositoryIgnores:
    """The `.dvcignore` files of one DVC repository, as seen by one run.

    Each folder's rules are worked out once per instance; make a new one to see edits.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._rules: dict[str, IgnoreRules] = {}

    def rules_for(self, folder: str, *, has_file: bool | None = None) -> IgnoreRules:
        """The rules DVC applies to the entries of folder (root-relative POSIX, "" for the root).

        has_file says whether folder holds a `.dvcignore` when the caller has listed it (None:
        look). `DEFAULT_RULES` itself comes back when no `.dvcignore` applies.
        """
        found = self._rules.get(folder)
        if found is not None:
            return found
        above = DEFAULT_RULES if not folder else self.rules_for(folder.rpartition("/")[0])
        name = f"{folder}/{DVCIGNORE}" if folder else DVCIGNORE
        path = self.root / name
        if has_file is None:
            has_file = os.path.isfile(path)
        rules = above
        if has_file and not above.is_ignored(name, is_dir=False):
            rules = above.extended(read_patterns(path, folder))
        self._rules[folder] = rules
        return rules
