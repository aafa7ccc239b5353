"""Saving an edited funding-call catalogue, keeping every previous version.

An admin edits the catalogue (in the app or by hand) and :func:`save_calls`
writes it: it validates the new text first (every problem, by call and field),
refuses the save when the file changed since the editor read it (the
``expected_hash`` the editor saw), copies the current file into
``funding_calls.history/`` beside it, appends who saved what and why to
``funding_calls.history/log.jsonl``, and then replaces the file atomically.
The check and the write happen under an exclusive lock on a sidecar file
(``.funding_calls.yaml.lock``), so of two saves that started from the same
version exactly one is written and the other is refused as a conflict. The
replaced file keeps its permission bits (a temporary file is created 0600).
:func:`history` lists the saves, :func:`restore` brings an old version back (as
a new save, so nothing is lost).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gisplan import settings
from gisplan.errors import ConfigError, ConflictError, InputError, SourceNotFoundError
from gisplan.funding._models import FundingCall, FundingCatalogue, call_to_data, calls_path, parse_text

HISTORY_DIR = "funding_calls.history"
LOG_FILE = "log.jsonl"


@dataclass(frozen=True)
class Version:
    """One save of the catalogue: when, by whom, why, and where the version it replaced was kept."""

    saved_at: dt.datetime
    author: str
    comment: str
    sha256: str
    previous_file: str | None
    calls: int


def content_hash(text: str) -> str:
    """The SHA-256 of a catalogue text; an editor passes it back as ``expected_hash``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_text(path: Path | None = None) -> tuple[str, str]:
    """The catalogue text an editor starts from, and its hash."""
    source = path if path is not None and path.is_file() else calls_path()
    text = source.read_text(encoding="utf-8")
    return text, content_hash(text)


def to_yaml(data: FundingCatalogue | Mapping[str, Any]) -> str:
    """A catalogue (or its plain data) as YAML text, keys in model order, Czech letters kept."""
    plain = data.to_data() if isinstance(data, FundingCatalogue) else dict(data)
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=110)


def _plain_numbers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value


class _ItemDumper(yaml.SafeDumper):
    """Lists of plain values inline (``[municipality, region]``), mappings in block style."""


def _represent_list(dumper: yaml.SafeDumper, values: list[Any]) -> yaml.Node:
    flow = all(not isinstance(v, dict | list) for v in values) and bool(values)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", values, flow_style=flow)


_ItemDumper.add_representer(list, _represent_list)


def _item_text(call: FundingCall, indent: str) -> str:
    """One call as a YAML list item at ``indent`` (the layout of the shipped catalogue: short lists inline)."""
    data = _plain_numbers(call_to_data(call))
    body = yaml.dump([data], Dumper=_ItemDumper, sort_keys=False, allow_unicode=True, width=110)
    return "".join(indent + line if line.strip() else line for line in body.splitlines(keepends=True))


def replace_call(text: str, call: FundingCall) -> str:
    """The catalogue ``text`` with the call of the same id replaced by ``call``; other lines kept as written.

    An editor that changes one call in a form should not lose the comments of
    the rest of the file, so only that call's list item is rewritten: from its
    ``- id: <id>`` line to the next item, the next comment at the item's indent,
    or a line indented less. A call not yet in the text is appended. When the
    layout is not recognised (or the result would not read back as the same
    catalogue with ``call`` in place), the whole catalogue is written out with
    :func:`to_yaml`, which drops comments but keeps every call.

    Raises
    ------
    ConfigError
        If ``text`` itself is not a valid catalogue (every problem is listed).
    """
    catalogue, problems = parse_text(text, "catalogue")
    if problems:
        msg = "the catalogue text is invalid; fix it (gisplan funding check) before editing a call in a form"
        raise ConfigError(msg, problems)
    lines = text.splitlines(keepends=True)
    head = re.compile(rf"^(\s*)- id:\s*['\"]?{re.escape(call.id)}['\"]?\s*$")
    found = [(i, m) for i, line in enumerate(lines) if (m := head.match(line.rstrip("\n")))]
    spliced = ""
    if len(found) == 1:
        start, match = found[0]
        indent = match.group(1)
        end = start + 1
        while end < len(lines):
            line = lines[end]
            stripped = line.strip()
            width = len(line) - len(line.lstrip())
            if stripped and (width < len(indent) or (width == len(indent) and stripped.startswith(("-", "#")))):
                break
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # keep the blank lines that separate items
        spliced = "".join([*lines[:start], _item_text(call, indent), *lines[end:]])
    elif not found:
        indent = next((m.group(1) for line in lines if (m := re.match(r"^(\s*)- id:", line))), "  ")
        spliced = text.rstrip("\n") + "\n\n" + _item_text(call, indent)
    if spliced:
        result, after = parse_text(spliced, "catalogue")
        expected = dict(catalogue.calls) | {call.id: call}
        if not after and result.calls == expected:
            return spliced
    calls = [call if c.id == call.id else c for c in catalogue.calls.values()]
    if call.id not in catalogue.calls:
        calls.append(call)
    return to_yaml(FundingCatalogue(calls={c.id: c for c in calls}))


def _history_dir(target: Path) -> Path:
    return target.parent / HISTORY_DIR


