"""What an uploaded file really is, judged from its bytes, never from its name.

Only five kinds go on: ``zip`` (a shapefile or one other kind zipped), ``gpkg``,
``geojson``, ``kml`` and ``csv``. Each maps to exactly one GDAL driver
(:data:`DRIVERS`); the parsing child registers no other driver, so a file can
never be opened as a VRT, a remote source or anything else.

The name is trusted only to verify: a file whose extension promises one kind
(``.geojson``, ``.kml``, ``.gpkg``, ``.zip``, ``.csv``) but whose bytes are another
is refused with ``extension_mismatch``, saying what the name promised and what
the bytes are, rather than parsed as whatever its bytes resemble (a ``.geojson``
of plain text would otherwise be read as CSV and refused for its columns).
"""

from __future__ import annotations

import re

from gisplan.formats import get_format
from gisplan.formats import sniff as sniff_registered
from gisplan.intake._types import reject

#: The GDAL driver of each accepted kind (CSV is parsed by gisplan's own reader).
DRIVERS: dict[str, str] = {
    "geojson": "GeoJSON",
    "shapefile": "ESRI Shapefile",
    "gpkg": "GPKG",
    "kml": "KML",
    "csv": "CSV",
}
ACCEPTED = "GeoJSON, a zipped Shapefile (.shp, .shx, .dbf, .prj), GeoPackage, KML, or CSV with lat/lon or WKT columns"

