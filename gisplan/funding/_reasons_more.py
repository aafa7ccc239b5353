"""Wording of funding-rule reasons in Polish, Hungarian and Danish.

English and Czech live in :mod:`gisplan.funding._reasons`, which renders every
language. The sentences here avoid grammatical case on the filled-in values
("Typ wnioskodawcy: przedsiębiorstwo – …") so that one template serves every
value, as an officer reads a checklist.
"""

from __future__ import annotations

#: Languages with their own wording here.
MORE_LANGUAGES = ("pl", "hu", "da")

#: Template per "rule.code" and language (same keys as the English/Czech table).
#: ``{What}`` and ``{Noun}`` are the subject with a capital letter.
TEMPLATES: dict[str, dict[str, str]] = {
    "intake.closed": {
        "pl": "nabór zakończył się {close_date}",
        "hu": "a beadási határidő lejárt: {close_date}",
        "da": "ansøgningsfristen udløb {close_date}",
    },
    "intake.upcoming": {
        "pl": "nabór rozpocznie się {open_date}",
        "hu": "a beadás kezdete: {open_date}",
        "da": "puljen åbner {open_date}",
    },
    "intake.upcoming_until": {
        "pl": "nabór rozpocznie się {open_date}, zakończy się {close_date}",
        "hu": "a beadás kezdete: {open_date}, határideje: {close_date}",
        "da": "puljen åbner {open_date} og lukker {close_date}",
    },
    "intake.open": {
        "pl": "nabór otwarty do {close_date}",
        "hu": "a beadás nyitva, határidő: {close_date}",
        "da": "åben for ansøgninger til {close_date}",
    },
    "intake.no_close": {
        "pl": "nabór rozpoczął się {open_date}; data zakończenia nie jest odnotowana",
        "hu": "a beadás kezdete: {open_date}; a határidő nincs rögzítve",
        "da": "puljen åbnede {open_date}; fristen er ikke registreret",
    },
    "intake.no_dates": {
        "pl": "terminy naboru nie są odnotowane; sprawdź ogłoszenie o naborze",
        "hu": "a beadási határidők nincsenek rögzítve; ellenőrizze a felhívást",
        "da": "ansøgningsdatoerne er ikke registreret; tjek puljens opslag",
    },
    "territory.not_recorded": {
        "pl": "obszar naboru nie jest odnotowany w katalogu",
        "hu": "a felhívás területi hatálya nincs rögzítve a katalógusban",
        "da": "puljens geografiske område er ikke registreret i kataloget",
    },
    "territory.national": {
        "pl": "nabór obejmuje całe Czechy",
        "hu": "a felhívás egész Csehországra kiterjed",
        "da": "puljen dækker hele Tjekkiet",
    },
    "territory.outside": {
        "pl": "{where}: poza obszarem naboru ({names})",
        "hu": "{where}: a felhívás területén kívül ({names})",
        "da": "{where} ligger uden for puljens område ({names})",
    },
    "territory.inside": {
        "pl": "{where}: {hit}",
        "hu": "{where}: {hit}",
        "da": "{where} {hit}",
    },
    "territory.partial": {
        "pl": "{where}: {hit}, ale nabór obejmuje tylko wymienione części{note}; sprawdź wykaz",
        "hu": "{where}: {hit}, de a felhívás csak a felsorolt részekre terjed ki{note}; ellenőrizze a listát",
        "da": "{where} {hit}, men puljen dækker kun de opregnede dele{note}; tjek listen",
    },
    "territory.cannot_check": {
        "pl": "nie można sprawdzić obszaru: {missing}",
        "hu": "a terület nem ellenőrizhető: {missing}",
        "da": "området kan ikke kontrolleres: {missing}",
    },
    "territory.also_elsewhere": {
        "pl": "{where}: poza obszarem ({names}), ale nabór obejmuje też miejsca nieodnotowane tutaj{note}",
        "hu": "{where}: kívül esik ezeken ({names}), de a felhívás itt nem rögzített helyekre is kiterjed{note}",
        "da": "{where} ligger uden for {names}, men puljen dækker også steder, der ikke er registreret her{note}",
    },
    "hit.named": {
        "pl": "wymieniona w naborze z nazwy",
        "hu": "a felhívás név szerint említi",
        "da": "er nævnt ved navn i puljen",
    },
    "hit.district": {
        "pl": "leży w powiecie {district}",
        "hu": "járás: {district}",
        "da": "ligger i distrikt {district}",
    },
    "hit.region": {
        "pl": "leży w regionie {region}",
        "hu": "régió: {region}",
        "da": "ligger i {region}",
    },
    "hit.mas": {
        "pl": "należy do LGD {mas_code}",
        "hu": "HACS: {mas_code}",
        "da": "hører til LAG {mas_code}",
    },
    "missing.municipality": {
        "pl": "kod gminy lokalizacji nie jest znany",
        "hu": "a helyszín településkódja nem ismert",
        "da": "lokalitetens kommunekode kendes ikke",
    },
    "missing.district": {
        "pl": "powiat nie jest znany ({where})",
        "hu": "a járás nem ismert ({where})",
        "da": "distriktet for {where} kendes ikke",
    },
    "missing.region": {
        "pl": "region nie jest znany ({where})",
        "hu": "a régió nem ismert ({where})",
        "da": "regionen for {where} kendes ikke",
    },
    "missing.mas": {
        "pl": "przynależność do LGD nie jest znana ({where})",
        "hu": "a HACS-tagság nem ismert ({where})",
        "da": "LAG-medlemskabet for {where} kendes ikke",
    },
    "list.any": {
        "pl": "{What}: nabór nie stawia ograniczeń",
        "hu": "{What}: a felhívás nem korlátozza",
        "da": "{What}: puljen har ingen begrænsning",
    },
    "list.not_recorded": {
        "pl": "{What}: katalog nie podaje warunków naboru; sprawdź treść ogłoszenia",
        "hu": "{What}: a katalógus nem rögzíti a felhívás feltételeit; ellenőrizze a felhívás szövegét",
        "da": "{What}: kataloget angiver ikke puljens betingelser; tjek puljens tekst",
    },
    "list.missing": {
        "pl": "{missing_fact}; nabór przyjmuje: {accepted}",
        "hu": "{missing_fact}; a felhívás elfogadja: {accepted}",
        "da": "{missing_fact}; puljen accepterer: {accepted}",
    },
    "list.named": {
        "pl": "{What}: {value} – kwalifikuje się",
        "hu": "{What}: {value} – támogatható",
        "da": "{What}: {value} – støtteberettiget",
    },
    "list.not_named": {
        "pl": "{What}: {value} – katalog nie wymienia tej wartości ({accepted}); sprawdź treść ogłoszenia",
        "hu": "{What}: {value} – a katalógus nem említi ezt az értéket ({accepted}); ellenőrizze a felhívás szövegét",
        "da": "{What}: {value} – kataloget nævner ikke denne værdi ({accepted}); tjek puljens tekst",
    },
    "list.not_accepted": {
        "pl": "{What}: {value} – nie kwalifikuje się (nabór przyjmuje: {accepted})",
        "hu": "{What}: {value} – nem támogatható (a felhívás elfogadja: {accepted})",
        "da": "{What}: {value} – ikke støtteberettiget (puljen accepterer: {accepted})",
    },
    "list.broad": {
        "pl": "{What}: {value}, nie odnotowano jaki; nabór przyjmuje: {accepted}; sprawdź właściciela",
        "hu": "{What}: {value}, nincs rögzítve, pontosan melyik; a felhívás elfogadja: {accepted}; "
        "ellenőrizze a tulajdonost",
        "da": "{What}: {value}, det er ikke registreret hvilken; puljen accepterer: {accepted}; tjek ejeren",
    },
    "range.not_recorded": {
        "pl": "{Noun}: nabór określa limit, ale nie jest on odnotowany; sprawdź ogłoszenie",
        "hu": "{Noun}: a felhívás korlátozza, de a korlát nincs rögzítve; ellenőrizze a felhívást",
        "da": "{Noun}: puljen har en grænse, men den er ikke registreret; tjek puljen",
    },
    "range.missing": {
        "pl": "{Noun}: brak danych; nabór dopuszcza {bounds}",
        "hu": "{Noun}: nem ismert; a felhívás ezt engedi: {bounds}",
        "da": "{Noun}: kendes ikke; puljen tillader {bounds}",
    },
    "range.above_max": {
        "pl": "{What}: {value} – przekracza limit {max}",
        "hu": "{What}: {value} – túllépi a korlátot ({max})",
        "da": "{What}: {value} – overskrider grænsen på {max}",
    },
    "range.below_min": {
        "pl": "{What}: {value} – poniżej minimum {min}",
        "hu": "{What}: {value} – a minimum ({min}) alatt",
        "da": "{What}: {value} – under minimum på {min}",
    },
    "range.within": {
        "pl": "{What}: {value} – mieści się w limicie ({bounds})",
        "hu": "{What}: {value} – a korláton belül ({bounds})",
        "da": "{What}: {value} – inden for grænsen ({bounds})",
    },
    "all_met": {
        "pl": "wszystkie warunki spełnione",
        "hu": "minden feltétel teljesül",
        "da": "alle betingelser er opfyldt",
    },
}