def _atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` atomically, keeping its permission bits.

    The temporary file is opened with mode 0666 under the umask, as a new file
    would be (``tempfile.mkstemp`` would make it 0600), and gets the replaced
    file's mode when there is one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(handle.fileno(), path.stat().st_mode & 0o7777)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``target``'s sidecar lock file (``.<name>.lock``) while saving.

    The lock is advisory (``fcntl.flock``): every writer goes through
    :func:`save_calls`, so the hash check and the write cannot interleave,
    across threads and processes alike.
    """
    import fcntl

    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{target.name}.lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def save_calls(
    new: str | FundingCatalogue | Mapping[str, Any],
    *,
    author: str,
    comment: str = "",
    path: Path | None = None,
    expected_hash: str | None = None,
    now: dt.datetime | None = None,
) -> Version:
    """Validate and save a new version of the catalogue, keeping the previous one.

    Parameters
    ----------
    new
        The new catalogue: YAML text (comments are kept), plain data or a
        :class:`FundingCatalogue`.
    author
        Who saves (a username); recorded in the history log.
    comment
        Why; recorded in the history log.
    path
        The file to write; default ``funding_calls.yaml`` in the data dir. When
        it does not exist yet, the shipped catalogue counts as the previous version.
    expected_hash
        :func:`content_hash` of the text the editor started from. When given and
        the file changed since, nothing is written.
    now
        The time of the save [UTC]; default now.

    Raises
    ------
    ConfigError
        If the new catalogue is invalid (every problem is listed); nothing is written.
    ConflictError
        If the file changed since the editor read it (``mine``/``theirs`` hold both hashes).
    InputError
        If ``author`` is empty.
    """
    if not author.strip():
        msg = "a catalogue save needs an author (the saving user's name)"
        raise InputError(msg)
    target = path or settings.get().data_dir / "funding_calls.yaml"
    text = new if isinstance(new, str) else to_yaml(new)
    catalogue, problems = parse_text(text, f"{target} (new version)")
    if problems:
        msg = f"The edited funding-call catalogue has {len(problems)} problem(s); nothing was saved:"
        raise ConfigError(msg, problems)
    with _locked(target):
        return _write_version(
            target, text, len(catalogue), author=author.strip(), comment=comment, expected_hash=expected_hash, now=now
        )


def _write_version(
    target: Path,
    text: str,
    calls: int,
    *,
    author: str,
    comment: str,
    expected_hash: str | None,
    now: dt.datetime | None,
) -> Version:
    """Check ``expected_hash`` against the file and write the new version; the caller holds the lock."""
    previous = target if target.is_file() else calls_path()
    old_text = previous.read_text(encoding="utf-8") if previous.is_file() else None
    old_hash = content_hash(old_text) if old_text is not None else None
    if expected_hash is not None and expected_hash != old_hash:
        msg = (
            f"{target} was changed by someone else since you opened it; nothing was saved. "
            "Reload the catalogue, re-apply your edit and save again"
        )
        raise ConflictError(msg, mine={"sha256": expected_hash}, theirs={"sha256": old_hash})
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    kept: str | None = None
    history_dir = _history_dir(target)
    if old_text is not None:
        kept = f"funding_calls.{when:%Y%m%dT%H%M%S%f}Z.yaml"
        _atomic_write(history_dir / kept, old_text)
    version = Version(
        saved_at=when,
        author=author,
        comment=comment,
        sha256=content_hash(text),
        previous_file=kept,
        calls=calls,
    )
    _atomic_write(target, text)
    history_dir.mkdir(parents=True, exist_ok=True)
    with (history_dir / LOG_FILE).open("a", encoding="utf-8") as log:
        entry = {
            "saved_at": when.isoformat(),
            "author": version.author,
            "comment": comment,
            "sha256": version.sha256,
            "previous_file": kept,
            "calls": version.calls,
        }
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return version


def history(path: Path | None = None) -> list[Version]:
    """Every save of the catalogue at ``path`` (default: the data dir's), newest first."""
    target = path or settings.get().data_dir / "funding_calls.yaml"
    log = _history_dir(target) / LOG_FILE
    if not log.is_file():
        return []
    versions = []
    for line in log.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        versions.append(
            Version(
                saved_at=dt.datetime.fromisoformat(entry["saved_at"]),
                author=entry["author"],
                comment=entry.get("comment", ""),
                sha256=entry["sha256"],
                previous_file=entry.get("previous_file"),
                calls=int(entry.get("calls", 0)),
            )
        )
    return versions[::-1]


def previous_text(file_name: str, path: Path | None = None) -> str:
    """The text of a kept version (a ``previous_file`` of :func:`history`).

    Raises
    ------
    SourceNotFoundError
        If no such version is kept.
    """
    target = path or settings.get().data_dir / "funding_calls.yaml"
    folder = _history_dir(target)
    kept = folder / Path(file_name).name
    if not kept.is_file():
        msg = f"no kept catalogue version {file_name!r} in {folder}; list them with history()"
        raise SourceNotFoundError(msg)
    return kept.read_text(encoding="utf-8")


def restore(file_name: str, *, author: str, path: Path | None = None) -> Version:
    """Make a kept version current again; this is a new save, so the replaced version is kept too."""
    text = previous_text(file_name, path)
    return save_calls(text, author=author, comment=f"restored {Path(file_name).name}", path=path)


__all__ = [
    "HISTORY_DIR",
    "Version",
    "content_hash",
    "current_text",
    "history",
    "previous_text",
    "replace_call",
    "restore",
    "save_calls",
    "to_yaml",
]
