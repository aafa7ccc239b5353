"""A first layer catalogue for a folder of files (``gisplan layers scaffold``).

:func:`scaffold` inspects every file of a data folder
(:mod:`gisplan._scaffold_inspect`), proposes for each layer a catalogue entry (id,
Czech and English title, kind, role, site kind and source) and the profile slot
it would fill, and says why in a YAML comment. The proposals are guesses from
file names, layer names, geometry types and fields; the user reads them, fixes
what is wrong and fills in each ``licence: "TODO: …"``.

A slot is filled by the layer whose id ends in ``_<slot>`` (:mod:`gisplan.measures`),
so the scaffold gives each slot to one layer only, the most likely one; another
layer that would fill the same slot is written commented out, with the reason.
RÚIAN parcels are written commented out too unless the folder holds an ownership
list: every parcel of a municipality is not municipal land.

:func:`slot_report` then tells, per scoring profile, which slots the proposal
fills and which stay unfilled.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from gisplan._scaffold_inspect import Found, inspect_folder
from gisplan.errors import InputError

if TYPE_CHECKING:
    from gisplan.catalogue import Catalogue
    from gisplan.profiles import Profile

#: Slot -> (Czech title, English title) of the layer that fills it.
SLOT_TITLES = {
    "buildings": ("Budovy", "Buildings"),
    "municipalities": ("Obce", "Municipalities"),
    "substations": ("Rozvodny", "Substations"),
    "power_lines": ("Vedení VN/VVN", "Power lines"),
    "roads": ("Silnice", "Roads"),
    "protected_areas": ("Chráněná území", "Protected areas"),
    "flood_zones": ("Záplavová území", "Flood zones"),
    "acceleration_areas": ("Akcelerační oblasti", "Acceleration areas"),
    "ghi": ("Globální záření", "Global horizontal irradiation"),
    "slope": ("Sklon terénu", "Terrain slope"),
}
#: Words in a file or layer name -> slot, for vector layers of a geometry family.
_NAME_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("polygon", "protected_areas", ("protect", "chran", "natura", "chko", "zchu", "nature", "reserve", "rezervac")),
    ("polygon", "flood_zones", ("flood", "zaplav", "povod", "inundac")),
    ("polygon", "acceleration_areas", ("accelerat", "akcelera")),
    ("polygon", "buildings", ("building", "budov", "stavb", "roof", "strech")),
    ("line", "roads", ("road", "silnic", "highway", "komunikac", "street", "dalnic")),
    ("line", "power_lines", ("power", "vedeni", "grid", "line", "vvn", "voltage")),
    ("point", "substations", ("substation", "rozvodn", "transformov")),
)
_ROLES = {
    "protected_areas": "exclusion",
    "flood_zones": "exclusion",
    "acceleration_areas": "context",
    "municipalities": "admin",
    "ghi": "criterion",
    "slope": "criterion",
}
_LICENCE_HINTS = {
    "ruian": "ČÚZK RÚIAN data are CC BY 4.0 (credit ČÚZK); state the data date",
    "osm": "OpenStreetMap data are ODbL 1.0, © OpenStreetMap contributors",
    "uk-blr": "UK brownfield registers are usually OGL v3.0; check the council's page",
}


@dataclass
class Proposal:
    """One proposed catalogue entry, with the slot it fills and why."""

    entry: dict[str, Any]
    about: str
    why: str
    slot: str | None = None
    rank: int = 1
    """How sure the guess is (3 format-certain, 2 fields, 1 name only); the highest keeps the slot."""
    commented: bool = False
    """Written commented out: the user must decide (a second layer for a slot, parcels without an owner list)."""

    @property
    def id(self) -> str:
        return str(self.entry["id"])


@dataclass
class Scaffold:
    """What :func:`scaffold` proposes for a folder."""

    folder: Path
    proposals: list[Proposal] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """Files not used (path relative to the folder -> why)."""

    @property
    def active(self) -> list[Proposal]:
        return [p for p in self.proposals if not p.commented]


def _ident(text: str, *, limit: int = 30) -> str:
    """``OB_564729 Děčany`` -> ``ob_564729_decany``: a catalogue id part."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    word = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:limit].strip("_")
    return word if word[:1].isalpha() else f"l_{word}"


def _stem(path: str) -> str:
    return Path(path).name.split(".")[0]


def _licence(fmt: str, path: str) -> str:
    hint = _LICENCE_HINTS.get(fmt)
    return f"TODO: licence and attribution of {path}" + (f" ({hint})" if hint else "")


def _title(slot: str | None, label: str) -> dict[str, str]:
    cs, en = SLOT_TITLES.get(slot or "", (label, label))
    return {"cs": f"{cs} ({label})" if slot else cs, "en": f"{en} ({label})" if slot else en}


