"""One module per page, each with a ``render()`` function (see :mod:`gisplan.app.shell`)."""

from __future__ import annotations
