"""Downloading RÚIAN exchange files (VFR) of one municipality from ČÚZK, into the cache.

ČÚZK publishes the current state of every municipality ("současná data",
"úplná kompletní data obce s hranicemi") as one file per municipality and month::

    https://vdp.cuzk.cz/vymenny_format/soucasna/<YYYYMMDD>_OB_<kód obce>_UKSH.xml.zip

Assumptions, from ČÚZK's download pages (vdp.cuzk.cz, "Výměnný formát RÚIAN")
and scripts that use them:

- ``<YYYYMMDD>`` is the date the data are valid to, the last day of a month; the
  file of a month appears early in the next month and older files are removed
  after a while. Without ``date`` we try the last day of the previous month,
  then of the month before (the new file may not be out yet).
- ``UKSH``: úplná (complete), kompletní, standardní, with original boundaries
  (``H``); the file is a zip holding one ``.xml`` (older years served ``.xml.gz``).
- The base address is :data:`gisplan.settings.Settings.vfr_url`
  (``GISPLAN_VFR_URL``), so tests serve recorded files from a local server.

The file is verified (a zip with one VFR ``.xml``) and stored gzipped as
``<cache dir>/vfr/<YYYYMMDD>_OB_<kód>_UKSH.xml.gz``, which every reader reads.
Nothing half-written stays in the cache: downloads go to a ``.part`` file that
is removed on any failure. A file found in the cache is used without a request,
and so is a ``.xml.zip`` the user put there by hand (it is converted once).
"""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import http.client
import re
import shutil
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from gisplan import settings
from gisplan.errors import InputError, OfflineError, SourceNotFoundError, UnreadableSourceError

