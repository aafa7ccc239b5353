"""Refusal reasons and form-field labels of the intake in every interface language.

Czech sentences live in :data:`gisplan.intake._types.REASONS_CS` and Czech and
English field labels in :data:`gisplan.intake._form.FIELD_LABELS`; this module adds
English reason sentences and Polish, Hungarian and Danish texts. A text missing in
a language falls back to English (never to Czech, which a Polish, Hungarian or
Danish user may not read).
"""

from __future__ import annotations

from gisplan.intake._form import FIELD_LABELS
from gisplan.intake._types import REASONS_CS

#: Refusal and warning sentences by language and reason code (Czech from :data:`REASONS_CS`).
REASONS: dict[str, dict[str, str]] = {
    "cs": REASONS_CS,
    "en": {
        "too_large": "The file is too large.",
        "empty_file": "The file is empty.",
        "vsi_path": "The file name is a GDAL path (/vsi…), which is not accepted.",
        "vrt": "VRT files (links to other data) are not accepted.",
        "unknown_type": "The file type is not recognised; upload GeoJSON, a zipped Shapefile, GeoPackage, KML or CSV.",
        "extension_mismatch": (
            "The file's content does not match its extension (e.g. a .geojson file that is not valid GeoJSON); "
            "save the data again in the right format."
        ),
        "not_geopackage": "The SQLite database is not a GeoPackage.",
        "gpkg_unsafe": "The GeoPackage holds triggers, views or too many layers.",
        "xml_unsafe": "The KML holds a DTD, entities or network links, which are not accepted.",
        "xml_invalid": "The KML is not valid XML.",
        "zip_unsafe": "The zip archive holds unsafe entries (absolute paths, '..', links).",
        "zip_bomb": "The zip archive unpacks to too much data or holds too many entries.",
        "zip_content": "The zip archive does not hold complete data (for a Shapefile: .shp, .shx and .dbf).",
        "choose_layer": "The file has several layers; choose one.",
        "parse_failed": "The file could not be read.",
        "parse_limits": "Reading the file went over the time or memory limit.",
        "too_many_features": "The file holds too many features.",
        "too_many_vertices": "The shapes have too many vertices.",
        "no_geometry": "The file holds no shape.",
        "empty_geometry": "A shape is empty.",
        "bad_geometry_type": "Only points and areas (polygons) are allowed.",
        "bad_coordinates": "The coordinates are not finite numbers in a valid range.",
        "crs_missing": "The file does not state its coordinate reference system; choose one from the list.",
        "crs_conflict": "The chosen coordinate reference system differs from the one the file states.",
        "outside_region": "The coordinates lie outside the territory – the axes look swapped or the system wrong.",
        "outside_municipality": "The site lies outside the municipality you submit for.",
        "unrepairable": "The shape is invalid and cannot be repaired.",
        "invalid_geometry": (
            "The shape is invalid (e.g. it crosses itself); upload it through the submission form, "
            "where it is repaired and you confirm the repair."
        ),
        "form_invalid": "The form is not filled in correctly.",
        "needs_confirmation": "Repaired shapes must be confirmed before submitting.",
        "repaired": "The shape was invalid and has been repaired; confirm the repaired shape.",
        "crosses_border": "The site crosses the municipal border; the animator will assess it.",
        "place_not_checked": "The municipal border is not known; the location was not checked.",
        "rows_without_geometry": "Some rows have no coordinates and were left out.",
    },
    "pl": {
        "too_large": "Plik jest za duży.",
        "empty_file": "Plik jest pusty.",
        "vsi_path": "Nazwa pliku jest ścieżką GDAL (/vsi…), której nie przyjmujemy.",
        "vrt": "Nie przyjmujemy plików VRT (odwołań do innych danych).",
        "unknown_type": "Nie rozpoznajemy typu pliku; wgraj GeoJSON, spakowany Shapefile, GeoPackage, KML lub CSV.",
        "extension_mismatch": (
            "Zawartość pliku nie odpowiada jego rozszerzeniu (np. plik .geojson, który nie jest poprawnym "
            "GeoJSON); zapisz dane ponownie we właściwym formacie."
        ),
        "not_geopackage": "Baza danych SQLite nie jest plikiem GeoPackage.",
        "gpkg_unsafe": "GeoPackage zawiera wyzwalacze, widoki lub zbyt wiele warstw.",
        "xml_unsafe": "KML zawiera DTD, encje lub odwołania sieciowe, których nie przyjmujemy.",
        "xml_invalid": "KML nie jest poprawnym plikiem XML.",
        "zip_unsafe": "Archiwum zip zawiera niebezpieczne pozycje (ścieżki bezwzględne, '..', dowiązania).",
        "zip_bomb": "Archiwum zip rozpakowuje się do zbyt dużej objętości lub ma zbyt wiele pozycji.",
        "zip_content": "Archiwum zip nie zawiera kompletnych danych (dla Shapefile: .shp, .shx i .dbf).",
        "choose_layer": "Plik zawiera kilka warstw; wybierz jedną.",
        "parse_failed": "Nie udało się odczytać pliku.",
        "parse_limits": "Odczyt pliku przekroczył limit czasu lub pamięci.",
        "too_many_features": "Plik zawiera zbyt wiele obiektów.",
        "too_many_vertices": "Kształty mają zbyt wiele wierzchołków.",
        "no_geometry": "Plik nie zawiera żadnego kształtu.",
        "empty_geometry": "Jeden z kształtów jest pusty.",
        "bad_geometry_type": "Dozwolone są tylko punkty i obszary (wielokąty).",
        "bad_coordinates": "Współrzędne nie są skończonymi liczbami w prawidłowym zakresie.",
        "crs_missing": "Plik nie określa układu współrzędnych; wybierz go z listy.",
        "crs_conflict": "Wybrany układ współrzędnych różni się od podanego w pliku.",
        "outside_region": "Współrzędne leżą poza obszarem – wygląda na zamienione osie lub zły układ współrzędnych.",
        "outside_municipality": "Lokalizacja leży poza gminą, za którą składasz zgłoszenie.",
        "unrepairable": "Kształt jest nieprawidłowy i nie da się go naprawić.",
        "invalid_geometry": (
            "Kształt jest nieprawidłowy (np. przecina sam siebie); wgraj go przez formularz zgłoszenia, "
            "gdzie zostanie naprawiony, a Ty potwierdzisz naprawę."
        ),
        "form_invalid": "Formularz nie jest poprawnie wypełniony.",
        "needs_confirmation": "Naprawione kształty trzeba potwierdzić przed wysłaniem.",
        "repaired": "Kształt był nieprawidłowy i został naprawiony; potwierdź naprawiony kształt.",
        "crosses_border": "Lokalizacja przekracza granicę gminy; oceni ją animator.",
        "place_not_checked": "Granica gminy nie jest znana; położenia nie sprawdzono.",
        "rows_without_geometry": "Niektóre wiersze nie mają współrzędnych i zostały pominięte.",
    },
    "hu": {
        "too_large": "A fájl túl nagy.",
        "empty_file": "A fájl üres.",
        "vsi_path": "A fájlnév GDAL-útvonal (/vsi…), ezt nem fogadjuk el.",
        "vrt": "VRT-fájlt (más adatokra mutató hivatkozást) nem fogadunk el.",
        "unknown_type": (
            "A fájltípust nem ismerjük fel; töltsön fel GeoJSON-t, tömörített Shapefile-t, GeoPackage-et, KML-t "
            "vagy CSV-t."
        ),
        "extension_mismatch": (
            "A fájl tartalma nem felel meg a kiterjesztésének (pl. egy .geojson fájl, amely nem érvényes "
            "GeoJSON); mentse el újra az adatokat a megfelelő formátumban."
        ),
        "not_geopackage": "Az SQLite-adatbázis nem GeoPackage.",
        "gpkg_unsafe": "A GeoPackage triggereket, nézeteket vagy túl sok réteget tartalmaz.",
        "xml_unsafe": "A KML DTD-t, entitásokat vagy hálózati hivatkozásokat tartalmaz, ezeket nem fogadjuk el.",
        "xml_invalid": "A KML nem érvényes XML.",
        "zip_unsafe": "A zip-archívum veszélyes elemeket tartalmaz (abszolút útvonalak, '..', hivatkozások).",
        "zip_bomb": "A zip-archívum kicsomagolva túl nagy, vagy túl sok elemet tartalmaz.",
        "zip_content": "A zip-archívum nem tartalmaz teljes adatot (Shapefile esetén .shp, .shx és .dbf).",
        "choose_layer": "A fájlban több réteg van; válasszon egyet.",
        "parse_failed": "A fájlt nem sikerült beolvasni.",
        "parse_limits": "A fájl beolvasása túllépte az idő- vagy memóriakorlátot.",
        "too_many_features": "A fájl túl sok objektumot tartalmaz.",
        "too_many_vertices": "Az alakzatoknak túl sok töréspontjuk van.",
        "no_geometry": "A fájl nem tartalmaz alakzatot.",
        "empty_geometry": "Valamelyik alakzat üres.",
        "bad_geometry_type": "Csak pontok és felületek (sokszögek) engedélyezettek.",
        "bad_coordinates": "A koordináták nem érvényes tartományba eső véges számok.",
        "crs_missing": "A fájl nem adja meg a koordináta-rendszerét; válasszon egyet a listából.",
        "crs_conflict": "A választott koordináta-rendszer eltér a fájlban megadottól.",
        "outside_region": (
            "A koordináták a területen kívül esnek – valószínűleg felcserélt tengelyek vagy rossz koordináta-rendszer."
        ),
        "outside_municipality": "A helyszín kívül esik azon a településen, amelynek nevében bejelent.",
        "unrepairable": "Az alakzat érvénytelen, és nem javítható.",
        "invalid_geometry": (
            "Az alakzat érvénytelen (pl. önmagát metszi); töltse fel a bejelentési űrlapon keresztül, "
            "ahol kijavítjuk, Ön pedig jóváhagyja a javítást."
        ),
        "form_invalid": "Az űrlap nincs helyesen kitöltve.",
        "needs_confirmation": "A javított alakzatokat beküldés előtt jóvá kell hagyni.",
        "repaired": "Az alakzat érvénytelen volt, és kijavítottuk; hagyja jóvá a javított alakzatot.",
        "crosses_border": "A helyszín átnyúlik a településhatáron; az animátor fogja megítélni.",
        "place_not_checked": "A településhatár nem ismert; a helyszín fekvését nem ellenőriztük.",
        "rows_without_geometry": "Néhány sorban nincsenek koordináták, ezeket kihagytuk.",
    },
    "da": {
        "too_large": "Filen er for stor.",
        "empty_file": "Filen er tom.",
        "vsi_path": "Filnavnet er en GDAL-sti (/vsi…), som ikke accepteres.",
        "vrt": "VRT-filer (henvisninger til andre data) accepteres ikke.",
        "unknown_type": "Filtypen genkendes ikke; upload GeoJSON, en zippet Shapefile, GeoPackage, KML eller CSV.",
        "extension_mismatch": (
            "Filens indhold passer ikke til dens filendelse (fx en .geojson-fil, der ikke er gyldig GeoJSON); "
            "gem dataene igen i det rigtige format."
        ),
        "not_geopackage": "SQLite-databasen er ikke en GeoPackage.",
        "gpkg_unsafe": "GeoPackage-filen indeholder triggere, views eller for mange lag.",
        "xml_unsafe": "KML-filen indeholder DTD, entiteter eller netværkshenvisninger, som ikke accepteres.",
        "xml_invalid": "KML-filen er ikke gyldig XML.",
        "zip_unsafe": "Zip-arkivet indeholder usikre elementer (absolutte stier, '..', links).",
        "zip_bomb": "Zip-arkivet pakkes ud til for store datamængder eller har for mange elementer.",
        "zip_content": "Zip-arkivet indeholder ikke fuldstændige data (for en Shapefile: .shp, .shx og .dbf).",
        "choose_layer": "Filen har flere lag; vælg et.",
        "parse_failed": "Filen kunne ikke læses.",
        "parse_limits": "Indlæsningen af filen overskred grænsen for tid eller hukommelse.",
        "too_many_features": "Filen indeholder for mange objekter.",
        "too_many_vertices": "Figurerne har for mange knudepunkter.",
        "no_geometry": "Filen indeholder ingen figur.",
        "empty_geometry": "En figur er tom.",
        "bad_geometry_type": "Kun punkter og flader (polygoner) er tilladt.",
        "bad_coordinates": "Koordinaterne er ikke endelige tal i et gyldigt interval.",
        "crs_missing": "Filen angiver ikke sit koordinatsystem; vælg et fra listen.",
        "crs_conflict": "Det valgte koordinatsystem afviger fra det, filen angiver.",
        "outside_region": "Koordinaterne ligger uden for området – akserne er nok byttet om, eller systemet forkert.",
        "outside_municipality": "Lokaliteten ligger uden for den kommune, du indsender for.",
        "unrepairable": "Figuren er ugyldig og kan ikke repareres.",
        "invalid_geometry": (
            "Figuren er ugyldig (fx skærer den sig selv); upload den via indsendelsesformularen, "
            "hvor den repareres, og du bekræfter reparationen."
        ),
        "form_invalid": "Formularen er ikke udfyldt korrekt.",
        "needs_confirmation": "Reparerede figurer skal bekræftes, før du indsender.",
        "repaired": "Figuren var ugyldig og er blevet repareret; bekræft den reparerede figur.",
        "crosses_border": "Lokaliteten krydser kommunegrænsen; facilitatoren vurderer den.",
        "place_not_checked": "Kommunegrænsen kendes ikke; placeringen er ikke kontrolleret.",
        "rows_without_geometry": "Nogle rækker har ingen koordinater og er udeladt.",
    },
}

