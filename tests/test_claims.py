"""The paper's quoted figures against what bch computes."""

import pytest

from bch.analyse import claimcheck, pipeline
from bch.core.findings import Finding
from bch.read import claims


def test_every_claim_of_the_paper_agrees(analysis):
    table = analysis.claims
    assert table["ok"].all()
    assert len(table) == 21
    paragraphs = set(table["paragraph"])
    assert {
        "§3.4",
        "§3.7",
        "§5.1",
        "§5.3",
        "§5.4",
        "§6.2",
        "§6.3",
        "§6.4",
        "§6.5",
        "§6.6",
        "§6.8",
        "§9.1",
    } <= paragraphs


@pytest.mark.parametrize(
    ("paragraph", "metric", "amount"),
    [
        ("§3.4", "line:ERSOU/JPS etc:2014/15", 2_600_000),
        ("§3.7", "total:recurrent", 6_151_000),
        ("§5.3", "total:cumulative_to_date", 21_716_000),
        ("§5.4", "total:change_team_costs", 6_348_000),
        ("§6.4", "actual:ICT", 1_501_000),
        ("§6.8", "actual:Human Resources", 0),
    ],
)
def test_claims_computed(analysis, paragraph, metric, amount):
    row = analysis.claims[(analysis.claims["paragraph"] == paragraph) & (analysis.claims["metric"] == metric)].iloc[0]
    assert (row["claimed_gbp"], row["computed_gbp"], row["ok"]) == (amount, amount, True)


def test_a_wrong_claim_gives_a_cross_and_both_figures(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("paragraph,quote,metric,amount\n§5.3,an ongoing saving of £6.15m,total:recurrent,£6.15m\n")
    result = pipeline.analyse(paper_claims=path)
    assert result.claims.loc[0, "ok"] == False  # noqa: E712
    assert result.claims.loc[0, "computed_gbp"] == 6_151_000
    assert result.findings[-1] == Finding(
        "error",
        "claim-mismatch",
        "claims.csv!D2",
        "§5.3 says £6.15m (£6,150,000) for total:recurrent; bch computes £6,151,000",
        stated_gbp=6_150_000,
        computed_gbp=6_151_000,
    )


def test_an_unknown_metric(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("paragraph,quote,metric,amount\n§5.3,x,total:nonsense,£1k\n")
    found = claimcheck.verify(claims.read_claims(path)[0], {})[1]
    assert [(f.code, f.cell) for f in found] == [("unknown-metric", "claims.csv!C2")]


def test_an_unreadable_claimed_amount(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("paragraph,quote,metric,amount\n§5.3,x,total:recurrent,about six million\n")
    _, found = claims.read_claims(path)
    assert [(f.severity, f.code, f.cell) for f in found] == [("error", "bad-amount", "claims.csv!D2")]