def _entry(
    layer_id: str, title: dict[str, str], role: str, source: dict[str, Any], found: Found, **extra: Any
) -> dict[str, Any]:
    kind = "raster" if found.fmt == "raster" else "vector"
    entry: dict[str, Any] = {"id": layer_id, "title": title, "kind": kind, "role": role}
    entry.update(extra)
    entry["source"] = source
    entry["licence"] = _licence(found.fmt, found.path)
    return entry


def _ruian(found: Found, owned: list[Found]) -> list[Proposal]:
    code, name = found.municipality or ("", _stem(found.path))
    base = _ident(name)
    label = f"{name}, RÚIAN"
    source = {"type": "file", "path": found.path, "format": "ruian"}
    buildings = _entry(
        f"{base}_buildings", _title("buildings", label), "candidate", source | {"layer": "stavebni_objekty"}, found,
        site_kind="rooftop",
    )  # fmt: skip
    obec = _entry(
        f"{base}_obec", {"cs": f"Obec {name}", "en": f"Municipality of {name}"}, "admin", source | {"layer": "obce"},
        found,
    )  # fmt: skip
    out = [
        Proposal(
            buildings,
            found.about,
            f"RÚIAN buildings ({found.counts.get('StavebniObjekty', 0):,} records; those with a footprint) are "
            "rooftop candidates; "
            "the id ending _buildings also fills the demand slot 'buildings'",
            "buildings",
            rank=3,
        ),
        Proposal(
            obec,
            found.about,
            f"the boundary of {name} ({code}); 'gisplan territories load' loads it with its okres and kraj. "
            "It does not fill the slot 'municipalities' (that needs fields kod_obce, nazev_obce, pocet_obyv)",
        ),
    ]
    parcels = _entry(f"{base}_municipal_land", {"cs": f"Obecní pozemky ({label})",
                     "en": f"Municipal land ({label})"}, "candidate", source | {"layer": "parcely"}, found,
                     site_kind="municipal_land")  # fmt: skip
    count = found.counts.get("Parcely", 0)
    if owned:
        parcels["owned"] = {"path": owned[0].path}
        why = f"the parcels of {owned[0].path} ({owned[0].features} listed) of the {count:,} in the file"
        out.append(Proposal(parcels, found.about, why, rank=3))
    else:
        why = (
            f"the file has {count:,} parcels, but not who owns them: add the municipality's ownership list "
            "as 'owned: {path: owned.csv}' (or a 'where' filter on DruhPozemkuKod) before uncommenting"
        )
        out.append(Proposal(parcels, found.about, why, rank=3, commented=True))
    return out


def _raster(found: Found) -> Proposal:
    stem = _ident(_stem(found.path))
    unit = found.unit
    source = {"type": "raster", "path": found.path, "band": 1, "unit": unit or "TODO: unit"}
    if unit == "kWh/m2/yr":
        return Proposal(_entry(f"{stem}_ghi", _title("ghi", stem), "criterion", source, found), found.about,
                        "an irradiation raster by its name: the slot 'ghi' (check the unit is annual kWh/m²)",
                        "ghi", rank=2)  # fmt: skip
    if unit == "deg" and "aspect" not in found.path.lower():
        return Proposal(_entry(f"{stem}_slope", _title("slope", stem), "criterion", source, found), found.about,
                        "a slope raster by its name: the slot 'slope' [deg]", "slope", rank=2)  # fmt: skip
    if unit == "m":
        title = {"cs": f"Digitální model terénu ({stem})", "en": f"Elevation model ({stem})"}
        why = f"an elevation model by its name; 'gisplan terrain {found.path} --out-dir …' derives the slope raster"
        return Proposal(_entry(f"{stem}_dem", title, "criterion", source, found), found.about, why)
    why = "a raster the scaffold cannot place: set its role, unit and id (a slot name as id suffix) yourself"
    return Proposal(_entry(stem, {"cs": stem, "en": stem}, "context", source, found), found.about, why)


def _family(geometry_type: str | None) -> str:
    lowered = (geometry_type or "").lower()
    return next((f for f in ("polygon", "line", "point") if f in lowered), "")


def _substation_where(found: Found) -> str | None:
    for column, values in found.values.items():
        hits = sorted(v for v in values if "substation" in v.lower() or "sub_station" in v.lower())
        if hits:
            return f"{column} IN ({', '.join(repr(v) for v in hits)})"
    return None