#: How list rules name their subject, per language: (noun, "not given" sentence).
LIST_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "applicant": {
        "pl": ("typ wnioskodawcy", "typ wnioskodawcy nie został podany"),
        "hu": ("a pályázó típusa", "a pályázó típusa nincs megadva"),
        "da": ("ansøgertype", "ansøgertypen er ikke angivet"),
    },
    "site_kind": {
        "pl": ("rodzaj lokalizacji", "rodzaj lokalizacji nie jest znany"),
        "hu": ("helyszíntípus", "a helyszín típusa nem ismert"),
        "da": ("type lokalitet", "lokalitetens type kendes ikke"),
    },
    "use": {
        "pl": ("planowane przeznaczenie", "planowane przeznaczenie nie zostało podane"),
        "hu": ("tervezett hasznosítás", "a tervezett hasznosítás nincs megadva"),
        "da": ("påtænkt anvendelse", "den påtænkte anvendelse er ikke angivet"),
    },
    "owner": {
        "pl": ("właściciel lokalizacji", "właściciel lokalizacji nie jest odnotowany"),
        "hu": ("a helyszín tulajdonosa", "a helyszín tulajdonosa nincs rögzítve"),
        "da": ("lokalitetens ejer", "lokalitetens ejer er ikke registreret"),
    },
    "building_use": {
        "pl": ("sposób użytkowania budynku", "sposób użytkowania budynku nie jest odnotowany"),
        "hu": ("az épület használata", "az épület használata nincs rögzítve"),
        "da": ("bygningens anvendelse", "bygningens anvendelse er ikke registreret"),
    },
    "previous_use": {
        "pl": ("dotychczasowe użytkowanie lokalizacji", "dotychczasowe użytkowanie lokalizacji nie jest odnotowane"),
        "hu": ("a helyszín korábbi használata", "a helyszín korábbi használata nincs rögzítve"),
        "da": ("lokalitetens tidligere anvendelse", "lokalitetens tidligere anvendelse er ikke registreret"),
    },
}

