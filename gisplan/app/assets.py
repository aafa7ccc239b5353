"""Local copies of the map's JavaScript and CSS, so the map works offline.

folium, its plugins and streamlit-folium load Leaflet, jQuery, Bootstrap, Font
Awesome, Leaflet.draw and Leaflet.markercluster from public CDNs. If one of them
fails to load, streamlit-folium never shows the map. The files are vendored in
``static/vendor/`` (see its README) and served by Streamlit's static file
serving at ``/app/static/vendor/…``; :func:`localize` points every link of a
folium map at them.

streamlit-folium collects the links itself, by walking the map's elements and
reading each element's ``default_js`` / ``default_css``. :func:`localize` sets
those lists on every element instance (the class lists stay untouched), so both
``m.get_root().render()`` and ``st_folium(m)`` use the local copies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gisplan.errors import SourceNotFoundError
from gisplan.settings import PROJECT_ROOT

#: Folder that holds the vendored files in a checkout.
VENDOR_DIR = PROJECT_ROOT / "static" / "vendor"
#: URL path at which Streamlit serves ``static/vendor`` (``server.enableStaticServing``).
DEFAULT_BASE_URL = "/app/static/vendor"

_N = r"\d+"
#: (pattern matched against a CDN URL, file under ``static/vendor``). Patterns
#: accept other minor and patch releases of the same major version, so a folium
#: upgrade that bumps a CDN version keeps working; a new major version or a new
#: plugin has no rule, and :func:`localize` says so.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), path)
    for pattern, path in (
        (rf"/leaflet@1\.{_N}\.{_N}/dist/leaflet\.js$", "leaflet-1.9.4/leaflet.js"),
        (rf"/leaflet@1\.{_N}\.{_N}/dist/leaflet\.css$", "leaflet-1.9.4/leaflet.css"),
        (rf"/jquery-3\.{_N}\.{_N}\.min\.js$", "jquery-3.7.1/jquery.min.js"),
        (rf"/jquery/3\.{_N}\.{_N}/jquery\.min\.js$", "jquery-3.7.1/jquery.min.js"),
        (
            rf"/bootstrap@5\.{_N}\.{_N}/dist/js/bootstrap\.bundle\.min\.js$",
            "bootstrap-5.2.2/js/bootstrap.bundle.min.js",
        ),
        (rf"/bootstrap@5\.{_N}\.{_N}/dist/css/bootstrap\.min\.css$", "bootstrap-5.2.2/css/bootstrap.min.css"),
        (
            rf"/bootstrap/3\.{_N}\.{_N}/css/bootstrap-glyphicons\.css$",
            "bootstrap-glyphicons-3.4.1/css/bootstrap-glyphicons.css",
        ),
        (rf"/fontawesome-free@6\.{_N}\.{_N}/css/all\.min\.css$", "fontawesome-free-6.2.0/css/all.min.css"),
        (
            rf"/Leaflet\.awesome-markers/2\.{_N}\.{_N}/leaflet\.awesome-markers\.js$",
            "leaflet.awesome-markers-2.0.5/leaflet.awesome-markers.js",
        ),
        (
            rf"/Leaflet\.awesome-markers/2\.{_N}\.{_N}/leaflet\.awesome-markers\.css$",
            "leaflet.awesome-markers-2.0.5/leaflet.awesome-markers.css",
        ),
        (
            r"/python-visualization/folium/.*/leaflet\.awesome\.rotate\.min\.css$",
            "folium-0.20.0/leaflet.awesome.rotate.min.css",
        ),
        (rf"/leaflet\.draw/1\.0\.{_N}/leaflet\.draw\.js$", "leaflet-draw-1.0.4/leaflet.draw.js"),
        (rf"/leaflet\.draw/1\.0\.{_N}/leaflet\.draw\.css$", "leaflet-draw-1.0.4/leaflet.draw.css"),
        (
            rf"/leaflet\.markercluster/1\.{_N}\.{_N}/leaflet\.markercluster\.js$",
            "leaflet.markercluster-1.5.3/leaflet.markercluster.js",
        ),
        (
            rf"/leaflet\.markercluster/1\.{_N}\.{_N}/MarkerCluster\.css$",
            "leaflet.markercluster-1.5.3/MarkerCluster.css",
        ),
        (
            rf"/leaflet\.markercluster/1\.{_N}\.{_N}/MarkerCluster\.Default\.css$",
            "leaflet.markercluster-1.5.3/MarkerCluster.Default.css",
        ),
    )
)


def vendored_files() -> list[str]:
    """Every file under ``static/vendor`` that a CDN link can be pointed at, sorted."""
    return sorted({path for _, path in _RULES})


def local_path(url: str) -> str | None:
    """The vendored file (relative to ``static/vendor``) for a CDN ``url``, or ``None``."""
    for pattern, path in _RULES:
        if pattern.search(url):
            return path
    return None


def base_url_for(base_url_path: str = "") -> str:
    """The URL path of ``static/vendor`` for Streamlit's ``server.baseUrlPath``.

    Parameters
    ----------
    base_url_path
        The value of ``server.baseUrlPath`` (``""`` when the app is served at the
        root), with or without slashes.
    """
    prefix = base_url_path.strip("/")
    return f"/{prefix}{DEFAULT_BASE_URL}" if prefix else DEFAULT_BASE_URL


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def _localized(links: list[tuple[str, str]], base: str, unknown: list[str]) -> list[tuple[str, str]]:
    out = []
    for name, url in links:
        path = local_path(url) if _is_remote(url) else None
        if _is_remote(url) and path is None:
            unknown.append(url)
        out.append((name, f"{base}/{path}" if path else url))
    return out


def localize(m: Any, *, base_url: str = DEFAULT_BASE_URL) -> Any:
    """Point every script and stylesheet link of a folium map at the vendored copies.

    Call it after adding every plugin and layer, and before rendering.

    Parameters
    ----------
    m
        A ``folium.Map`` (or any branca element); changed in place.
    base_url
        URL path at which ``static/vendor`` is served (see :func:`base_url_for`).

    Returns
    -------
    folium.Map
        ``m`` itself, for chaining.

    Raises
    ------
    SourceNotFoundError
        Listing every CDN link that has no local copy, and every branca colormap
        (streamlit-folium loads d3 from a CDN for those). The map is left
        unchanged: vendor the file in ``static/vendor`` and add a rule to
        ``gisplan.app.assets`` first.
    """
    import branca.colormap
    from branca.element import CssLink, JavascriptLink

    base = base_url.rstrip("/")
    unknown: list[str] = []
    changes: list[tuple[Any, str, object]] = []
    root = m.get_root() if hasattr(m, "get_root") else m
    seen: set[int] = set()
    for element in [*_walk(m), *_walk(root)]:
        if id(element) in seen:
            continue
        seen.add(id(element))
        if isinstance(element, branca.colormap.ColorMap):
            unknown.append(f"d3 for the branca colormap {type(element).__name__} (use a plain HTML legend)")
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if links:
                changes.append((element, attr, _localized(list(links), base, unknown)))
        if isinstance(element, JavascriptLink | CssLink) and _is_remote(element.url):
            path = local_path(element.url)
            if path is None:
                unknown.append(element.url)
            changes.append((element, "url", f"{base}/{path}"))
    if unknown:
        listed = "\n".join(f"  - {url}" for url in dict.fromkeys(unknown))
        msg = (
            f"the map needs {len(set(unknown))} file(s) with no local copy in {VENDOR_DIR}, "
            f"so it would not load offline:\n{listed}\n"
            "vendor them from the npm registry (see static/vendor/README.md) and add rules to gisplan/app/assets.py"
        )
        raise SourceNotFoundError(msg)
    for element, attr, value in changes:
        setattr(element, attr, value)
    return m


def missing_vendored_files(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """Files named by the rules that are absent from ``vendor_dir`` (empty when complete)."""
    return [path for path in vendored_files() if not (vendor_dir / path).is_file()]
