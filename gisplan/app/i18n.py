"""Interface texts in Czech (the default) and English.

Every label the app shows comes from :data:`MESSAGES` through :func:`t`, so a
translation is one more key per entry. Texts may hold ``{name}`` placeholders,
filled from keyword arguments. Other languages that :mod:`gisplan.settings`
accepts (pl, hu, da) fall back to English until they are translated.
"""

from __future__ import annotations

#: Languages the interface is translated into; the first is the default.
UI_LANGUAGES: tuple[str, ...] = ("cs", "en")
LANGUAGE_NAMES: dict[str, str] = {"cs": "Čeština", "en": "English"}

MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"cs": "gisplan – plochy pro obnovitelnou energii", "en": "gisplan – sites for renewable energy"},
    "app.language": {"cs": "Jazyk / Language", "en": "Language / Jazyk"},
    "nav.map": {"cs": "Mapa", "en": "Map"},
    "nav.about": {"cs": "O aplikaci", "en": "About"},
    "kind.brownfield": {"cs": "Brownfield", "en": "Brownfield"},
    "kind.rooftop": {"cs": "Střecha", "en": "Rooftop"},
    "kind.municipal_land": {"cs": "Obecní pozemek", "en": "Municipal land"},
    "col.name": {"cs": "Název", "en": "Name"},
    "col.kind": {"cs": "Druh", "en": "Kind"},
    "col.municipality": {"cs": "Obec", "en": "Municipality"},
    "col.area_m2": {"cs": "Plocha [m²]", "en": "Area [m²]"},
    "col.area_ha": {"cs": "Plocha [ha]", "en": "Area [ha]"},
    "col.source": {"cs": "Zdroj", "en": "Source"},
    "col.site_id": {"cs": "ID plochy", "en": "Site id"},
    "col.layer": {"cs": "Vrstva", "en": "Layer"},
    "col.licence": {"cs": "Licence a zdroj", "en": "Licence and attribution"},
    "map.heading": {"cs": "Mapa kandidátních ploch", "en": "Map of candidate sites"},
    "map.legend": {"cs": "Legenda", "en": "Legend"},
    "map.context": {"cs": "Podkladové vrstvy", "en": "Context layers"},
    "map.rooftops_shown": {
        "cs": "Střechy: zobrazeno {shown} největších z {total}.",
        "en": "Rooftops: the {shown} largest of {total} are shown.",
    },
    "map.summary": {
        "cs": (
            "{sites} kandidátních ploch: {brownfield} brownfieldů, {municipal_land} obecních pozemků, {rooftop} střech."
        ),
        "en": "{sites} candidate sites: {brownfield} brownfields, {municipal_land} municipal land, {rooftop} rooftops.",
    },
    "map.click_hint": {
        "cs": "Klepněte na plochu v mapě nebo vyberte řádek tabulky, zobrazí se její údaje.",
        "en": "Click a site on the map or select a table row to see its details.",
    },
    "map.osm_attribution": {
        "cs": "Podkladová mapa © přispěvatelé OpenStreetMap",
        "en": "Basemap © OpenStreetMap contributors",
    },
    "table.heading": {"cs": "Kandidátní plochy", "en": "Candidate sites"},
    "card.heading": {"cs": "Vybraná plocha", "en": "Selected site"},
    "card.attributes": {"cs": "Vlastnosti", "en": "Attributes"},
    "card.none_here": {
        "cs": "V místě klepnutí není žádná kandidátní plocha.",
        "en": "There is no candidate site where you clicked.",
    },
    "data.missing": {
        "cs": (
            "Data demonstračního regionu chybí. Vytvořte je příkazem `gisplan demo build` (nebo `python3 dev.py run`)."
        ),
        "en": "The demo region data is missing. Build it with `gisplan demo build` (or `python3 dev.py run`).",
    },
    "data.missing_files": {"cs": "Chybějící soubory:", "en": "Missing files:"},
    "data.no_candidates": {
        "cs": "Katalog vrstev neobsahuje žádné kandidátní plochy. Spusťte `gisplan demo build`.",
        "en": "The layer catalogue holds no candidate sites. Run `gisplan demo build`.",
    },
    "data.layer_failed": {
        "cs": "Některé vrstvy nelze načíst; mapa je zobrazena bez nich.",
        "en": "Some layers could not be read; the map is shown without them.",
    },
    "data.catalogue_failed": {
        "cs": "Katalog vrstev je chybný; opravte jej (`gisplan layers check`).",
        "en": "The layer catalogue is invalid; fix it (`gisplan layers check`).",
    },
    "about.heading": {"cs": "O aplikaci gisplan", "en": "About gisplan"},
    "about.body": {
        "cs": (
            "gisplan pomáhá regionálním animátorům, obcím a plánovačům v uhelných regionech najít a vysvětlit "
            "plochy vhodné pro fotovoltaiku a komunitní energetiku: brownfieldy, střechy a obecní pozemky. "
            "Aplikace funguje i bez připojení k internetu; mapové knihovny jsou součástí instalace."
        ),
        "en": (
            "gisplan helps regional animators, municipalities and planners in coal regions find and explain sites "
            "for solar PV and community energy: brownfields, rooftops and municipal land. "
            "The app works without internet; the map libraries ship with it."
        ),
    },
    "about.data": {"cs": "Data a licence vrstev", "en": "Data and layer licences"},
    "about.libraries": {
        "cs": (
            "Mapa: Leaflet 1.9.4 (BSD-2-Clause), Leaflet.draw, Leaflet.markercluster, jQuery, Bootstrap (MIT), "
            "Font Awesome Free (CC BY 4.0, OFL 1.1, MIT); přehled ve static/vendor/README.md."
        ),
        "en": (
            "Map: Leaflet 1.9.4 (BSD-2-Clause), Leaflet.draw, Leaflet.markercluster, jQuery, Bootstrap (MIT), "
            "Font Awesome Free (CC BY 4.0, OFL 1.1, MIT); listed in static/vendor/README.md."
        ),
    },
    "about.version": {"cs": "Verze {version}", "en": "Version {version}"},
}


def normalise_language(lang: str | None) -> str:
    """``lang`` if the interface is translated into it, else the default (Czech)."""
    return lang if lang in UI_LANGUAGES else UI_LANGUAGES[0]


def t(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang``, with ``{name}`` placeholders filled from ``values``.

    A language without a translation falls back to English, then Czech.

    Raises
    ------
    KeyError
        If ``key`` is not in :data:`MESSAGES`; the message names close keys.
    """
    try:
        entry = MESSAGES[key]
    except KeyError:
        prefix = key.split(".", 1)[0]
        close = sorted(k for k in MESSAGES if k.startswith(prefix + "."))
        msg = f"no interface text {key!r}; texts in the same group: {close}"
        raise KeyError(msg) from None
    text = entry.get(lang) or entry.get("en") or entry["cs"]
    return text.format(**values) if values else text
