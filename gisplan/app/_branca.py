"""Render folium maps without branca's second Jinja pass over every rendered piece.

branca's ``MacroElement.render`` renders an element's ``header``, ``html`` and
``script`` macros, then wraps each output in a new ``Element(text)``, which
*compiles the output as a Jinja template* and renders it once more when the page
is put together. That second pass

- costs a Jinja compilation per element and run (about 130 per Map page run, half
  of ``st_folium``'s time; the GeoJSON of the sites is lexed as template source),
- and runs any ``{{ … }}`` or ``{% … %}`` that reached the map as data as Jinja
  code on the server (``escape_html`` turns braces into references, so our own
  texts hold none; this closes the door for anything else).

:func:`install` replaces ``MacroElement.render`` by the same steps with the
outputs kept as plain text. Macro outputs are finished HTML and JavaScript; no
folium element relies on the second pass (the map, asset and page tests render
every element the app uses).
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.features import GeoJson, GeoJsonDetail, GeoJsonStyleMapper, TopoJson
from jinja2 import Template

_PARTS = ("header", "html", "script")
#: branca's own ``MacroElement.render`` (for tests that show what it does).
BRANCA_RENDER = MacroElement.render
BRANCA_CREATE_MAPPING = GeoJsonStyleMapper._create_mapping
_FOLIUM_DETAIL_RENDER = GeoJsonDetail.render


def folium_detail_render() -> Any:
    """folium's own ``GeoJsonDetail.render`` (for tests that compare the output)."""
    return _FOLIUM_DETAIL_RENDER


class RenderedText(Element):
    """A finished piece of the page, put in as it is (never compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RenderedText"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text itself."""
        return self.text


def _render(self: MacroElement, **kwargs: Any) -> None:
    figure = self.get_root()
    if not isinstance(figure, Figure):
        msg = "You cannot render this Element if it is not in a Figure."
        raise TypeError(msg)
    module = self._template.module.__dict__
    targets = {"header": figure.header, "html": figure.html, "script": figure.script}
    for part in _PARTS:
        macro = module.get(part)
        if macro is not None:
            targets[part].add_child(RenderedText(str(macro(self, kwargs))), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


#: The table style a ``GeoJsonTooltip``/``GeoJsonPopup`` puts in the page header, compiled once
#: (folium compiles it anew for every tooltip on every run, and branca's ``Element`` compiles its
#: output once more: two Jinja compilations per tooltip, about 15 per Map page run).
_DETAIL_STYLE = Template(
    """
                    <style>
                        .{{ this.class_name }} {
                            {{ this.style }}
                        }
                       .{{ this.class_name }} table{
                            margin: auto;
                        }
                        .{{ this.class_name }} tr{
                            text-align: left;
                        }
                        .{{ this.class_name }} th{
                            padding: 2px; padding-right: 8px;
                        }
                    </style>
            """  # folium 0.20's text, byte for byte
)


def _detail_render(self: GeoJsonDetail, **kwargs: Any) -> None:
    """``GeoJsonDetail.render`` with the style template compiled once and its output kept as text."""
    figure = self.get_root()
    if not isinstance(figure, Figure):
        msg = "You cannot render this Element if it is not in a Figure."
        raise TypeError(msg)
    if not isinstance(self._parent, GeoJson | TopoJson):
        msg = f"You cannot add a {self._name} to anything other than a GeoJson or TopoJson object."
        raise TypeError(msg)
    if isinstance(self._parent, GeoJson):
        features = self._parent.data["features"]
        keys = tuple(features[0]["properties"].keys() if features else [])
        self.warn_for_geometry_collections()
    else:
        name = self._parent.object_path.split(".")[-1]
        keys = tuple(self._parent.data["objects"][name]["geometries"][0]["properties"].keys())
    keys = tuple(x for x in keys if x not in ("style", "highlight"))
    for value in self.fields:
        if value not in keys:
            msg = f"The field {value} is not available in the data. Choose from: {keys}."
            raise AssertionError(msg)
    style = RenderedText(_DETAIL_STYLE.render(this=self))
    figure.header.add_child(style, name=self.get_name() + "tablestyle")
    _render(self, **kwargs)


def _create_mapping(self: GeoJsonStyleMapper, func: Any, switch: str) -> dict[str, Any]:
    """folium's style mapping with one JSON key per distinct style, not one ``json.dumps`` per feature.

    Styles that hold a folium object (a colormap) take folium's own path.
    """
    keys: dict[tuple[Any, ...], str] = {}
    mapping: dict[str, Any] = {}
    for feature in self.data["features"]:
        content = func(feature)
        try:
            plain = tuple(sorted(content.items()))
            hash(plain)
        except TypeError:
            plain = None
        if plain is None or any(isinstance(v, MacroElement) for _, v in plain):
            return BRANCA_CREATE_MAPPING(self, func, switch)
        key = keys.get(plain)
        if key is None:
            key = keys[plain] = self._to_key(content)
        mapping.setdefault(key, []).append(self.get_feature_id(feature))
    self._set_default_key(mapping)
    return mapping


#: JSON texts of large documents that many page runs embed unchanged (the context layers), by ``id``.
_TEXTS: dict[int, tuple[object, str]] = {}
_TEXTS_MAX = 64


def _dumps(value: Any, **kwargs: Any) -> str:
    """Jinja's ``tojson`` dumps: the text made once by :func:`remember_json`, else ``json.dumps``."""
    known = _TEXTS.get(id(value))
    if known is not None and known[0] is value and kwargs == {"sort_keys": True}:
        return known[1]
    return json.dumps(value, **kwargs)


def remember_json(value: Any) -> None:
    """Make the JSON text of ``value`` once: every later ``tojson`` of this very object reuses it.

    For documents that are not changed after this call (the context layers' GeoJSON, made
    once per catalogue revision and embedded in every Map page run: about 1 MB on the demo
    region, 0.1 s of ``json.dumps`` with sorted keys per run).
    """
    if len(_TEXTS) >= _TEXTS_MAX:
        _TEXTS.clear()
    _TEXTS[id(value)] = (value, json.dumps(value, sort_keys=True))


def install() -> None:
    """Make every ``MacroElement`` (folium's maps, layers, controls) render without the second pass; idempotent.

    Also renders GeoJSON tooltips and popups without compiling their style again, and makes
    GeoJSON style maps with one JSON text per distinct style.
    """
    if MacroElement.render is not _render:
        MacroElement.render = _render  # type: ignore[method-assign]
    GeoJsonDetail.render = _detail_render  # type: ignore[method-assign]
    GeoJsonStyleMapper._create_mapping = _create_mapping  # type: ignore[method-assign]
    GeoJson._template.environment.policies["json.dumps_function"] = _dumps  # the environment of folium's templates


def installed() -> bool:
    """True when :func:`install` is in effect."""
    return MacroElement.render is _render and GeoJsonDetail.render is _detail_render


__all__ = ["RenderedText", "install", "installed"]
