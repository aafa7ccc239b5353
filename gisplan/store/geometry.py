"""A geometry column that is WKB on SQLite and ``geometry(Geometry, SRID)`` on PostGIS.

Python code always sees shapely geometries. On SQLite the column is a BLOB of
ISO WKB and the store keeps ``minx/miny/maxx/maxy`` bounding-box columns beside
it for view queries. On PostgreSQL it is a real PostGIS geometry with an SRID
(the working CRS, EPSG:5514 for Czech data) and a GiST index; values travel as
hex EWKB text, which PostGIS reads and writes without any SQL function.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType


class PostGISGeometry(UserDefinedType[Any]):
    """The PostGIS column type ``geometry(Geometry, srid)``."""

    cache_ok = True

    def __init__(self, srid: int | None = None) -> None:
        self.srid = srid

    def get_col_spec(self, **kw: Any) -> str:
        """DDL of the column."""
        return f"geometry(Geometry,{self.srid})" if self.srid else "geometry"


class Geometry(TypeDecorator[BaseGeometry]):
    """A shapely geometry column; the SRID must be set on the value for PostGIS (``shapely.set_srid``).

    Parameters
    ----------
    srid
        EPSG code of the column's CRS; used only for the PostGIS DDL.
    """

    impl = LargeBinary
    cache_ok = True

    def __init__(self, srid: int | None = None) -> None:
        super().__init__()
        self.srid = srid

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """PostGIS geometry on PostgreSQL, BLOB elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PostGISGeometry(self.srid))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: BaseGeometry | None, dialect: Dialect) -> Any:
        """Shapely geometry to WKB bytes (SQLite) or hex EWKB with SRID (PostGIS)."""
        if value is None:
            return None
        if dialect.name == "postgresql":
            return shapely.to_wkb(value, hex=True, include_srid=True)
        return shapely.to_wkb(value, include_srid=False)

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        """WKB bytes or hex EWKB to a shapely geometry."""
        if value is None:
            return None
        if isinstance(value, memoryview):
            value = bytes(value)
        geom: BaseGeometry = shapely.from_wkb(value)
        return geom
