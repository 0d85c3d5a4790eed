"""Editions: the catalogue, next year's workbook, claims of their own edition, revisions, freshness."""

import datetime as dt
import json
import re

import pytest

from bch import adding, cli, params
from bch.analyse import history, pipeline
from bch.core.errors import InputError, ParameterError
from bch.read import editions
from tests import builders, next_editions


def check_json(capsys, *argv):
    code = cli.main(["check", "--json", *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


def keys(findings):
    return [(f["severity"], f["code"], f["cell"]) for f in findings]


@pytest.fixture(scope="module")
def raw3(tmp_path_factory):
    return next_editions.raw_folder(tmp_path_factory.mktemp("editions"), 3)


def test_the_shipped_catalogue_names_one_edition_with_its_paper():
    catalogue = editions.load()
    assert [e.key for e in catalogue.editions] == ["2018-07-19"]
    shipped = catalogue.newest()
    assert shipped.savings.name == "bch-savings-2018-07-19.xlsx"
    assert shipped.claims.name == "paper-claims.csv"
    assert shipped.register_reviewed == dt.date(2018, 7, 19)
    assert shipped.provenance().endswith("19 July 2018 (table 5.2, §5–§6)")


def test_the_shipped_edition_stays_figure_for_figure(capsys):
    code, result, _ = check_json(capsys)
    assert code == 0
    assert (result["edition"], result["as_of"], result["claims_checked"]) == ("2018-07-19", "2018-07-19", True)
    assert result["totals"] == {
        "recurrent_gbp": 6_151_000,
        "cumulative_to_date_gbp": 21_716_000,
        "change_team_costs_gbp": 6_348_000,
    }
    assert [c["ok"] for c in result["claims"]] == [True] * 21
    assert keys(result["findings"]) == [("warning", "blank-total", "Savings!B13")]


def test_next_years_workbook_checks_clean_with_the_shipped_register_and_claims(capsys, raw3):
    code, result, _ = check_json(capsys, "--catalogue", str(raw3 / "editions.toml"), "--edition", "2019-07-18")
    assert code == 0
    assert result["as_of"] == "2019-07-18"
    assert result["source"]["years"][-1] == "2019/20"
    assert result["totals"]["recurrent_gbp"] == 6_151_000 + 720_000
    assert result["claims_checked"] is False  # the 2018 paper's quotes describe the 2018 edition
    assert [f for f in result["findings"] if f["severity"] == "error"] == []
    assert keys(result["findings"]) == [
        ("warning", "register-stale", "editions.toml[2019-07-18].register_reviewed"),
        ("warning", "possible-match", "Savings!A9"),
    ]


def test_a_line_named_like_a_case_without_one_is_proposed_never_shown_as_zero(capsys, raw3):
    _, result, _ = check_json(capsys, "--catalogue", str(raw3 / "editions.toml"), "--edition", "2019-07-18")
    proposal = next(f for f in result["findings"] if f["code"] == "possible-match")
    assert proposal["message"].startswith(
        "sheet line 'HR' matches no business case, and the case 'Human Resources' ('business-cases.csv'!A8) "
        'has no sheet line: if they are one, accept with: bch edition add … --alias "HR=Human Resources"; until '
        "then the case's actual is unknown"
    )
    variance = {row["function"]: row for row in result["variance"]}
    assert variance["Human Resources"]["actual_gbp"] is None
    assert variance["Human Resources"]["status"] == "actual unknown"
    assert variance["HR"]["actual_gbp"] == 150_000


def test_the_newest_edition_is_the_default(capsys, raw3):
    _, result, _ = check_json(capsys, "--catalogue", str(raw3 / "editions.toml"))
    assert result["edition"] == "2020-07-16"
    assert result["source"]["years"][-1] == "2020/21"


def test_an_uncatalogued_workbook_states_no_date(capsys, tmp_path):
    workbook = next_editions.workbook(tmp_path, 1, "next.xlsx")
    code = cli.main(["check", "--savings", str(workbook)])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "As at: not stated (the workbook is in no catalogued edition; give --as-of YYYY-MM-DD)" in out
    assert "Figures quoted about the edition as at 2018-07-19 (for information, not checked against this one)" in out
    assert "  moved §3.7 total:recurrent: quoted then £6,151,000, now £6,871,000" in out
    assert "✗" not in out


def test_a_year_that_starts_after_the_as_of_date_is_an_error_naming_its_header(capsys, tmp_path):
    workbook = next_editions.workbook(tmp_path, 1, "next.xlsx")
    code, result, _ = check_json(capsys, "--savings", str(workbook), "--as-of", "2019-03-31")
    assert code == 1
    assert keys(result["findings"])[0] == ("error", "year-after-as-of", "Savings!G2")
    assert result["findings"][0]["message"].startswith(
        "fiscal year 2019/20 starts on 2019-04-01, after the as-of date 2019-03-31"
    )


def test_claims_given_explicitly_are_checked_against_the_run(capsys, raw3, tmp_path):
    claims = next_editions.copy_claims(tmp_path)
    code, result, _ = check_json(
        capsys, "--catalogue", str(raw3 / "editions.toml"), "--edition", "2019-07-18", "--claims", str(claims)
    )
    assert code == 1
    assert result["claims_checked"] is True
    mismatches = [f["cell"] for f in result["findings"] if f["code"] == "claim-mismatch"]
    assert mismatches[:3] == ["'my-claims.csv'!D3", "'my-claims.csv'!D4", "'my-claims.csv'!D6"]


def test_a_catalogued_claims_file_is_checked_only_against_its_own_edition(capsys, raw3):
    catalogue = str(raw3 / "editions.toml")
    code, result, _ = check_json(capsys, "--catalogue", catalogue, "--edition", "2018-07-19")
    assert (code, result["claims_checked"]) == (0, True)
    assert sum(c["ok"] for c in result["claims"]) == 21
    claims = str(raw3 / "paper-claims.csv")
    code, result, _ = check_json(capsys, "--catalogue", catalogue, "--edition", "2019-07-18", "--claims", claims)
    assert (code, result["claims_checked"]) == (0, False)


def test_variance_is_against_the_revision_in_force_at_the_as_of_date(raw3):
    def ict(edition):
        run = params.validate(catalogue_path=str(raw3 / "editions.toml"), edition=edition)
        rows = pipeline.analyse_run(run).variance.set_index("function")
        return rows.loc["ICT", ["forecast_gbp", "latest_forecast_gbp", "revised_on", "revision_reason"]].tolist()

    assert ict("2019-07-18") == [2_202_000, 2_202_000, "", ""]
    assert ict("2020-07-16") == [2_202_000, 1_800_000, "2020-01-01", "Two infrastructure projects were cancelled"]


def test_firearms_keeps_its_undated_revision():
    rows = pipeline.analyse().variance.set_index("function")
    assert rows.loc["Firearms Licensing", ["forecast_gbp", "latest_forecast_gbp", "actual_gbp"]].tolist() == [
        174_000,
        112_000,
        113_000,
    ]


def test_a_stale_register_is_a_warning_naming_the_catalogue_entry(raw3):
    run = params.validate(catalogue_path=str(raw3 / "editions.toml"), edition="2020-07-16")
    stale = [f for f in pipeline.analyse_run(run).findings if f.code == "register-stale"]
    assert [(f.severity, f.cell) for f in stale] == [("warning", "editions.toml[2020-07-16].register_reviewed")]
    assert "last reviewed on 2018-07-19, 728 days before these figures" in stale[0].message


def test_the_trend_is_rebuilt_from_the_catalogue(raw3):
    run = params.validate(catalogue_path=str(raw3 / "editions.toml"))
    trend = history.trend(run, pipeline.analyse_run(run))
    assert trend.editions == ["2018-07-19", "2019-07-18", "2020-07-16"]
    ict = trend.cases[trend.cases["function"] == "ICT"]
    assert ict["actual_gbp"].tolist() == [1_501_000, 1_701_000, 1_801_000]
    assert history.headline_changes(trend) == {
        "recurrent_gbp": 220_000,
        "cumulative_to_date_gbp": 6_151_000 + 720_000 + 220_000,  # the 2020/21 annual cumulative
        "change_team_costs_gbp": 300_000,
        "since": "2019-07-18",
    }


def test_one_edition_has_no_trend():
    run = params.validate()
    assert history.trend(run, pipeline.analyse_run(run)).enough is False


def test_adding_an_edition_never_replaces_one_or_overwrites_a_file(raw3, tmp_path):
    catalogue = raw3 / "editions.toml"
    before = catalogue.read_bytes()
    with pytest.raises(ParameterError, match="already has an edition as at 2019-07-18; editions are never replaced"):
        adding.add(
            catalogue,
            adding.NewEdition(as_of="2019-07-18", title="t", document_date="2019-07-18", savings=raw3 / "x.xlsx"),
        )
    # same name, figures of no edition (the 2020 edition's figures would be that edition's file, by content)
    impostor = next_editions.workbook(tmp_path, 2, "bch-savings-2019-07-18.xlsx", {"Not in any edition": 1})
    with pytest.raises(InputError, match="already exists with other content; raw files are never overwritten"):
        adding.add(
            catalogue, adding.NewEdition(as_of="2021-07-15", title="t", document_date="2021-07-15", savings=impostor)
        )
    assert catalogue.read_bytes() == before


def test_edition_add_and_list_through_the_cli(capsys, tmp_path):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    workbook = next_editions.workbook(tmp_path, 1, "bch-savings-2019-07-18.xlsx")
    catalogue = str(raw / "editions.toml")
    argv = ["edition", "--catalogue", catalogue, "add", "--as-of", "2019-07-18", "--savings", str(workbook)]
    assert cli.main([*argv, "--title", "Second edition", "--document-date", "2019-07-18"]) == 0
    assert (raw / "bch-savings-2019-07-18.xlsx").read_bytes() == workbook.read_bytes()
    said = capsys.readouterr().out.splitlines()
    said = said[said.index(f"added the edition as at 2019-07-18 to {catalogue}") :]  # after the preview
    assert said[1] == "  register: business-cases.csv, reused from the edition before it (reviewed: 2018-07-19)"
    assert said[-1] == "  commit data/raw so that packs record a clean tree: git add data/raw && git commit"
    assert cli.main(["edition", "--catalogue", catalogue, "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line[:10] for line in listed] == ["2018-07-19", "2019-07-18"]
    assert "register business-cases.csv  no quoted figures" in listed[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[edition]]\nas_of = 2019-07-18\n", "editions.toml, edition 1 lacks title, document_date, savings, register"),
        ("[[edition]\n", "is not valid TOML"),
        (
            '[[edition]]\nas_of = "July"\ntitle = "t"\ndocument_date = 2019-07-18\nsavings = "s"\nregister = "r"\n',
            "editions.toml, edition 1: as_of must be a date like 2019-07-18, not 'July'",
        ),
        (
            '[[edition]]\nas_of = 2019-07-18\ntitle = "t"\ndocument_date = 2019-07-18\nsavings = "gone.xlsx"\n'
            'register = "r"\n',
            "editions.toml, edition 1 (as at 2019-07-18): savings file",
        ),
        ("[[edition]]\ncolour = 1\n", "has unknown field(s) colour"),
    ],
    ids=["missing", "not-toml", "bad-date", "missing-file", "unknown-field"],
)
def test_a_bad_catalogue_is_one_line_exit_2(capsys, tmp_path, text, message):
    (tmp_path / "editions.toml").write_text(text)
    code = cli.main(["check", "--catalogue", str(tmp_path / "editions.toml")])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err and err.count("\n") == 1


def test_an_unknown_edition_names_the_known_ones(capsys):
    code = cli.main(["check", "--edition", "2019-07-18"])
    assert code == 2
    err = capsys.readouterr().err
    assert "no edition as at '2019-07-18'" in err and "its editions are: 2018-07-19" in err


@pytest.mark.parametrize("line", ["H.R.", "Hu\u200bman Resources", "HR & OD", "Human Resource"])
def test_a_line_named_like_a_case_is_proposed_however_it_is_written(line):
    from bch.analyse import matching
    from bch.core import labels

    assert matching.alike(labels.neutralise(line), "Human Resources")
    assert not matching.alike(labels.neutralise(line), "Custody")


def test_explicit_inputs_that_contradict_the_edition_are_refused(capsys, raw3, tmp_path):
    catalogue = str(raw3 / "editions.toml")
    cases = [
        (
            ["--edition", "2018-07-19", "--as-of", "2030-01-01"],
            "--as-of 2030-01-01 contradicts it: the edition as at 2018-07-19 is stated at that date",
        ),
        (["--as-of", "2019-01-01"], "--as-of 2019-01-01 contradicts it: the edition as at 2020-07-16"),
        (
            ["--savings", str(raw3 / "bch-savings-2018-07-19.xlsx"), "--as-of", "2019-01-01"],
            "--savings bch-savings-2018-07-19.xlsx is the workbook of the edition as at 2018-07-19",
        ),
        (
            ["--edition", "2018-07-19", "--savings", str(next_editions.workbook(tmp_path, 1, "x.xlsx"))],
            "is not the workbook of the edition as at 2018-07-19",
        ),
        (
            # a table no edition holds (next year's, saved within the same second, could be the 2019 edition's bytes)
            ["--savings", str(builders.save(builders.big_table(3), tmp_path, "y.xlsx")), "--as-of", "2099-01-01"],
            "is in the future",
        ),
    ]
    for argv, message in cases:
        assert cli.main(["check", "--catalogue", catalogue, *argv]) == 2
        assert message in capsys.readouterr().err, argv


def test_a_register_reviewed_after_the_figures_is_a_warning(tmp_path):
    raw = next_editions.raw_folder(tmp_path, 1)
    text = (
        (raw / "editions.toml").read_text().replace("register_reviewed = 2018-07-19", "register_reviewed = 2019-01-01")
    )
    (raw / "editions.toml").write_text(text)
    run = params.validate(catalogue_path=str(raw / "editions.toml"))
    found = [(f.severity, f.code, f.cell) for f in pipeline.analyse_run(run).findings if f.code.startswith("register")]
    assert found == [("warning", "register-after-as-of", "editions.toml[2018-07-19].register_reviewed")]


def test_a_new_editions_files_are_checked_before_anything_is_copied_or_catalogued(tmp_path):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    catalogue = raw / "editions.toml"
    before = (catalogue.read_bytes(), sorted(p.name for p in raw.iterdir()))
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    good = next_editions.workbook(tmp_path, 1, "next.xlsx")
    common = {"as_of": "2019-07-18", "document_date": "2019-07-18"}
    refusals = [
        ({"title": "t", "savings": junk}, "is not a readable .xlsx workbook"),
        ({"title": "Evil\x7ftitle", "savings": good}, "--title holds"),
        (
            {"title": "t", "savings": raw / "bch-savings-2018-07-19.xlsx"},
            "is already the workbook of the edition as at",
        ),
        ({"title": "t", "savings": good, "sheet": "Nope"}, "has no sheet 'Nope'"),
        ({"title": "t", "savings": good, "as_of": "2099-01-01"}, "--as-of 2099-01-01 is in the future"),
        ({"title": "t", "savings": good, "as_of": "2017-07-20"}, "no edition precedes 2017-07-20: give --register"),
    ]
    for options, message in refusals:
        with pytest.raises((InputError, ParameterError), match=re.escape(message)):
            adding.add(catalogue, adding.NewEdition(**{**common, **options}))
    assert (catalogue.read_bytes(), sorted(p.name for p in raw.iterdir())) == before


def test_a_title_with_quotes_and_backslashes_round_trips(tmp_path):
    raw = next_editions.raw_folder(tmp_path / "a", 1)
    title = 'The "second" paper \\ §5–§6'
    added = adding.add(
        raw / "editions.toml",
        adding.NewEdition(
            as_of="2019-07-18",
            title=title,
            document_date="2019-07-18",
            savings=next_editions.workbook(tmp_path, 1, "next.xlsx"),
        ),
    )
    assert added.title == title and editions.load(raw / "editions.toml").newest().title == title


def test_one_catalogued_file_gone_leaves_the_other_editions_usable(tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path, 2)
    (raw / "bch-savings-2019-07-18.xlsx").chmod(0o644)
    (raw / "bch-savings-2019-07-18.xlsx").unlink()
    catalogue = str(raw / "editions.toml")
    assert cli.main(["check", "--catalogue", catalogue, "--edition", "2018-07-19"]) == 0
    capsys.readouterr()
    assert cli.main(["check", "--catalogue", catalogue]) == 2  # the newest is gone: never an older one instead
    assert "(as at 2019-07-18): savings file" in capsys.readouterr().err


def test_an_unreadable_earlier_edition_is_left_out_of_the_trend_and_named(tmp_path):
    raw = next_editions.raw_folder(tmp_path, 3)
    (raw / "bch-savings-2019-07-18.xlsx").chmod(0o644)
    (raw / "bch-savings-2019-07-18.xlsx").write_bytes(b"damaged")
    run = params.validate(catalogue_path=str(raw / "editions.toml"))
    trend = history.trend(run, pipeline.analyse_run(run))
    assert trend.editions == ["2018-07-19", "2020-07-16"]
    assert len(trend.unread) == 1 and trend.unread[0].startswith("2019-07-18: ")
    assert "is not a readable .xlsx workbook" in trend.unread[0]


def test_quotes_about_another_edition_say_so_in_every_copy(raw3, tmp_path):
    import openpyxl

    from bch.present import excel

    run = params.validate(catalogue_path=str(raw3 / "editions.toml"), edition="2019-07-18")
    analysis = pipeline.analyse_run(run)
    assert set(analysis.claims["checked"]) == {False} and set(analysis.claims["about_as_of"]) == {"2018-07-19"}
    book = openpyxl.load_workbook(excel.write_workbook(analysis, tmp_path / "bch-pack.xlsx"))
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["figures as at"] == dt.datetime(2019, 7, 18) and about["edition"] == "2019-07-18"
    assert about["claims sheet"] == "quoted about the edition as at 2018-07-19: for information, not checked"
    header = [c.value for c in book["Claims"][1]]
    assert {"Checked", "About the edition as at"} <= set(header)


def test_every_edition_resolves_alike_from_the_catalogue_and_from_its_notebooks_parameters(raw3):
    """A pack resolves `--edition`; its notebooks get the resolved paths. Three editions share one register:
    both must name the edition being run as its owner, or the notebooks' findings differ from bch's own."""
    catalogue = raw3 / "editions.toml"
    for key in ("2018-07-19", "2019-07-18", "2020-07-16"):
        run = params.validate(catalogue_path=str(catalogue), edition=key)
        notebooks = params.validate(**params.plain(run))
        assert notebooks.inputs == run.inputs
        assert run.inputs.register_reviewed_where == f"editions.toml[{key}].register_reviewed"
        assert pipeline.analyse_run(notebooks).findings == pipeline.analyse_run(run).findings
    middle = pipeline.analyse_run(params.validate(catalogue_path=str(catalogue), edition="2019-07-18"))
    stale = [f for f in middle.findings if f.code == "register-stale"]
    assert [(f.severity, f.cell) for f in stale] == [("warning", "editions.toml[2019-07-18].register_reviewed")]


@pytest.mark.parametrize(
    ("field", "was"),
    [
        ("as_of", "as_of = 2018-07-19"),
        ("document_date", "document_date = "),
        ("register_reviewed", "register_reviewed = "),
    ],
)
def test_a_catalogued_date_in_the_future_is_refused_by_check_and_pack(field, was, tmp_path, capsys):
    raw = next_editions.raw_folder(tmp_path, 1)
    catalogue = raw / "editions.toml"
    text = catalogue.read_text()
    line = next(line for line in text.splitlines() if line.startswith(was))
    catalogue.write_text(text.replace(line, f"{field} = 2999-01-01"))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    expected = (
        f"bch: error: editions.toml, edition 1: {field} 2999-01-01 is after today ({today}, UTC); "
        "a catalogued date can't be one not yet reached: correct the catalogue\n"
    )
    for command in (["check"], ["pack", "--out", str(tmp_path / "packs")]):
        assert cli.main([*command, "--catalogue", str(catalogue)]) == 2
        assert capsys.readouterr().err == expected, command
    assert not (tmp_path / "packs").exists()
