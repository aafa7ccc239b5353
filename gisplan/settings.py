"""Typed settings, read at call time.

Each value comes from an environment variable ``GISPLAN_*`` when it is set, and
from a sensible default otherwise. Nothing is cached: tests and users may change
the environment, or call :func:`override`, and the next call sees it. The
Streamlit app maps ``st.secrets`` onto the environment at start-up; the library
itself never reads ``st.secrets``.

========================  ===========================================  ==========================
variable                  meaning                                      default
========================  ===========================================  ==========================
GISPLAN_DATA_DIR          folder that layer paths are relative to      ``<project>/data``
GISPLAN_LAYERS_DIR        folder holding the layer catalogue YAML      ``<project>/layers``
GISPLAN_DATABASE_URL      SQLAlchemy URL of the store                  SQLite file in data dir
GISPLAN_WORKING_CRS       metric CRS for all geometry work             chosen from the data
GISPLAN_LANG              interface language (cs, en, pl, hu, da)      ``cs``
GISPLAN_CACHE_DIR         cache for OSM downloads                      ``<data dir>/cache``
GISPLAN_MAX_UPLOAD_MB     largest accepted upload [MB]                 ``50``
GISPLAN_BASEMAP           ``osm`` (online tiles) or ``none`` (plain)   ``osm``
GISPLAN_OFFLINE           ``1`` forbids network access (OSM queries)   ``0``
GISPLAN_WARMUP            ``0``: the app prepares nothing ahead of     ``1``
                          the first Map page (benchmark baseline)
GISPLAN_VFR_URL           where ``gisplan region fetch`` downloads     ČÚZK's current-state folder
                          RÚIAN VFR files (tests: a local server)
========================  ===========================================  ==========================
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path

from gisplan.errors import ConfigError, Problem

LANGUAGES = ("cs", "en", "pl", "hu", "da")
BASEMAPS = ("osm", "none")

#: The folder that holds ``gisplan/`` when running from a checkout.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

_overrides: dict[str, object] = {}


@dataclass(frozen=True)
class Settings:
    """A snapshot of all settings at one moment."""

    data_dir: Path
    layers_dir: Path
    database_url: str
    working_crs: str | None
    language: str
    cache_dir: Path
    max_upload_mb: int
    basemap: str
    offline: bool
    warmup: bool = True
    vfr_url: str = "https://vdp.cuzk.cz/vymenny_format/soucasna"


def _env(name: str) -> str | None:
    value = os.environ.get(f"GISPLAN_{name.upper()}")
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _default_root_dir(name: str) -> Path:
    """``<project>/name`` in a checkout, else ``./name``."""
    candidate = PROJECT_ROOT / name
    if candidate.is_dir():
        return candidate
    return Path.cwd() / name


def _parse_bool(name: str, raw: str, problems: list[Problem]) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    problems.append(Problem(f"GISPLAN_{name.upper()}", "", f"{raw!r} is not a yes/no value; use 1 or 0"))
    return False


def _parse_int(name: str, raw: str, problems: list[Problem], *, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        problems.append(Problem(f"GISPLAN_{name.upper()}", "", f"{raw!r} is not a whole number >= {minimum}"))
    return value


def get() -> Settings:
    """Read all settings now, from overrides, the environment and defaults.

    Raises
    ------
    ConfigError
        If any ``GISPLAN_*`` variable holds an invalid value; every bad variable is listed.
    """
    problems: list[Problem] = []
    data_dir = Path(_env("data_dir") or _default_root_dir("data")).expanduser()
    layers_dir = Path(_env("layers_dir") or _default_root_dir("layers")).expanduser()
    database_url = _env("database_url") or f"sqlite:///{(data_dir / 'gisplan.sqlite').as_posix()}"
    language = (_env("lang") or "cs").lower()
    if language not in LANGUAGES:
        problems.append(Problem("GISPLAN_LANG", "", f"{language!r} is not supported; use one of {LANGUAGES}"))
    basemap = (_env("basemap") or "osm").lower()
    if basemap not in BASEMAPS:
        problems.append(Problem("GISPLAN_BASEMAP", "", f"{basemap!r} is not supported; use one of {BASEMAPS}"))
    raw_upload = _env("max_upload_mb")
    max_upload_mb = 50 if raw_upload is None else _parse_int("max_upload_mb", raw_upload, problems, minimum=1)
    raw_offline = _env("offline")
    offline = False if raw_offline is None else _parse_bool("offline", raw_offline, problems)
    raw_warmup = _env("warmup")
    warmup = True if raw_warmup is None else _parse_bool("warmup", raw_warmup, problems)
    vfr_url = (_env("vfr_url") or Settings.vfr_url).rstrip("/")
    if not vfr_url.startswith(("https://", "http://")):
        problems.append(Problem("GISPLAN_VFR_URL", "", f"{vfr_url!r} is not an http(s) address"))
    settings = Settings(
        data_dir=data_dir,
        layers_dir=layers_dir,
        database_url=database_url,
        working_crs=_env("working_crs"),
        language=language,
        cache_dir=Path(_env("cache_dir") or data_dir / "cache").expanduser(),
        max_upload_mb=max_upload_mb,
        basemap=basemap,
        offline=offline,
        warmup=warmup,
        vfr_url=vfr_url,
    )
    if problems:
        msg = "Invalid gisplan settings; fix these environment variables:"
        raise ConfigError(msg, problems)
    if _overrides:
        settings = replace(settings, **_overrides)  # type: ignore[arg-type]
    return settings


@contextmanager
def override(**values: object) -> Iterator[Settings]:
    """Temporarily override settings, e.g. ``with override(data_dir=tmp): ...``."""
    known = {f.name for f in fields(Settings)}
    unknown = set(values) - known
    if unknown:
        msg = f"unknown settings {sorted(unknown)}; known settings are {sorted(known)}"
        raise ConfigError(msg)
    saved = dict(_overrides)
    _overrides.update(values)
    try:
        yield get()
    finally:
        _overrides.clear()
        _overrides.update(saved)