#: How range rules name their quantity, per language: (what is compared, the quantity as a noun).
RANGE_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "capacity": {"pl": ("moc", "moc"), "hu": ("teljesítmény", "teljesítmény"), "da": ("effekt", "effekt")},
    "area": {
        "pl": ("powierzchnia", "powierzchnia lokalizacji"),
        "hu": ("terület", "a helyszín területe"),
        "da": ("areal", "lokalitetens areal"),
    },
    "population": {
        "pl": ("liczba mieszkańców gminy", "liczba mieszkańców gminy"),
        "hu": ("a település lakosságszáma", "a település lakosságszáma"),
        "da": ("kommunens indbyggertal", "kommunens indbyggertal"),
    },
    "energy_poverty": {
        "pl": ("wskaźnik ubóstwa energetycznego", "wskaźnik ubóstwa energetycznego gminy"),
        "hu": ("az energiaszegénységi mutató", "a település energiaszegénységi mutatója"),
        "da": ("energifattigdomsindikatoren", "kommunens energifattigdomsindikator"),
    },
}

#: Small words per language.
WORDS: dict[str, dict[str, str]] = {
    "pl": {
        "municipality": "gmina {code}",
        "site_municipality": "gmina lokalizacji",
        "district": "powiat {code}",
        "listed": "wymienione gminy: {count}",
        "others": " i inne",
        "at_least": "co najmniej",
        "at_most": "najwyżej",
        "and": " i ",
        "inhabitants": "mieszkańców",
    },
    "hu": {
        "municipality": "település ({code})",
        "site_municipality": "a helyszín települése",
        "district": "járás: {code}",
        "listed": "felsorolt települések: {count}",
        "others": " és mások",
        "at_least": "legalább",
        "at_most": "legfeljebb",
        "and": " és ",
        "inhabitants": "lakos",
    },
    "da": {
        "municipality": "kommune {code}",
        "site_municipality": "lokalitetens kommune",
        "district": "distrikt {code}",
        "listed": "{count} opregnede kommuner",
        "others": " m.fl.",
        "at_least": "mindst",
        "at_most": "højst",
        "and": " og ",
        "inhabitants": "indbyggere",
    },
}

