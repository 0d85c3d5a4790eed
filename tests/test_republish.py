"""Any edition republishes at any time: three editions published, then each again, figure for figure."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bch.publish import pack, packoptions
from tests import next_editions

pytestmark = pytest.mark.notebook

EDITIONS = ("2018-07-19", "2019-07-18", "2020-07-16")
TABLES = ("savings-tidy.csv", "findings.csv", "variance.csv", "claims.csv")


def publish(out: Path, catalogue: Path, edition: str, day: dt.date) -> Path:
    options = packoptions.PackOptions(out=out, catalogue_path=str(catalogue), edition=edition)
    return pack.build_pack(options, run_date=day).path


def test_three_editions_publish_then_republish_out_of_order_figure_for_figure(tmp_path, lent_kernel):
    catalogue = next_editions.raw_folder(tmp_path, 3) / "editions.toml"
    out = tmp_path / "packs"
    day = dt.date(2020, 7, 20)
    first = {key: publish(out, catalogue, key, day) for key in EDITIONS}
    # the middle edition, then the oldest, after the newest was published
    again = {key: publish(out, catalogue, key, day + dt.timedelta(days=1)) for key in ("2019-07-18", "2018-07-19")}
    assert [p.name for p in first.values()] == ["2020-07-20", "2020-07-20.2", "2020-07-20.3"]
    assert [p.name for p in again.values()] == ["2020-07-21", "2020-07-21.2"]
    for key, republished in again.items():
        for table in TABLES:
            assert (republished / table).read_bytes() == (first[key] / table).read_bytes(), (key, table)
        record = json.loads((republished / "manifest.json").read_text())
        assert record["previous_pack"] == first[key].name  # compared with the same edition's last pack
        assert record["changes"] == 0
        html = (republished / "board-pack.html").read_text()
        assert f"No changes since the pack {first[key].name}" in html
    middle = (again["2019-07-18"] / "findings.csv").read_text()
    assert "editions.toml[2019-07-18].register_reviewed" in middle
    assert "editions.toml[2020-07-16]" not in middle


def test_a_pack_of_the_same_edition_published_again_says_why(tmp_path, shipped_pack, lent_kernel):
    """Through the real `bch pack`: the manifests' fingerprints differ only in a parameter, and the page says so."""
    import shutil

    from bch import cli

    out = tmp_path / "packs"
    shutil.copytree(shipped_pack.parent, out, symlinks=True)
    assert cli.main(["pack", "--out", str(out), "--materiality", "15", "--quiet"]) == 0
    again = (out / "latest").resolve()
    assert json.loads((again / "manifest.json").read_text())["previous_pack"] == shipped_pack.name
    page = (again / "board-pack.html").read_text()
    section = page.split('id="changes"')[1].split('id="appendix"')[0]
    assert '<th scope="row">republished because</th><td>parameters: materiality_pct</td><td>–</td><td>–</td>' in section