def _vector_slot(found: Found) -> tuple[str | None, int, str]:
    """The slot a vector layer would fill, the rank of the guess and why."""
    columns = {c.lower() for c in found.columns}
    text = f"{_stem(found.path)} {found.layer or ''}".lower()
    family = _family(found.geometry_type)
    if {"kod_obce", "nazev_obce"} <= columns and family == "polygon":
        return "municipalities", 2, "municipality polygons with kod_obce and nazev_obce"
    if family == "line" and "voltage" in columns:
        return "power_lines", 2, "lines with a voltage field"
    if family == "point" and _substation_where(found):
        return "substations", 2, f"points whose {_substation_where(found)}"
    for fam, slot, words in _NAME_RULES:
        if fam == family and any(w in text for w in words):
            return slot, 1, f"{family} features named like {slot} ({text.strip()})"
    return None, 0, ""


def _vector(found: Found) -> Proposal:
    stem = _ident(_stem(found.path))
    layer = _ident(found.layer or "", limit=20) if found.layer and _ident(found.layer) != stem else ""
    source: dict[str, Any] = {"type": "file", "path": found.path}
    if found.layer and found.fmt in {"vector", "us-epa"}:
        source["layer"] = found.layer
    if found.fmt in {"uk-blr", "cz-brownfields", "us-epa"}:
        source["format"] = found.fmt
        title = {"cs": f"Brownfieldy ({stem})", "en": f"Brownfields ({stem})"}
        entry = _entry(f"{stem}_brownfields", title, "candidate", source, found, site_kind="brownfield")
        return Proposal(entry, found.about, f"a brownfield register ({found.fmt}) recognised by its columns", rank=3)
    slot, rank, why = _vector_slot(found)
    if slot == "municipalities":
        source["columns"] = {"source_id": "kod_obce", "name": "nazev_obce"}
        if "pocet_obyv" not in {c.lower() for c in found.columns}:
            why += "; no pocet_obyv field: set population_column in the profiles or add the population"
    elif slot == "substations":
        source["where"] = _substation_where(found)
    if found.unique_id and found.unique_id.lower() != "kod_obce":
        source.setdefault("columns", {})["source_id"] = found.unique_id
    label = f"{stem}/{found.layer}" if layer else stem
    base = f"{stem}_{layer}" if layer else stem
    if slot is None:
        words = f"{found.layer or ''} {found.path}".lower()
        admin = any(w in words for w in ("okres", "kraj", "district", "region", "obce", "municip"))
        role = "admin" if admin else "context"
        why = (
            "administrative units by their name (gisplan territories load --admin reads okresy and kraje)"
            if admin
            else "not recognised: set its role and give it an id ending in _<slot> if it fills a profile slot"
        )
        return Proposal(_entry(base, {"cs": label, "en": label}, role, source, found), found.about, why)
    role = _ROLES.get(slot, "context")
    extra = {"site_kind": "rooftop"} if slot == "buildings" else {}
    role = "candidate" if extra else role
    entry = _entry(f"{stem}_{slot}", _title(slot, label), role, source, found, **extra)
    return Proposal(entry, found.about, why, slot, rank)


def _osm(found: Found) -> list[Proposal]:
    from gisplan.sources import OSM_PRESETS

    stem = _ident(_stem(found.path))
    out = []
    for preset, slot in (("buildings", "buildings"), ("substations", "substations"), ("power_lines", "power_lines")):
        tags = OSM_PRESETS[preset].tags
        source = {"type": "osm", "tags": tags, "file": found.path}
        extra = {"site_kind": "rooftop"} if slot == "buildings" else {}
        entry = _entry(f"{stem}_{slot}", _title(slot, f"OSM {stem}"), "candidate" if extra else "context", source,
                       found, **extra)  # fmt: skip
        out.append(Proposal(entry, "OpenStreetMap extract, EPSG:4326", f"OSM features tagged {tags}", slot, rank=2))
    return out


def _origin(item: Proposal) -> tuple[str, str]:
    source = item.entry["source"]
    return str(source["type"]), str(source.get("format", ""))


def _settle(proposals: list[Proposal]) -> None:
    """One layer per slot (the highest rank, then the first); ids unique."""
    best: dict[str, Proposal] = {}
    for item in proposals:
        if item.slot and not item.commented and (item.slot not in best or item.rank > best[item.slot].rank):
            best[item.slot] = item
    for item in proposals:
        winner = best.get(item.slot or "")
        if winner is None or winner is item or item.commented:
            continue
        if item.entry["role"] == "candidate" and _origin(item) == _origin(winner):
            # more of the same kind of candidates (RÚIAN files of several municipalities): all are sites
            item.entry["id"] = item.id.removesuffix(f"_{item.slot}") + "_sites"
            item.why += f"; {winner.id} fills the slot '{item.slot}'"
            item.slot = None
            continue
        item.commented = True
        item.why += f"; but {winner.id} fills the slot '{item.slot}' (uncomment this one instead?)"
    seen: dict[str, int] = {}
    for item in proposals:
        layer_id = item.id
        if layer_id in seen:
            seen[layer_id] += 1
            item.entry["id"] = f"{layer_id}_{seen[layer_id]}"
        else:
            seen[layer_id] = 1