#: Seconds to wait for ČÚZK to answer (connect and each read).
TIMEOUT_S = 60.0
#: Largest download accepted [bytes]; a municipality's file is a few MB, Prague's about 200 MB.
MAX_BYTES = 1_000_000_000
_CODE_RE = re.compile(r"^[5-9]\d{5}$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Fetched:
    """A VFR file in the cache: where it is, where it came from and whether it was downloaded now."""

    path: Path
    url: str
    downloaded: bool


def file_stem(municipality: str, date: dt.date) -> str:
    """``20241130_OB_564729_UKSH``: ČÚZK's name of a municipality's file of ``date``."""
    return f"{date:%Y%m%d}_OB_{municipality}_UKSH"


def vfr_url(municipality: str, date: dt.date, *, base_url: str | None = None) -> str:
    """The download address of a municipality's file of ``date``."""
    base = (base_url or settings.get().vfr_url).rstrip("/")
    return f"{base}/{file_stem(municipality, date)}.xml.zip"


def default_dates(today: dt.date) -> list[dt.date]:
    """The last day of the previous month and of the month before, newest first."""
    out = []
    year, month = today.year, today.month
    for _ in range(2):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        out.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
    return out


def parse_date(text: str) -> dt.date:
    """``20241130`` or ``2024-11-30`` as a date; an :class:`InputError` saying the form otherwise."""
    for form in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    msg = f"--date {text!r} is not a date; write it as YYYYMMDD (the last day of a month, e.g. 20241130)"
    raise InputError(msg)


def check_code(municipality: str) -> str:
    """A municipality code (kód obce: six digits, 500001-999999), or an :class:`InputError`."""
    code = municipality.strip()
    if not _CODE_RE.match(code):
        msg = f"{municipality!r} is not a municipality code (kód obce, six digits such as 564729)"
        raise InputError(msg)
    return code


def _cached(folder: Path, municipality: str, date: dt.date | None) -> Path | None:
    """The newest cached file of the municipality (of ``date``), ``.xml.gz`` before ``.xml.zip``."""
    pattern = file_stem(municipality, date) if date else f"*_OB_{municipality}_UKSH"
    for suffix in (".xml.gz", ".xml.zip"):
        found = sorted(folder.glob(pattern + suffix), reverse=True)
        if found:
            return found[0]
    return None


def _unzip_to_gzip(archive: Path, target: Path, *, label: str) -> None:
    """Check that ``archive`` is a zip of one VFR ``.xml`` and write that XML gzipped to ``target``."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) != 1 or not members[0].filename.lower().endswith(".xml"):
                names = [m.filename for m in members]
                msg = f"{label}: expected a zip with one RÚIAN .xml, found {names}; download it again from ČÚZK"
                raise UnreadableSourceError(msg)
            with zf.open(members[0]) as xml:
                if b"VymennyFormat" not in xml.read(4096):
                    msg = f"{label}: the zip holds {members[0].filename}, which is not a RÚIAN exchange file (VFR)"
                    raise UnreadableSourceError(msg)
            with zf.open(members[0]) as xml, gzip.open(target, "wb", compresslevel=6) as out:
                shutil.copyfileobj(xml, out, _CHUNK)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        msg = f"{label}: not a complete zip file ({exc}); download it again from ČÚZK"
        raise UnreadableSourceError(msg) from exc


def _download(url: str, target: Path, *, timeout_s: float) -> None:
    """Stream ``url`` into ``target``; HTTP errors and network failures become gisplan errors."""
    request = urllib.request.Request(url, headers={"User-Agent": "gisplan (RÚIAN VFR download)"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout_s) as response, target.open("wb") as out:  # noqa: S310
        size = 0
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > MAX_BYTES:
                msg = f"{url}: larger than {MAX_BYTES / 1e9:.0f} GB; this is not one municipality's file"
                raise UnreadableSourceError(msg)
            out.write(chunk)


def _try_dates(
    municipality: str, dates: list[dt.date], folder: Path, *, base_url: str | None, timeout_s: float
) -> Fetched:
    missing = []
    for date in dates:
        url = vfr_url(municipality, date, base_url=base_url)
        final = folder / f"{file_stem(municipality, date)}.xml.gz"
        part_zip, part_gz = final.with_name(final.name + ".zip.part"), final.with_name(final.name + ".part")
        try:
            _download(url, part_zip, timeout_s=timeout_s)
            _unzip_to_gzip(part_zip, part_gz, label=url)
            part_gz.replace(final)
            return Fetched(final, url, downloaded=True)
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                msg = f"ČÚZK answered {exc.code} {exc.reason} for {url}; try again later, or put the file at {final}"
                raise UnreadableSourceError(msg) from exc
            missing.append(url)
        except http.client.HTTPException as exc:
            msg = f"the download of {url} broke off ({exc!r}); try again, or put the file at {final}"
            raise UnreadableSourceError(msg) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            msg = (
                f"no connection to ČÚZK ({reason}); download {url} in a browser and put it "
                f"(the .xml.zip as it is) at {folder / (file_stem(municipality, date) + '.xml.zip')} instead"
            )
            raise OfflineError(msg) from exc
        finally:
            part_zip.unlink(missing_ok=True)
            part_gz.unlink(missing_ok=True)
    msg = (
        f"ČÚZK has no file for municipality {municipality} at {', '.join(missing)} (404); check the code, "
        "or give --date as the last day of a month that vdp.cuzk.cz offers (e.g. 20241130)"
    )
    raise SourceNotFoundError(msg)


def fetch_vfr(
    municipality: str,
    *,
    date: dt.date | None = None,
    cache_dir: Path | None = None,
    base_url: str | None = None,
    refresh: bool = False,
    timeout_s: float = TIMEOUT_S,
    today: dt.date | None = None,
) -> Fetched:
    """The RÚIAN VFR file of a municipality, from the cache or downloaded from ČÚZK.

    Parameters
    ----------
    municipality
        Kód obce, e.g. ``"564729"`` (Děčany).
    date
        The data date (the last day of a month); default the newest cached file, else the
        last day of the previous month, then of the month before.
    cache_dir
        Default ``GISPLAN_CACHE_DIR``; files go to its ``vfr/`` folder.
    base_url
        Default ``GISPLAN_VFR_URL`` (ČÚZK's ``vymenny_format/soucasna`` folder).
    refresh
        Download even when the cache has the file.
    timeout_s
        Seconds to wait for a connection or a read. [s]
    today
        The date the defaults count from (tests); default today.

    Raises
    ------
    InputError
        For a malformed municipality code.
    OfflineError
        When ``GISPLAN_OFFLINE`` is set or there is no connection; the message says where
        to put a file downloaded by hand.
    SourceNotFoundError
        When ČÚZK has no such file (404) for any date tried.
    UnreadableSourceError
        When the download is no zip of one VFR file, or the server fails.
    """
    code = check_code(municipality)
    folder = (cache_dir or settings.get().cache_dir) / "vfr"
    folder.mkdir(parents=True, exist_ok=True)
    cached = None if refresh else _cached(folder, code, date)
    if cached is not None and cached.name.endswith(".xml.gz"):
        return Fetched(cached, cached.as_uri(), downloaded=False)
    if cached is not None:  # a .xml.zip put there by hand
        final = cached.with_name(cached.name.removesuffix(".xml.zip") + ".xml.gz")
        part = final.with_name(final.name + ".part")
        try:
            _unzip_to_gzip(cached, part, label=str(cached))
            part.replace(final)
        finally:
            part.unlink(missing_ok=True)
        return Fetched(final, cached.as_uri(), downloaded=False)
    dates = [date] if date else default_dates(today or dt.datetime.now(tz=dt.UTC).date())
    if settings.get().offline:
        url = vfr_url(code, dates[0], base_url=base_url)
        msg = (
            f"GISPLAN_OFFLINE is set and {folder} has no file of municipality {code}; "
            f"download {url} and put it at {folder / (file_stem(code, dates[0]) + '.xml.zip')} instead"
        )
        raise OfflineError(msg)
    return _try_dates(code, dates, folder, base_url=base_url, timeout_s=timeout_s)


__all__ = ["Fetched", "check_code", "default_dates", "fetch_vfr", "file_stem", "parse_date", "vfr_url"]
