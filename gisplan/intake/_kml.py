"""KML is checked with a safe XML parser before GDAL sees it.

``defusedxml`` refuses any DTD, so neither external entities (which can read
local files or call servers) nor nested entity expansion ("billion laughs") can
happen. Network links are refused too: they make a KML reader fetch other files.
The file is parsed as a stream, so memory stays flat however large it is.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # only for the ParseError type; parsing goes through defusedxml
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from gisplan.intake._types import reject

_FORBIDDEN_TAGS = {"networklink": "a NetworkLink (it makes the reader fetch another file)"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def check_kml(path: Path, *, label: str) -> None:
    """Refuse a KML with a DTD, entities, external references or network links, or that is not KML.

    Raises
    ------
    UploadRejectedError
        ``xml_unsafe`` or ``xml_invalid``.
    """
    root_seen = False
    try:
        for event, element in iterparse(str(path), events=("start",), forbid_dtd=True):
            if event != "start":  # pragma: no cover - only start events are asked for
                continue
            tag = _local(element.tag) if isinstance(element.tag, str) else ""
            if not root_seen:
                root_seen = True
                if tag != "kml":
                    msg = f"{label}: the XML root is <{tag}>, not <kml>; upload a KML file exported by a GIS"
                    raise reject(msg, "xml_invalid")
            if tag in _FORBIDDEN_TAGS:
                msg = f"{label}: the KML holds {_FORBIDDEN_TAGS[tag]}; save the features themselves as KML"
                raise reject(msg, "xml_unsafe")
    except DefusedXmlException as exc:
        msg = (
            f"{label}: the KML holds a DTD, entity declarations or external references ({type(exc).__name__}), "
            "which can read other files or expand without end; export it again from a GIS"
        )
        raise reject(msg, "xml_unsafe") from exc
    except ET.ParseError as exc:
        msg = f"{label}: the KML is not well-formed XML ({exc}); export it again"
        raise reject(msg, "xml_invalid") from exc


__all__ = ["check_kml"]