#: Labels of vocabulary values (applicant types, uses, site kinds, owners, building and previous uses).
LABELS: dict[str, dict[str, str]] = {
    "pl": {
        "municipality": "gmina",
        "municipal_district": "dzielnica miasta",
        "municipal_org": "jednostka organizacyjna gminy",
        "association_of_municipalities": "związek gmin",
        "region": "region (samorząd wojewódzki)",
        "church": "kościół lub związek wyznaniowy",
        "ngo": "organizacja pozarządowa",
        "business": "przedsiębiorstwo",
        "energy_community": "społeczność energetyczna",
        "mas": "LGD",
        "state_org": "jednostka państwowa",
        "pv_rooftop": "fotowoltaika dachowa",
        "pv_ground": "fotowoltaika naziemna",
        "storage": "magazynowanie energii",
        "community_energy": "energetyka obywatelska",
        "energy_management": "zarządzanie energią",
        "public_services": "usługi publiczne",
        "nature": "przyroda i krajobraz",
        "housing": "mieszkalnictwo",
        "planning": "planowanie i przygotowanie",
        "remediation": "rekultywacja",
        "brownfield": "teren poprzemysłowy",
        "rooftop": "dach",
        "municipal_land": "grunt gminny",
        "municipal": "gmina",
        "other_public": "inny właściciel publiczny",
        "public": "właściciel publiczny",
        "private": "właściciel prywatny",
        "mixed": "własność mieszana",
        "residential": "mieszkalny",
        "civic": "usługi publiczne",
        "commercial": "handel i usługi",
        "industrial": "przemysł i magazyny",
        "agricultural": "budynek rolniczy",
        "technical": "budynek techniczny lub transport",
        "other": "inny budynek",
        "mining": "górnictwo",
        "military": "wojsko",
        "transport": "transport",
    },
    "hu": {
        "municipality": "települési önkormányzat",
        "municipal_district": "városrész / kerület",
        "municipal_org": "önkormányzati intézmény",
        "association_of_municipalities": "önkormányzati társulás",
        "region": "megye / régió",
        "church": "egyház",
        "ngo": "civil szervezet",
        "business": "vállalkozás",
        "energy_community": "energiaközösség",
        "mas": "HACS",
        "state_org": "állami szervezet",
        "pv_rooftop": "tetőre szerelt napelem",
        "pv_ground": "földre telepített napelem",
        "storage": "energiatárolás",
        "community_energy": "közösségi energia",
        "energy_management": "energiagazdálkodás",
        "public_services": "közszolgáltatások",
        "nature": "természet és táj",
        "housing": "lakhatás",
        "planning": "tervezés és előkészítés",
        "remediation": "kármentesítés",
        "brownfield": "barnamező",
        "rooftop": "tetőfelület",
        "municipal_land": "önkormányzati terület",
        "municipal": "önkormányzat",
        "other_public": "egyéb közszféra",
        "public": "közszféra",
        "private": "magántulajdonos",
        "mixed": "vegyes tulajdon",
        "residential": "lakóépület",
        "civic": "középület",
        "commercial": "kereskedelem és szolgáltatás",
        "industrial": "ipar és raktározás",
        "agricultural": "mezőgazdasági épület",
        "technical": "műszaki vagy közlekedési létesítmény",
        "other": "egyéb épület",
        "mining": "bányászat",
        "military": "honvédelem",
        "transport": "közlekedés",
    },
    "da": {
        "municipality": "kommune",
        "municipal_district": "bydel",
        "municipal_org": "kommunal institution",
        "association_of_municipalities": "kommunalt samarbejde",
        "region": "region",
        "church": "kirke",
        "ngo": "forening / NGO",
        "business": "virksomhed",
        "energy_community": "energifællesskab",
        "mas": "LAG",
        "state_org": "statslig institution",
        "pv_rooftop": "solceller på tag",
        "pv_ground": "solceller på terræn",
        "storage": "energilagring",
        "community_energy": "borgerejet energi",
        "energy_management": "energistyring",
        "public_services": "offentlig service",
        "nature": "natur og landskab",
        "housing": "boliger",
        "planning": "planlægning og forberedelse",
        "remediation": "oprensning",
        "brownfield": "tidligere industrigrund",
        "rooftop": "tag",
        "municipal_land": "kommunal jord",
        "municipal": "kommune",
        "other_public": "anden offentlig ejer",
        "public": "offentlig ejer",
        "private": "privat ejer",
        "mixed": "blandet ejerskab",
        "residential": "bolig",
        "civic": "offentlig bygning",
        "commercial": "handel og service",
        "industrial": "industri og lager",
        "agricultural": "landbrugsbygning",
        "technical": "teknisk anlæg eller transport",
        "other": "anden bygning",
        "mining": "minedrift",
        "military": "militær",
        "transport": "transport",
    },
}

__all__ = ["LABELS", "LIST_WORDS", "MORE_LANGUAGES", "RANGE_WORDS", "TEMPLATES", "WORDS"]
