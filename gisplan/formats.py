"""The registry of input formats: what :func:`gisplan.sources.read` reads and how a file is recognised.

A format is registered once, by the module that defines it; from then on
``gisplan.sources.read(path)`` sniffs and reads it, ``format=<name>`` and
catalogue layers (``format: <name>``) name it, ``gisplan read --help`` lists
it, and, when it names an ``upload_driver``, intake accepts uploads of it. The
built-in formats (``ruian``, ``uk-blr``, ``cz-brownfields``, ``us-epa``,
``osm``, ``vector``) register through the same call when :mod:`gisplan.sources`
is imported.

A registered format provides:

- ``read(path, request) -> GeoDataFrame``: canonical sites in the working CRS
  (see :mod:`gisplan.sources`), given a checked local path and a :class:`ReadRequest`;
- how it is recognised, any of: ``suffixes`` (the name must end in one),
  ``magic`` (a test of the first 4 KiB of the file) and ``detect`` (a test of
  the file on disk). :func:`sniff` is the one sniffer: it asks the formats in
  registration order, and the first whose tests all pass wins;
- ``fixed_crs``: the CRS its files always use (then ``crs=`` is refused), or None;
- ``default_kind``: the site kind of its features when the caller gives none;
- ``where``: whether it takes an OGR SQL ``where`` filter;
- ``upload_driver``: the GDAL driver intake parses uploads of it with (its
  magic bytes must then recognise it), or None when uploads are not accepted.

Example::

    from gisplan.formats import InputFormat, register_format

    register_format(InputFormat("pts", read_pts, "pipe-separated points", suffixes=(".pts",),
                                magic=lambda head: head.startswith(b"PTS1|"), default_kind="brownfield"))
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd

#: How many first bytes :func:`sniff` reads for the magic tests.
HEAD_BYTES = 4096


@dataclass(frozen=True)
class ReadRequest:
    """What the caller asked for besides the path."""

    layer: str | None = None
    where: str | None = None
    columns: Mapping[str, str] | None = None
    kind: str | None = None
    """The site kind asked for, else the format's ``default_kind`` when defaults apply, else None."""
    default_kind: bool = True
    """Whether a format that decides kinds itself (by layer or preset) may apply its defaults."""
    crs: object | None = None
    working_crs: object | None = None
    source_name: str | None = None


Reader = Callable[[Path, ReadRequest], "gpd.GeoDataFrame"]


@dataclass(frozen=True)
class InputFormat:
    """A registered input format (see the module docstring)."""

    name: str
    read: Reader
    description: str = ""
    suffixes: tuple[str, ...] = ()
    magic: Callable[[bytes], bool] | None = None
    detect: Callable[[Path], bool] | None = None
    fixed_crs: str | None = None
    default_kind: str | None = None
    where: bool = True
    upload_driver: str | None = None

    def matches(self, *, name: str | None, head: bytes | None, path: Path | None) -> bool:
        """Whether a file with this name, first bytes and path is of this format (every given test passes)."""
        tests = 0
        if self.suffixes:
            if name is None or not name.lower().endswith(self.suffixes):
                return False
            tests += 1
        if self.magic is not None:
            if head is None or not self.magic(head):
                return False
            tests += 1
        if self.detect is not None:
            if path is None or not self.detect(path):
                return False
            tests += 1
        return tests > 0


_REGISTRY: dict[str, InputFormat] = {}
_builtins_loaded = False


def _load_builtins() -> None:
    global _builtins_loaded  # noqa: PLW0603  (one-time lazy registration of the built-ins)
    if not _builtins_loaded:
        _builtins_loaded = True
        # by name, as a plugin would be loaded: the built-ins depend on this module, not the reverse
        importlib.import_module("gisplan.sources")


def register_format(fmt: InputFormat) -> InputFormat:
    """Register ``fmt``; it is sniffed after the formats registered before it.

    Raises
    ------
    ValueError
        If its name is taken or is ``auto``.
    """
    _load_builtins()
    if fmt.name in _REGISTRY or fmt.name == "auto":
        msg = f"input format {fmt.name!r} is already registered; unregister_format({fmt.name!r}) first"
        raise ValueError(msg)
    _REGISTRY[fmt.name] = fmt
    return fmt


def unregister_format(name: str) -> None:
    """Forget the format ``name`` (tests and plugins that unload)."""
    _REGISTRY.pop(name, None)


def input_formats() -> dict[str, InputFormat]:
    """Every registered format, by name, in sniffing order."""
    _load_builtins()
    return dict(_REGISTRY)


def format_names() -> tuple[str, ...]:
    """``auto`` and every registered format name: the values ``format=`` accepts."""
    return ("auto", *input_formats())


def get_format(name: str) -> InputFormat:
    """The registered format ``name``.

    Raises
    ------
    KeyError
        Naming the registered formats.
    """
    formats = input_formats()
    if name not in formats:
        msg = f"unknown format {name!r}; use one of {', '.join(format_names())}"
        raise KeyError(msg)
    return formats[name]


def sniff(
    path: Path | None = None, *, head: bytes | None = None, name: str | None = None, uploads: bool = False
) -> str | None:
    """The one sniffer: the first registered format whose tests pass, or None.

    Parameters
    ----------
    path
        A checked local file (its name and first bytes are read when not given).
    head
        The first bytes of the file (at least :data:`HEAD_BYTES` when there are that many).
    name
        The file name, for the suffix tests.
    uploads
        Only formats intake accepts uploads of (those with an ``upload_driver``), by their magic bytes alone.
    """
    if path is not None:
        name = name or path.name
        if head is None:
            try:
                with path.open("rb") as stream:
                    head = stream.read(HEAD_BYTES)
            except OSError:
                head = None
    for fmt in input_formats().values():
        if uploads:
            # an upload is judged by its bytes alone, never by its name
            if fmt.upload_driver is not None and fmt.magic is not None and head is not None and fmt.magic(head):
                return fmt.name
        elif fmt.matches(name=name, head=head, path=path):
            return fmt.name
    return None


__all__ = [
    "HEAD_BYTES",
    "InputFormat",
    "ReadRequest",
    "Reader",
    "format_names",
    "get_format",
    "input_formats",
    "register_format",
    "sniff",
    "unregister_format",
]
