"""The registry of measure types: what a profile's ``measures:`` entries may be.

A measure type is registered once, by the module that defines it, and from then
on a profile may name it by its ``type`` key; :mod:`gisplan.profiles` validates
each entry with the registered config model, and :mod:`gisplan.measures` runs it
with the registered run function. The built-in types (``raster``, ``proximity``,
``overlay``, ``admin``, ``demand``) register through the same call, in
:mod:`gisplan.builtin_measures`.

A registered measure type provides:

- ``config``: a pydantic model subclassing :class:`MeasureConfig`, with a
  ``type: Literal["<key>"]`` field, its own parameters, and a :meth:`MeasureConfig.columns`
  method naming its output columns and their units;
- ``run``: ``run(sites, measure, layer, context) -> DataFrame`` giving those
  columns for the sites (geometries in the working metric CRS); ``layer`` is the
  filled slot (a GeoDataFrame, or a :class:`gisplan.measures.Raster`), never
  ``None`` (a missing optional layer gives NaN columns without calling it);
- ``cost_rank``: how dear it is per site (0 dearest), so that the long measures
  start first when the measures run side by side.

Example::

    from typing import Literal
    from gisplan.measure_registry import MeasureConfig, register_measure

    class CountMeasure(MeasureConfig):
        type: Literal["count"]
        name: str

        def columns(self) -> dict[str, str]:
            return {f"{self.name}_count": "features"}

    def run_count(sites, measure, layer, context):
        ...  # a DataFrame with the column above, indexed like sites

    register_measure("count", CountMeasure, run_count, cost_rank=4)
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")


def check_name(value: str) -> str:
    """``value`` if it is a valid layer, measure or rule name (2-63 of a-z, 0-9, _; a letter first)."""
    if not _NAME_RE.match(value):
        msg = "must be 2-63 characters of lower-case letters, digits and _, starting with a letter"
        raise ValueError(msg)
    return value


class MeasureConfig(BaseModel):
    """What every measure entry of a profile has: its ``type``, a layer slot and whether the slot may be missing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    layer: str
    optional: bool = Field(default=False, description="a missing layer gives empty columns instead of an error")

    _layer_name = field_validator("layer")(check_name)

    @property
    def key(self) -> str:
        """The registered type key (the ``type`` field of subclasses)."""
        return str(getattr(self, "type", ""))

    def columns(self) -> dict[str, str]:
        """Output column -> unit."""
        raise NotImplementedError


@dataclass(frozen=True)
class MeasureContext:
    """What else a run function may read: every filled slot and the profile being scored."""

    resolved: Mapping[str, Any]
    """Slot -> filled layer (GeoDataFrame, :class:`gisplan.measures.Raster` or None)."""
    profile: Any
    """The :class:`gisplan.profiles.Profile`."""


RunMeasure = Callable[["gpd.GeoDataFrame", Any, Any, MeasureContext], "pd.DataFrame"]


@dataclass(frozen=True)
class MeasureType:
    """A registered measure type (see the module docstring)."""

    key: str
    config: type[MeasureConfig]
    run: RunMeasure
    cost_rank: int


_REGISTRY: dict[str, MeasureType] = {}
_builtins_loaded = False


def register_measure(key: str, config: type[MeasureConfig], run: RunMeasure, *, cost_rank: int) -> MeasureType:
    """Register a measure type under ``key`` (its config's ``type`` literal); return the entry.

    Raises
    ------
    ValueError
        If ``key`` is already registered or is no valid name.
    """
    check_name(key)
    _load_builtins()
    if key in _REGISTRY:
        msg = f"measure type {key!r} is already registered; unregister_measure({key!r}) first"
        raise ValueError(msg)
    entry = MeasureType(key, config, run, cost_rank)
    _REGISTRY[key] = entry
    _adapter.cache_clear()
    return entry


def unregister_measure(key: str) -> None:
    """Forget the measure type ``key`` (tests and plugins that unload)."""
    _REGISTRY.pop(key, None)
    _adapter.cache_clear()


def _load_builtins() -> None:
    global _builtins_loaded  # noqa: PLW0603  (one-time lazy registration of the built-ins)
    if not _builtins_loaded:
        _builtins_loaded = True
        # by name, as a plugin would be loaded: the built-ins depend on this module, not the reverse
        importlib.import_module("gisplan.builtin_measures")


def measure_types() -> dict[str, MeasureType]:
    """Every registered measure type, by key, in registration order (built-ins first)."""
    _load_builtins()
    return dict(_REGISTRY)


def measure_type(key: str) -> MeasureType:
    """The registered measure type ``key``.

    Raises
    ------
    KeyError
        Naming the registered keys.
    """
    types = measure_types()
    if key not in types:
        msg = f"no measure type {key!r}; registered: {sorted(types)}"
        raise KeyError(msg)
    return types[key]


class _Cache:
    def __init__(self) -> None:
        self.value: TypeAdapter[Any] | None = None

    def cache_clear(self) -> None:
        self.value = None

    def __call__(self) -> TypeAdapter[Any]:
        if self.value is None:
            from typing import Annotated, Union

            models = tuple(t.config for t in measure_types().values())
            union = Union[models]  # type: ignore[valid-type]  # noqa: UP007  (built at run time)
            self.value = TypeAdapter(Annotated[union, Field(discriminator="type")])
        return self.value


_adapter = _Cache()


def validate_measure(value: Any) -> MeasureConfig:
    """``value`` (a mapping from YAML) validated by the config model its ``type`` names.

    Raises
    ------
    pydantic.ValidationError
        With the field locations inside the entry (``<type>.<field>``).
    """
    if isinstance(value, MeasureConfig):
        return value
    result = _adapter().validate_python(value)
    assert isinstance(result, MeasureConfig)
    return result


__all__ = [
    "MeasureConfig",
    "MeasureContext",
    "MeasureType",
    "RunMeasure",
    "check_name",
    "measure_type",
    "measure_types",
    "register_measure",
    "unregister_measure",
    "validate_measure",
]