_SQLITE = b"SQLite format 3\x00"
#: ``application_id`` values of a GeoPackage: "GPKG", and "GP10"/"GP11" of GeoPackage 1.0/1.1.
GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
_VRT_MARKERS = (b"<ogrvrtdatasource", b"<vrtdataset", b"<gdal_wms", b"<wms_capabilities")
_JSON_TYPES = re.compile(
    rb'"type"\s*:\s*"(FeatureCollection|Feature|Point|MultiPoint|Polygon|MultiPolygon|'
    rb'LineString|MultiLineString|GeometryCollection|Topology)"'
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
#: The kind each extension promises: (kind, what the bytes fail to be, the format to export again as).
EXTENSION_KINDS: dict[str, tuple[str, str, str]] = {
    ".geojson": ("geojson", "valid GeoJSON", "GeoJSON"),
    ".json": ("geojson", "valid GeoJSON", "GeoJSON"),
    ".kml": ("kml", "valid KML", "KML"),
    ".gpkg": ("gpkg", "a valid GeoPackage", "GeoPackage"),
    ".zip": ("zip", "a valid zip archive", "a zip archive"),
    ".csv": ("csv", "a CSV table", "CSV"),
}
_KIND_NAMES = {
    "geojson": "GeoJSON",
    "kml": "KML",
    "gpkg": "a GeoPackage",
    "zip": "a zip archive",
    "csv": "plain text (not JSON, XML or a known binary format)",
}


def driver_of(kind: str) -> str:
    """The one GDAL driver that parses an upload of ``kind`` (a registered format's ``upload_driver``)."""
    driver = DRIVERS.get(kind) or get_format(kind).upload_driver
    assert driver is not None, kind
    return driver


def suffix_of(kind: str) -> str:
    """The file ending an upload of a registered format is parsed under."""
    suffixes = get_format(kind).suffixes
    return suffixes[0] if suffixes else ""


def is_vsi_name(name: str) -> bool:
    """True for GDAL virtual file names such as ``/vsizip/…`` or ``/vsicurl/…``."""
    return "/vsi" in name.replace("\\", "/").lower()


def _text_head(head: bytes) -> bytes:
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    return head.lstrip()


def _binary_kind(head: bytes, label: str) -> str | None:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(_SQLITE):
        if head[68:72] in GPKG_IDS:
            return "gpkg"
        msg = f"{label}: is an SQLite database but not a GeoPackage; export the layer as GeoPackage (.gpkg)"
        raise reject(msg, "not_geopackage")
    if head.startswith((b"\x1f\x8b", b"BZh", b"7z\xbc\xaf")):
        msg = f"{label}: is compressed (gzip, bzip2 or 7z); upload the file itself or a .zip archive"
        raise reject(msg, "unknown_type")
    if head.startswith(b"\x00\x00\x27\x0a"):
        msg = f"{label}: is the .shp part of a shapefile only; zip it with its .shx, .dbf and .prj and upload the zip"
        raise reject(msg, "zip_content")
    return None


def _starts_with(text: bytes) -> str:
    """The first characters of a text file, printable, for messages."""
    shown = text[:40].decode("utf-8", errors="replace")
    shown = "".join(ch if ch.isprintable() else " " for ch in shown).strip()
    return f"{shown}…" if len(text) > 40 else shown


def sniff(head: bytes, label: str, *, filename: str | None = None) -> str:
    """The kind of a file from its first bytes: ``zip``, ``gpkg``, ``geojson``, ``kml`` or ``csv``.

    Parameters
    ----------
    head
        The first few kilobytes of the file (4 KiB or more).
    label
        How messages name the file (the user's file name; never opened).
    filename
        The user's file name; when its extension promises a kind (:data:`EXTENSION_KINDS`),
        the bytes must be of that kind.

    Raises
    ------
    UploadRejectedError
        For VRT XML (also when named ``.geojson``), other XML, SQLite that is not a GeoPackage,
        compressed or binary files, and anything else not on the list; ``extension_mismatch``
        when the bytes are not what the extension promises.
    """
    kind = _sniff(head, label)
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if filename and "." in filename else ""
    promised = EXTENSION_KINDS.get(suffix)
    if promised is None or promised[0] == kind:
        return kind
    found = _KIND_NAMES.get(kind, kind)
    if kind == "csv":
        found += f", starting {_starts_with(_text_head(head))!r}"
    msg = (
        f"{label}: the file ends in {suffix} but is not {promised[1]} (its content is {found}); "
        f"export the data again as {promised[2]}, or give the file the extension of what it holds"
    )
    raise reject(msg, "extension_mismatch")


def _sniff(head: bytes, label: str) -> str:
    if not head:
        msg = f"{label}: the file is empty; upload {ACCEPTED}"
        raise reject(msg, "empty_file")
    # the one sniffer (gisplan.formats): a registered format intake accepts uploads of, by its magic bytes
    registered = sniff_registered(head=head, uploads=True)
    if registered is not None:
        return registered
    kind = _binary_kind(head, label)
    if kind is not None:
        return kind
    text = _text_head(head)
    lowered = text.lower()
    if any(marker in lowered for marker in _VRT_MARKERS):
        msg = (
            f"{label}: holds a GDAL VRT/WMS description, which can point at any file or server, whatever the file "
            "is called; upload the data itself as GeoJSON or GeoPackage"
        )
        raise reject(msg, "vrt")
    if text.startswith(b"<"):
        if b"<kml" in lowered or b":kml" in lowered:
            return "kml"
        msg = f"{label}: is XML but not KML (GML and other XML are not accepted); upload {ACCEPTED}"
        raise reject(msg, "unknown_type")
    if text.startswith((b"{", b"[")):
        match = _JSON_TYPES.search(text)
        if match is None:
            msg = f'{label}: is JSON but not GeoJSON (no "type": "FeatureCollection"); export it as GeoJSON'
            raise reject(msg, "unknown_type")
        if match.group(1) == b"Topology":
            msg = f"{label}: is TopoJSON, which is not accepted; export it as GeoJSON"
            raise reject(msg, "unknown_type")
        return "geojson"
    if b"\x00" in head:
        msg = f"{label}: is a binary file of a kind we do not accept; upload {ACCEPTED}"
        raise reject(msg, "unknown_type")
    return "csv"


__all__ = ["ACCEPTED", "DRIVERS", "EXTENSION_KINDS", "GPKG_IDS", "driver_of", "is_vsi_name", "sniff", "suffix_of"]
