"""gisplan: GIS planning for regions in transition.

Find and explain candidate sites (brownfields, rooftops, municipal land) for
solar PV, community energy and redevelopment.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from gisplan import crs, errors, settings

if TYPE_CHECKING:
    from gisplan.scoring import score

try:
    __version__ = version("gisplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"


def __getattr__(name: str) -> object:
    # ``gisplan.score`` loads pandas and the scoring engine on first use, keeping ``import gisplan`` fast
    if name == "score":
        from gisplan.scoring import score

        return score
    msg = f"module 'gisplan' has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = ["__version__", "crs", "errors", "score", "settings"]