#: Form-field labels in Polish, Hungarian and Danish (Czech and English in :data:`FIELD_LABELS`).
FIELD_LABELS_MORE: dict[str, dict[str, str]] = {
    "pl": {
        "name": "Nazwa lokalizacji",
        "location": "Adres lub opis miejsca",
        "kind": "Rodzaj lokalizacji",
        "cadastral_area": "Obręb ewidencyjny",
        "parcel_numbers": "Numery działek",
        "area_ha": "Powierzchnia (tylko dla punktu) [ha]",
        "previous_use": "Dotychczasowe użytkowanie",
        "current_state": "Stan obecny",
        "ownership": "Własność",
        "contamination": "Zanieczyszczenie",
        "utilities": "Media (infrastruktura techniczna)",
        "planning_status": "Status planistyczny / pozwolenia",
        "intended_use": "Planowane przeznaczenie",
        "consent_to_publish": "Zgoda na publikację",
        "contact": "Osoba kontaktowa",
        "note": "Uwagi",
    },
    "hu": {
        "name": "A helyszín neve",
        "location": "Cím vagy a hely leírása",
        "kind": "Helyszíntípus",
        "cadastral_area": "Kataszteri terület",
        "parcel_numbers": "Helyrajzi számok",
        "area_ha": "Terület (csak pontnál) [ha]",
        "previous_use": "Korábbi használat",
        "current_state": "Jelenlegi állapot",
        "ownership": "Tulajdon",
        "contamination": "Szennyezettség",
        "utilities": "Közművek",
        "planning_status": "Településrendezési / engedélyezési helyzet",
        "intended_use": "Tervezett hasznosítás",
        "consent_to_publish": "Hozzájárulás a közzétételhez",
        "contact": "Kapcsolattartó",
        "note": "Megjegyzés",
    },
    "da": {
        "name": "Lokalitetens navn",
        "location": "Adresse eller beskrivelse af stedet",
        "kind": "Type lokalitet",
        "cadastral_area": "Ejerlav",
        "parcel_numbers": "Matrikelnumre",
        "area_ha": "Areal (kun for punkter) [ha]",
        "previous_use": "Tidligere anvendelse",
        "current_state": "Nuværende tilstand",
        "ownership": "Ejerforhold",
        "contamination": "Forurening",
        "utilities": "Forsyning (el, vand, kloak, gas)",
        "planning_status": "Planstatus / tilladelser",
        "intended_use": "Påtænkt anvendelse",
        "consent_to_publish": "Samtykke til offentliggørelse",
        "contact": "Kontaktperson",
        "note": "Bemærkning",
    },
}


def reason_text(code: str, lang: str) -> str | None:
    """The sentence of refusal or warning ``code`` in ``lang`` (English when ``lang`` lacks it); None if unknown."""
    return REASONS.get(lang, {}).get(code) or REASONS["en"].get(code)


def field_label(field: str, lang: str) -> str:
    """The label of form field ``field`` in ``lang``, English when ``lang`` has none; the field name if unknown."""
    cs, en = FIELD_LABELS.get(field, (field, field))
    if lang == "cs":
        return cs
    return FIELD_LABELS_MORE.get(lang, {}).get(field, en)


__all__ = ["FIELD_LABELS_MORE", "REASONS", "field_label", "reason_text"]