def propose(found: list[Found]) -> list[Proposal]:
    """Catalogue entries for the layers of :func:`~gisplan._scaffold_inspect.inspect_folder`."""
    owned = [f for f in found if f.fmt == "owned-list"]
    out: list[Proposal] = []
    for item in found:
        if item.fmt == "ruian":
            out.extend(_ruian(item, owned))
        elif item.fmt == "raster":
            out.append(_raster(item))
        elif item.fmt == "osm":
            out.extend(_osm(item))
        elif item.fmt != "owned-list":
            out.append(_vector(item))
    _settle(out)
    return out


def scaffold(folder: Path) -> Scaffold:
    """Inspect ``folder`` and propose a catalogue for it.

    Raises
    ------
    InputError
        If ``folder`` is not a folder, or holds nothing the readers understand.
    """
    if not folder.is_dir():
        msg = f"{folder} is not a folder; give the folder that holds your region's data files"
        raise InputError(msg)
    found, skipped = inspect_folder(folder)
    result = Scaffold(folder, propose(found), skipped)
    if not result.proposals:
        why = "; ".join(f"{k}: {v}" for k, v in skipped.items()) or "it is empty"
        msg = f"nothing in {folder} that gisplan can read ({why})"
        raise InputError(msg)
    return result


def _block(item: Proposal) -> str:
    text = yaml.safe_dump([item.entry], allow_unicode=True, sort_keys=False, width=110, default_flow_style=None)
    lines = [f"# {item.about}", f"# proposed: {item.why}"]
    body = text.rstrip("\n").splitlines()
    lines += [f"# {line}" for line in body] if item.commented else body
    return "\n".join(lines)


def catalogue_yaml(result: Scaffold, *, unfilled: list[str] | None = None) -> str:
    """The catalogue file text: a header, a commented ``unavailable:`` hint and every layer with its comments."""
    header = [
        f"# Written by `gisplan layers scaffold {result.folder}`: a proposal to read and fix.",
        f"# Paths are relative to {result.folder} (set GISPLAN_DATA_DIR to it). Replace each 'TODO' licence.",
        "# Commented-out layers need your decision; `gisplan layers check` tells what each profile gets.",
    ]
    if unfilled:
        header += [
            "# Slots no file fills: add a layer for each, or uncomment the next line if the region has no such data",
            f"# unavailable: [{', '.join(unfilled)}]",
        ]
    for path, why in result.skipped.items():
        header.append(f"# not used: {path}: {why}")
    blocks = "\n\n".join(_block(p) for p in result.proposals)
    active = "layers:\n" if result.active else "layers: []\n"
    return "\n".join(header) + "\n\n" + active + blocks + "\n"


def unfilled_slots(catalogue: Catalogue, profiles: dict[str, Profile]) -> list[str]:
    """Required slots of the profiles with candidates that no layer fills, in profile order."""
    from gisplan.region import plan

    missing: dict[str, None] = {}
    for item in plan(profiles, catalogue).values():
        if item.candidates:
            missing.update(dict.fromkeys(item.missing))
    return list(missing)


def write_scaffold(result: Scaffold, out: Path, *, profiles: dict[str, Profile], force: bool = False) -> Catalogue:
    """Write the proposal to ``out`` and return it as a validated catalogue.

    Raises
    ------
    InputError
        If ``out`` exists and ``force`` is false, or does not end in ``.yaml``/``.yml``.
    ConfigError
        If the written file does not validate (a bug: the proposal is built to validate).
    """
    from gisplan.catalogue import validate_files
    from gisplan.errors import ConfigError

    if out.suffix.lower() not in {".yaml", ".yml"}:
        msg = f"{out}: a catalogue file must end in .yaml"
        raise InputError(msg)
    if out.exists() and not force:
        msg = f"{out} already exists; choose another --out, or pass --force to overwrite it"
        raise InputError(msg)
    first = catalogue_yaml(result)
    staged = out.with_name(f".{out.name}.scaffold")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        staged.write_text(first, encoding="utf-8")
        catalogue, problems = validate_files([staged], data_dir=result.folder)
        if problems:
            msg = "the proposed catalogue does not validate (please report this):"
            raise ConfigError(msg, problems)
        staged.write_text(catalogue_yaml(result, unfilled=unfilled_slots(catalogue, profiles)), encoding="utf-8")
        staged.replace(out)
    finally:
        staged.unlink(missing_ok=True)
    return catalogue


__all__ = ["Proposal", "Scaffold", "catalogue_yaml", "propose", "scaffold", "unfilled_slots", "write_scaffold"]
