"""The trend's cache of earlier editions: read once, then kept. A stale, damaged or hand-edited entry is recomputed;
an entry forged with its checksum recomputed is the documented limit (bch.core.cache)."""

from __future__ import annotations

import json
import os

import pytest

from bch import params, paths
from bch.analyse import history, pipeline
from bch.core import cache
from tests import next_editions

ICT_ACTUALS = [1_501_000, 1_701_000, 1_801_000]  # the three editions' ICT actuals (next_editions' figures)


@pytest.fixture
def raw3(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path / "cache"))
    return next_editions.raw_folder(tmp_path, 3)


def _trend(raw3, materiality: float = 10):
    run = params.validate(catalogue_path=str(raw3 / "editions.toml"), materiality_pct=materiality)
    return history.trend(run, pipeline.analyse_run(run))


def _ict(trend) -> list[int]:
    return trend.cases[trend.cases["function"] == "ICT"]["actual_gbp"].tolist()


def _entries(raw3) -> list:
    return sorted((raw3.parent / "cache" / "trend").glob("*.json"))


def _analyses_recorded(monkeypatch) -> list[str]:
    """The edition of each analysis from here on (`_trend` analyses the current edition, 2020-07-16, first)."""
    analysed: list[str] = []
    real = pipeline.analyse

    def counting(*args, **kwargs):
        analysed.append(kwargs["inputs"].as_of.isoformat())
        return real(*args, **kwargs)

    monkeypatch.setattr(history.pipeline, "analyse", counting)
    return analysed


def test_a_second_trend_reads_each_earlier_edition_from_the_cache_with_the_same_figures(raw3, monkeypatch):
    first = _trend(raw3)
    assert len(_entries(raw3)) == 2  # the two earlier editions; the current one is never cached
    analysed = _analyses_recorded(monkeypatch)
    second = _trend(raw3)
    assert analysed == ["2020-07-16"]  # the current edition only
    assert _ict(second) == _ict(first) == ICT_ACTUALS
    assert second.cases.equals(first.cases) and second.headlines == first.headlines
    assert second.cases.dtypes.equals(first.cases.dtypes)


def test_another_materiality_is_another_entry(raw3, monkeypatch):
    _trend(raw3, 10)
    analysed = _analyses_recorded(monkeypatch)
    _trend(raw3, 20)
    assert analysed == ["2020-07-16", "2018-07-19", "2019-07-18"]
    assert len(_entries(raw3)) == 4


def test_an_earlier_edition_whose_file_changed_is_read_again(raw3, monkeypatch):
    _trend(raw3)
    register = raw3 / "business-cases.csv"
    os.chmod(register, 0o644)
    register.write_bytes(register.read_bytes() + b"\n")  # same figures, other bytes: another key
    analysed = _analyses_recorded(monkeypatch)
    assert _ict(_trend(raw3)) == ICT_ACTUALS
    assert len(analysed) > 1  # an earlier edition uses that register: read again


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda e: e["rows"][0].update(actual_gbp=1.5), id="a float"),
        pytest.param(lambda e: e["rows"][0].update(actual_gbp=True), id="a bool"),
        pytest.param(lambda e: e["rows"][0].update(actual_gbp=10**30), id="a huge number"),
        pytest.param(lambda e: e["rows"][0].update(extra="x"), id="an extra column"),
        pytest.param(lambda e: e["rows"][0].pop("status"), id="a column missing"),
        pytest.param(lambda e: e["rows"][0].update(as_of="2099-01-01"), id="another edition's row"),
        pytest.param(lambda e: e["headline"].update(recurrent_gbp="6,151,000"), id="a headline as text"),
        pytest.param(lambda e: e.update(rows="none"), id="rows not a list"),
        pytest.param(lambda e: e.clear(), id="empty"),
    ],
)
@pytest.mark.parametrize("checksum", ["kept", "recomputed"])
def test_an_edited_entry_is_recomputed_never_shown(raw3, forge, checksum):
    """Edited by hand (its checksum then fails) or with the checksum recomputed (the value's own form then fails)."""
    real = _trend(raw3)
    for entry in _entries(raw3):
        kept = json.loads(entry.read_text())
        forge(kept["value"])
        if checksum == "recomputed":
            kept["sha256"] = cache.key({"name": entry.stem, "value": kept["value"]})
        entry.write_text(json.dumps(kept))
    trend = _trend(raw3)
    assert trend.cases.equals(real.cases) and trend.headlines == real.headlines


