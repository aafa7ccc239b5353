"""gisplan: GIS planning for regions in transition.

Find and explain candidate sites (brownfields, rooftops, municipal land) for
solar PV, community energy and redevelopment.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from gisplan import crs, errors, settings

try:
    __version__ = version("gisplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__", "crs", "errors", "settings"]
