"""``gisplan region fetch``: RÚIAN VFR files from a recorded ČÚZK folder served on 127.0.0.1, never the internet."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gisplan.cli import main
from gisplan.errors import InputError, OfflineError, SourceNotFoundError, UnreadableSourceError
from gisplan.sources._download import default_dates, fetch_vfr, parse_date, vfr_url

CODE = "564729"
DATE = dt.date(2014, 3, 31)
TINY_VFR = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<vf:VymennyFormat xmlns:vf="urn:cz:isvs:ruian:schemas:VymenneFormatyTypy:v1"></vf:VymennyFormat>\n'
)


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buffer.getvalue()


class Recorded:
    """Files by URL path, and every path requested."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Recorded]]:
    """A ČÚZK-like folder on 127.0.0.1: the base URL and what it holds and saw."""
    recorded = Recorded()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            recorded.requests.append(self.path)
            body = recorded.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/vymenny_format/soucasna", recorded
    finally:
        httpd.shutdown()
        httpd.server_close()


def _serve(recorded: Recorded, date: dt.date, body: bytes) -> None:
    recorded.files[f"/vymenny_format/soucasna/{date:%Y%m%d}_OB_{CODE}_UKSH.xml.zip"] = body


def _cache_files(cache: Path) -> list[str]:
    return sorted(p.name for p in (cache / "vfr").iterdir())


def test_download_is_verified_cached_and_read_again_without_a_request(
    server: tuple[str, Recorded], tmp_path: Path
) -> None:
    base, recorded = server
    _serve(recorded, DATE, _zip(f"{DATE:%Y%m%d}_OB_{CODE}_UKSH.xml", TINY_VFR))
    first = fetch_vfr(CODE, date=DATE, cache_dir=tmp_path, base_url=base)
    assert first.downloaded and first.url == vfr_url(CODE, DATE, base_url=base)
    assert first.path == tmp_path / "vfr" / "20140331_OB_564729_UKSH.xml.gz"
    assert gzip.decompress(first.path.read_bytes()) == TINY_VFR
    assert len(recorded.requests) == 1
    again = fetch_vfr(CODE, date=DATE, cache_dir=tmp_path, base_url=base)
    newest = fetch_vfr(CODE, cache_dir=tmp_path, base_url=base)  # no date: the newest cached file
    assert (again.downloaded, newest.downloaded) == (False, False)
    assert again.path == newest.path == first.path
    assert len(recorded.requests) == 1
    fetch_vfr(CODE, date=DATE, cache_dir=tmp_path, base_url=base, refresh=True)
    assert len(recorded.requests) == 2
    assert _cache_files(tmp_path) == ["20140331_OB_564729_UKSH.xml.gz"]


def test_without_a_date_the_last_two_month_ends_are_tried(server: tuple[str, Recorded], tmp_path: Path) -> None:
    base, recorded = server
    assert default_dates(dt.date(2025, 1, 6)) == [dt.date(2024, 12, 31), dt.date(2024, 11, 30)]
    _serve(recorded, dt.date(2024, 11, 30), _zip("x.xml", TINY_VFR))
    fetched = fetch_vfr(CODE, cache_dir=tmp_path, base_url=base, today=dt.date(2025, 1, 6))
    assert fetched.path.name == "20241130_OB_564729_UKSH.xml.gz"
    assert [r.rsplit("/", 1)[1] for r in recorded.requests] == [
        "20241231_OB_564729_UKSH.xml.zip",
        "20241130_OB_564729_UKSH.xml.zip",
    ]