def test_a_figure_edited_by_hand_fails_its_checksum(raw3):
    real = _trend(raw3)
    for entry in _entries(raw3):
        kept = json.loads(entry.read_text())
        for row in kept["value"]["rows"]:
            if row["actual_gbp"] is not None:
                row["actual_gbp"] += 1_000
        entry.write_text(json.dumps(kept))
    trend = _trend(raw3)
    assert trend.cases.equals(real.cases) and _ict(trend) == ICT_ACTUALS


def test_an_entry_copied_under_another_name_fails_its_checksum(raw3):
    real = _trend(raw3)
    first, second = _entries(raw3)
    first.write_bytes(second.read_bytes())  # another edition's figures, checksum and all
    trend = _trend(raw3)
    assert trend.cases.equals(real.cases) and trend.headlines == real.headlines


@pytest.mark.parametrize("kind", ["not JSON", "a link", "a pipe", "oversized", "nested too deep"])
def test_an_unreadable_entry_is_a_miss(raw3, kind, tmp_path):
    _trend(raw3)
    for entry in _entries(raw3):
        entry.unlink()
        if kind == "not JSON":
            entry.write_bytes(b"\xff{")
        elif kind == "a link":
            entry.symlink_to("/dev/zero")
        elif kind == "a pipe":
            os.mkfifo(entry)
        elif kind == "oversized":
            with open(entry, "wb") as handle:
                handle.truncate(64 << 20)  # sparse: costs no disk
        else:
            entry.write_text("[" * 100_000 + "]" * 100_000)
    assert _ict(_trend(raw3)) == ICT_ACTUALS


def test_a_cache_that_cannot_be_written_costs_time_not_the_pack(raw3, tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(paths.CACHE_ENV, str(blocked))
    assert _ict(_trend(raw3)) == ICT_ACTUALS
    assert blocked.read_text() == "not a folder"


def test_where_the_cache_is(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert paths.cache("trend") == tmp_path / "xdg" / "bch" / "trend"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert paths.cache("trend") == tmp_path / "home" / ".cache" / "bch" / "trend"


@pytest.mark.parametrize("where", ["in data/raw", "in the project", "relative", "linked into a project", "no home"])
def test_the_cache_is_never_in_a_project_and_a_trend_without_one_is_still_right(raw3, tmp_path, monkeypatch, where):
    """BCH_CACHE naming data/raw (or a project, or a folder linked into one) must never make bch write there."""
    other = next_editions.raw_folder(tmp_path / "other", 1)  # another project's data/raw, with its catalogue
    if where == "in data/raw":
        monkeypatch.setenv(paths.CACHE_ENV, str(raw3))
    elif where == "in the project":
        monkeypatch.setenv(paths.CACHE_ENV, str(paths.ROOT / "build" / "cache"))
    elif where == "relative":
        monkeypatch.setenv(paths.CACHE_ENV, "cache")
    elif where == "linked into a project":
        (tmp_path / "linked").mkdir()
        (tmp_path / "linked" / "trend").symlink_to(other)
        monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path / "linked"))
    else:
        monkeypatch.delenv(paths.CACHE_ENV)
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        monkeypatch.delenv("HOME", raising=False)
        monkeypatch.setattr(paths.Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(RuntimeError("no home"))))
    assert paths.cache("trend") is None
    before = {p: p.stat().st_mtime_ns for p in [*raw3.rglob("*"), *other.rglob("*")]}
    assert _ict(_trend(raw3)) == ICT_ACTUALS
    assert {p: p.stat().st_mtime_ns for p in [*raw3.rglob("*"), *other.rglob("*")]} == before
    assert not (paths.ROOT / "build" / "cache").exists()
