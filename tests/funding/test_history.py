"""Saving an edited catalogue keeps the previous version; bad or stale edits save nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from gisplan import settings
from gisplan.errors import ConfigError, ConflictError, InputError, SourceNotFoundError
from gisplan.funding import (
    content_hash,
    current_text,
    history,
    load_calls,
    previous_text,
    restore,
    save_calls,
    to_yaml,
)
from tests.funding.helpers import call_data

SHIPPED = settings.PROJECT_ROOT / "data" / "funding_calls.yaml"
T0 = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)


def test_first_save_keeps_the_shipped_catalogue_as_previous(isolated_settings: Path) -> None:
    text, digest = current_text()
    assert digest == content_hash(SHIPPED.read_text(encoding="utf-8"))
    edited = text.replace("allocation_czk: 40000000", "allocation_czk: 45000000")
    assert edited != text
    version = save_calls(edited, author="admin", comment="OPST 22 allocation", expected_hash=digest, now=T0)
    target = isolated_settings / "funding_calls.yaml"
    assert target.read_text(encoding="utf-8") == edited  # comments of the YAML are kept
    assert load_calls()["opst_22_2023_karlovarsky"].allocation_czk == 45_000_000
    assert version.previous_file == "funding_calls.20260105T100000000000Z.yaml"
    assert previous_text(version.previous_file) == text
    assert [v.comment for v in history()] == ["OPST 22 allocation"]
    assert history()[0].author == "admin"
    assert history()[0].calls == len(load_calls(SHIPPED))
    assert SHIPPED.read_text(encoding="utf-8") == text  # the shipped file is never written


def test_every_save_keeps_its_predecessor_and_restore_brings_it_back(isolated_settings: Path) -> None:
    one = to_yaml({"calls": [call_data(id="first_call")]})
    two = to_yaml({"calls": [call_data(id="first_call"), call_data(id="second_call")]})
    save_calls(one, author="a", now=T0)
    save_calls(two, author="b", comment="add second", now=T0 + dt.timedelta(minutes=1))
    versions = history()
    assert [(v.author, v.calls) for v in versions] == [("b", 2), ("a", 1)]
    assert previous_text(versions[0].previous_file or "") == one
    restored = restore(versions[0].previous_file or "", author="c")
    assert restored.comment.startswith("restored funding_calls.")
    assert list(load_calls().calls) == ["first_call"]
    assert previous_text(history()[0].previous_file or "") == two  # the replaced version is kept too
    assert len(list((isolated_settings / "funding_calls.history").glob("funding_calls.*.yaml"))) == 3


def test_invalid_edit_saves_nothing(isolated_settings: Path) -> None:
    bad = {"calls": [call_data(url="not a url"), call_data(id="other", territory={"regions": ["Atlantis"]})]}
    with pytest.raises(ConfigError) as caught:
        save_calls(bad, author="admin")
    assert len(caught.value.problems) == 2
    assert "nothing was saved" in str(caught.value)
    assert not (isolated_settings / "funding_calls.yaml").exists()
    assert history() == []


def test_stale_edit_is_refused_with_both_hashes(isolated_settings: Path) -> None:
    save_calls(to_yaml({"calls": [call_data()]}), author="a")
    _, seen = current_text(isolated_settings / "funding_calls.yaml")
    save_calls(to_yaml({"calls": [call_data(notes="someone else")]}), author="b", expected_hash=seen)
    with pytest.raises(ConflictError) as caught:
        save_calls(to_yaml({"calls": [call_data(notes="mine")]}), author="a", expected_hash=seen)
    assert caught.value.mine == {"sha256": seen}
    assert caught.value.theirs["sha256"] != seen
    assert load_calls()["test_call"].notes == "someone else"


def test_save_needs_an_author_and_a_known_version(isolated_settings: Path) -> None:
    with pytest.raises(InputError, match="author"):
        save_calls(to_yaml({"calls": [call_data()]}), author="  ")
    with pytest.raises(SourceNotFoundError):
        previous_text("funding_calls.19990101T000000000000Z.yaml")


def test_explicit_path_and_catalogue_objects(tmp_path: Path) -> None:
    path = tmp_path / "calls.yaml"
    catalogue = load_calls(SHIPPED)
    save_calls(catalogue, author="admin", path=path)
    assert load_calls(path).calls == catalogue.calls
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["calls"][0]["id"] == next(iter(catalogue.calls))
    assert history(path)[0].previous_file is not None  # the shipped file counted as the previous version


# ------------------------------------------------------------------- one call edited in a form
def test_replace_call_rewrites_only_that_call_and_keeps_comments() -> None:
    from gisplan.funding import parse_text, replace_call

    text = SHIPPED.read_text(encoding="utf-8")
    catalogue = load_calls(SHIPPED)
    first, *rest = list(catalogue.calls.values())
    edited = first.model_copy(update={"allocation_czk": 45_000_000.0, "notes": "Edited: <b>note</b> `x` ${y}"})
    out = replace_call(text, edited)
    parsed, problems = parse_text(out, "edited")
    assert problems == []
    assert parsed[first.id] == edited
    assert [parsed[c.id] for c in rest] == rest  # every other call as it was
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in out.splitlines() if line.lstrip().startswith("#")] == comments
    assert len(out.splitlines()) < len(text.splitlines())  # the long folded notes became one line
    assert out.splitlines()[-1] == text.splitlines()[-1]  # the last call's lines are untouched


def test_replace_call_appends_a_new_call_and_falls_back_to_a_full_dump() -> None:
    from gisplan.funding import parse_text, replace_call
    from tests.funding.helpers import make_call

    text = to_yaml({"calls": [call_data(id="first_call")]})
    out = replace_call(text, make_call(id="second_call"))
    assert list(parse_text(out, "x")[0].calls) == ["first_call", "second_call"]
    assert out.startswith(text.rstrip("\n"))
    # a layout without "- id:" lines cannot be spliced: the whole catalogue is written instead
    flow = (
        "calls: [{id: first_call, programme: P1, title: {cs: a, en: b}, provider: SFZP, "
        "url: 'https://example.org/a', source_date: '2024'}]\n"
    )
    out = replace_call(flow, make_call(id="first_call", programme="Changed"))
    assert parse_text(out, "x")[0]["first_call"].programme == "Changed"
    with pytest.raises(ConfigError):
        replace_call("calls: [{id: 1}]", make_call())