def test_404_names_the_addresses_and_leaves_nothing(server: tuple[str, Recorded], tmp_path: Path) -> None:
    base, _ = server
    with pytest.raises(SourceNotFoundError) as caught:
        fetch_vfr(CODE, date=DATE, cache_dir=tmp_path, base_url=base)
    message = str(caught.value)
    assert f"{base}/20140331_OB_564729_UKSH.xml.zip" in message and "(404)" in message and "--date" in message
    assert _cache_files(tmp_path) == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"<html>maintenance</html>", "not a complete zip file"),
        (_zip("a.xml", TINY_VFR)[:-40], "not a complete zip file"),
        (_zip("readme.txt", b"hello"), "expected a zip with one RÚIAN .xml"),
        (_zip("a.xml", b"<?xml version='1.0'?><kml/>"), "which is not a RÚIAN exchange file"),
    ],
    ids=["html", "truncated", "no-xml", "not-vfr"],
)
def test_a_corrupt_download_is_refused_and_leaves_no_half_file(
    server: tuple[str, Recorded], tmp_path: Path, body: bytes, words: str
) -> None:
    base, recorded = server
    _serve(recorded, DATE, body)
    with pytest.raises(UnreadableSourceError, match=words):
        fetch_vfr(CODE, date=DATE, cache_dir=tmp_path, base_url=base)
    assert _cache_files(tmp_path) == []


def test_no_connection_or_offline_says_where_to_put_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: tuple[str, Recorded]
) -> None:
    base, recorded = server
    closed = "http://127.0.0.1:9/vymenny_format/soucasna"  # the discard port: nothing listens here
    with pytest.raises(OfflineError, match="no connection to ČÚZK") as caught:
        fetch_vfr(CODE, date=DATE, cache_dir=tmp_path, base_url=closed, timeout_s=5)
    by_hand = tmp_path / "vfr" / "20140331_OB_564729_UKSH.xml.zip"
    assert f"put it (the .xml.zip as it is) at {by_hand} instead" in str(caught.value)
    assert _cache_files(tmp_path) == []
    monkeypatch.setenv("GISPLAN_OFFLINE", "1")
    with pytest.raises(OfflineError, match="GISPLAN_OFFLINE is set"):
        fetch_vfr(CODE, date=DATE, cache_dir=tmp_path, base_url=base)
    assert recorded.requests == []
    # the file downloaded by hand, put where the message said: used offline, converted once
    by_hand.write_bytes(_zip("x.xml", TINY_VFR))
    fetched = fetch_vfr(CODE, cache_dir=tmp_path, base_url=base)
    assert not fetched.downloaded and gzip.decompress(fetched.path.read_bytes()) == TINY_VFR
    assert recorded.requests == []


def test_bad_codes_and_dates_are_refused() -> None:
    with pytest.raises(InputError, match="not a municipality code"):
        fetch_vfr("12")
    with pytest.raises(InputError, match="write it as YYYYMMDD"):
        parse_date("31.3.2014")
    assert parse_date("2014-03-31") == parse_date("20140331") == DATE


@pytest.mark.shared_data
def test_cli_fetches_the_real_decany_file_and_reads_it(
    shared_data: Path,
    server: tuple[str, Recorded],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from gisplan.sources import read

    base, recorded = server
    xml = gzip.decompress((shared_data / "ruian_cz" / "OB_564729_UKSH_20140331_Decany.xml.gz").read_bytes())
    _serve(recorded, DATE, _zip("20140331_OB_564729_UKSH.xml", xml))
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("GISPLAN_DATA_DIR", str(data))
    monkeypatch.setenv("GISPLAN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GISPLAN_VFR_URL", base)
    assert main(["region", "fetch", "--municipality", CODE, "--date", "20140331", "--to", str(data)]) == 0
    out = capsys.readouterr().out
    assert f"downloaded {base}/20140331_OB_564729_UKSH.xml.zip" in out
    assert "path: 20140331_OB_564729_UKSH.xml.gz, format: ruian" in out
    assert len(read(data / "20140331_OB_564729_UKSH.xml.gz")) == 298
    assert main(["region", "fetch", "--municipality", CODE]) == 0
    assert "from the cache, no download" in capsys.readouterr().out
    assert len(recorded.requests) == 1
    assert main(["region", "fetch", "--municipality", "abc"]) == 1
    assert "not a municipality code" in capsys.readouterr().err
    # several municipalities: each is tried, the missing one is named, the exit code says one failed
    assert main(["region", "fetch", "-m", CODE, "-m", "530506", "--date", "20140331"]) == 1
    captured = capsys.readouterr()
    assert "20140331_OB_564729_UKSH.xml.gz: from the cache" in captured.out
    assert "error: 530506: ČÚZK has no file for municipality 530506" in captured.err
    assert "1 of 2 not fetched: 530506" in captured.err
