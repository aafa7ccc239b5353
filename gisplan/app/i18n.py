"""The app's interface texts: the project's one text catalogue (:mod:`gisplan.texts`), as the pages import it."""

from __future__ import annotations

from gisplan.texts import *  # noqa: F403 - this module is gisplan.texts under the name the pages use
from gisplan.texts import __all__  # noqa: F401 - the names re-exported above
