"""Zip archives: checked member by member before anything is used.

The checks follow the usual zip-bomb and zip-slip advice: a cap on the member
count, the inflated size counted while reading (the sizes in the header can
lie), no absolute or ``..`` paths, no symbolic links, no encrypted or nested
archives. Members are written under names we choose, flat in a fresh folder, so
nothing the archive says about paths reaches the file system.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gisplan.errors import Problem
from gisplan.intake._types import MB, IntakeLimits, reject

#: Members that can hold the data, in order of preference.
DATA_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".csv")
#: Sidecars a shapefile cannot be read without.
SHAPEFILE_REQUIRED = (".shx", ".dbf")
#: Sidecars kept next to the .shp (others are ignored).
SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")
_CHUNK = 1024 * 1024
_IGNORED_PREFIXES = ("__MACOSX/",)


@dataclass(frozen=True)
class ZipContent:
    """The data member taken out of an archive."""

    #: The extracted data file (``.shp`` for a shapefile) under a name we chose.
    path: Path
    #: The member's name in the archive (for messages).
    member: str
    #: ``shapefile``, or ``inner`` for a single GeoJSON, GeoPackage, KML or CSV member (to be sniffed).
    kind: str


def _unsafe_name(name: str) -> str | None:
    text = name.replace("\\", "/")
    pure = PurePosixPath(text)
    if pure.is_absolute() or (len(text) > 1 and text[1] == ":"):
        return "an absolute path"
    if ".." in pure.parts:
        return "a '..' path that climbs out of the archive"
    if "\x00" in name:
        return "a NUL byte in its name"
    return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return stat.S_ISLNK(mode)


def _check_members(infos: list[zipfile.ZipInfo], label: str, limits: IntakeLimits) -> None:
    if len(infos) > limits.max_zip_members:
        msg = (
            f"{label}: the zip holds {len(infos)} members, more than {limits.max_zip_members}; "
            "zip only the layer's files"
        )
        raise reject(msg, "zip_bomb")
    problems: list[Problem] = []
    for info in infos:
        unsafe = _unsafe_name(info.filename)
        if unsafe:
            problems.append(Problem(label, info.filename, f"member name is {unsafe}"))
        elif _is_link(info):
            problems.append(Problem(label, info.filename, "member is a symbolic link"))
        elif info.flag_bits & 0x1:
            problems.append(Problem(label, info.filename, "member is encrypted"))
        elif info.filename.lower().endswith((".zip", ".vrt", ".ovf")):
            problems.append(Problem(label, info.filename, "nested archives and VRT files are not accepted"))
    if problems:
        msg = f"{label}: the zip holds unsafe members; re-create the archive from the layer's files only:"
        raise reject(msg, "zip_unsafe", problems=problems)
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_inflated_mb * MB:
        msg = (
            f"{label}: the zip would inflate to {declared / MB:.0f} MB, more than {limits.max_inflated_mb:.0f} MB; "
            "upload a smaller layer"
        )
        raise reject(msg, "zip_bomb")


def _choose(names: list[str], label: str, layer: str | None) -> str:
    data = [n for n in names if n.lower().endswith(DATA_SUFFIXES)]
    if not data:
        shown = ", ".join(names[:20]) or "nothing"
        msg = f"{label}: the zip holds no .shp, .gpkg, .geojson, .kml or .csv file (it holds {shown})"
        raise reject(msg, "zip_content")
    if len(data) == 1:
        return data[0]
    stems = tuple(PurePosixPath(n).stem for n in data)
    chosen = [n for n in data if layer is not None and PurePosixPath(n).stem == layer]
    if len(chosen) == 1:
        return chosen[0]
    msg = f"{label}: the zip holds several layers ({', '.join(stems)}); choose one"
    raise reject(msg, "choose_layer", choices=stems)


class _Budget:
    """Inflated bytes left, counted while reading."""

    def __init__(self, limit: int, label: str) -> None:
        self.left = limit
        self.limit = limit
        self.label = label

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            msg = (
                f"{self.label}: the zip inflates to more than {self.limit / MB:.0f} MB (a zip bomb?); "
                "upload a smaller layer"
            )
            raise reject(msg, "zip_bomb")


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: _Budget) -> None:
    try:
        with archive.open(info) as src, target.open("wb") as dst:
            while True:
                chunk = src.read(_CHUNK)
                if not chunk:
                    break
                budget.take(len(chunk))
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        msg = f"{budget.label}: the member {info.filename} cannot be unpacked ({exc}); re-create the archive"
        raise reject(msg, "zip_content") from exc


def open_zip(path: Path, workdir: Path, *, label: str, layer: str | None, limits: IntakeLimits) -> ZipContent:
    """Check a zip upload and extract its data member (and a shapefile's sidecars) into ``workdir``.

    Parameters
    ----------
    path
        The uploaded zip, written by us to a private folder.
    workdir
        An empty private folder for the extracted files.
    label
        How messages name the upload.
    layer
        The stem of the member to use when the zip holds several layers.
    limits
        Member count and inflated-size caps.

    Raises
    ------
    UploadRejectedError
        ``zip_bomb``, ``zip_unsafe``, ``zip_content`` (missing shapefile sidecars, no data) or
        ``choose_layer``.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        msg = f"{label}: not a readable zip archive ({exc}); re-create it"
        raise reject(msg, "zip_content") from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        _check_members(infos, label, limits)
        infos = [i for i in infos if not i.filename.startswith(_IGNORED_PREFIXES)]
        by_name = {i.filename: i for i in infos}
        member = _choose(list(by_name), label, layer)
        budget = _Budget(int(limits.max_inflated_mb * MB), label)
        stem, suffix = member[: -len(PurePosixPath(member).suffix)], PurePosixPath(member).suffix.lower()
        if suffix != ".shp":
            target = workdir / f"inner{suffix}"
            _extract(archive, by_name[member], target, budget)
            return ZipContent(target, member, "inner")
        lowered = {name.lower(): name for name in by_name}
        missing = [s for s in SHAPEFILE_REQUIRED if (stem + s).lower() not in lowered]
        if missing:
            msg = (
                f"{label}: the shapefile {member} lacks {', '.join(stem.split('/')[-1] + s for s in missing)}; "
                "zip the .shp together with its .shx, .dbf and .prj files"
            )
            raise reject(msg, "zip_content")
        _extract(archive, by_name[member], workdir / "layer.shp", budget)
        for sidecar in SHAPEFILE_SIDECARS:
            name = lowered.get((stem + sidecar).lower())
            if name is not None:
                _extract(archive, by_name[name], workdir / f"layer{sidecar}", budget)
        return ZipContent(workdir / "layer.shp", member, "shapefile")


__all__ = ["DATA_SUFFIXES", "ZipContent", "open_zip"]
