"""The explore notebook's logic: where each RAG tips, what-ifs and their export, the table against the pack's,
the drill-down's cells, what it writes and where, and the notebooks' parameter guard."""

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
from fractions import Fraction

import pandas as pd
import pytest

from bch import params, paths
from bch.analyse import explorecache, reconcile, scenario, tables
from bch.core.errors import BchError, ParameterError
from bch.publish import notebooks
from bch.read import register
from tests.test_notebooks import execute

AS_OF = dt.date(2018, 7, 19)


@pytest.fixture(scope="module")
def base():
    return explorecache.base(paths.CATALOGUE, "")


def test_ict_tips_to_amber_at_half_its_shortfall_exactly_as_the_rule_says():
    # ICT (§6.4): forecast £2.202m, £1.501m delivered: 31.83% short
    amber, green = scenario.tipping(1_501_000, 2_202_000)
    assert amber == Fraction(701_000 * 100, 2_202_000 * 2) and green == 2 * amber
    assert round(float(amber), 1) == 15.9 and round(float(green), 1) == 31.8
    below, above = float(amber) - 1e-9, float(amber) + 1e-9
    assert (reconcile.rag(1_501_000, 2_202_000, below), reconcile.rag(1_501_000, 2_202_000, above)) == ("red", "amber")
    assert reconcile.rag(1_501_000, 2_202_000, float(green) - 1e-9) == "amber"
    assert reconcile.rag(1_501_000, 2_202_000, float(green) + 1e-9) == "green"
    assert scenario.tipping(113_000, 112_000) is None  # Firearms delivered more than forecast: green at any materiality


def test_the_tipping_points_of_the_shipped_cases(base):
    tips = scenario.tipping_points(base.analysis.variance).set_index("function")
    assert tips.loc["ICT", "amber_from_pct"] == pytest.approx(15.917348, abs=1e-6)
    assert tips.loc["Human Resources", "amber_from_pct"] == 50.0  # nothing delivered of £990k: amber from 50%
    assert pd.isna(tips.loc["CJ phase 1", "amber_from_pct"])  # over-delivered
    assert "Public Contact" not in tips.index  # not implemented: no RAG to tip
    assert scenario.tips_at(15.917348, 31.834696, 10.0) == 15.917348
    assert scenario.tips_at(15.917348, 31.834696, 20.0) == 31.834696


def test_a_slider_change_reruns_the_reconciliation_to_the_same_figures(base):
    assert base.variance(10.0) is base.analysis.variance  # the Board's figures, as analysed
    again = scenario.recompute(base.actuals, base.register, base.as_of, 10.0)
    pd.testing.assert_frame_equal(again, base.analysis.variance)
    at_20 = base.variance(20.0).set_index("function")
    assert at_20.loc["ICT", "rag"] == "amber" and at_20.loc["Custody", "rag"] == "red"
    assert at_20.loc["ICT", "actual_gbp"] == 1_501_000
    assert explorecache.base(paths.CATALOGUE, "") is base  # kept: nothing read twice


def test_a_what_if_is_in_force_from_its_date_and_warned_about_after_the_as_of_date(base):
    before = scenario.Edit("ict", dt.date(2018, 1, 1), 1_600_000, "two projects cancelled")
    after = scenario.Edit("Custody", dt.date(2019, 1, 1), 100_000)
    variance = base.variance(10.0, (before, after)).set_index("function")
    assert variance.loc["ICT", "latest_forecast_gbp"] == 1_600_000 and variance.loc["ICT", "rag"] == "green"
    assert variance.loc["ICT", "revised_on"] == "2018-01-01"
    assert variance.loc["Custody", "latest_forecast_gbp"] == 278_000  # not in force at 19 July 2018
    assert scenario.warnings((before, after), AS_OF) == [
        "what-if for Custody takes effect 2019-01-01, after the as-of date 2018-07-19: it is not in force, "
        "and these figures do not include it"
    ]
    assert base.analysis.variance.set_index("function").loc["ICT", "latest_forecast_gbp"] == 2_202_000  # untouched


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (scenario.Edit("Payroll", AS_OF, 1), "'Payroll' is not a case in the register"),
        (
            scenario.Edit("ICT", AS_OF, 0),
            "a forecast is a positive number of whole pounds up to 1,000,000,000,000, not 0",
        ),
        (scenario.Edit("ICT", AS_OF, 1.5), "not 1.5"),
    ],
)
def test_a_what_if_bch_cannot_take_is_one_message(base, edit, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(")):
        base.variance(10.0, (edit,))


def test_the_scenario_exports_as_a_revisions_csv_that_bch_reads_back(base, tmp_path):
    edits = (
        scenario.Edit("ICT", dt.date(2018, 1, 1), 1_600_000, "=HYPERLINK(cancelled)"),
        scenario.Edit("Custody", dt.date(2019, 1, 1), 100_000),
    )
    path = tmp_path / "revisions.csv"
    path.write_text(scenario.revisions_csv(edits))
    assert path.read_text().splitlines()[0] == ",".join(register.REVISION_COLUMNS)
    read, findings = register.read_revisions(path, {"ict", "custody"})
    assert findings == []
    assert list(read["function"]) == ["ICT", "Custody"]
    assert list(read["effective"]) == [dt.date(2018, 1, 1), dt.date(2019, 1, 1)]
    assert list(read["forecast_gbp"]) == [1_600_000, 100_000]
    assert read["reason"][0] == "'=HYPERLINK(cancelled)"  # defused: no spreadsheet runs it
    assert list(read["cell"]) == ["revisions.csv!C2", "revisions.csv!C3"]
    # as `--revisions` reads it: the same figures as the scenario
    from bch.analyse import pipeline

    analysed = pipeline.analyse(revisions=path).variance.set_index("function")
    assert analysed.loc["ICT", "latest_forecast_gbp"] == 1_600_000
    assert analysed.loc["ICT", "revision_source"] == scenario.SCENARIO_SOURCE


def test_the_explore_table_at_the_defaults_is_the_packs_variance_figure_for_figure(base, shipped_pack):
    from bch.present.explore import table

    shown = table.view(base.variance(reconcile.DEFAULT_MATERIALITY_PCT), reconcile.DEFAULT_MATERIALITY_PCT)
    cases, total = shown.iloc[:-1], shown.iloc[-1]
    published = tables.read(shipped_pack, "variance")
    columns = [c for c in table.VIEW.names if c in published.columns]
    assert columns == [*table.VIEW.names[:8]]  # every figure the pack has: function to delivery %
    assert tables.as_text(cases[columns]).equals(published[columns])
    assert total["function"] == "Total (6 cases with figures)"
    assert (total["forecast_gbp"], total["latest_forecast_gbp"], total["actual_gbp"], total["variance_gbp"]) == (
        3_978_000,
        3_916_000,
        1_798_000,
        -2_118_000,
    )
    assert str(shown["actual_gbp"].dtype) == "Int64"  # numbers stay numbers: whole pounds


def test_the_table_slices_by_function_rag_and_status(base):
    from bch.present.explore import table

    variance = base.variance(20.0)
    assert list(table.select(variance, rags=("amber",))["function"]) == ["ICT"]
    red = table.select(variance, functions=("ICT", "Custody"), rags=("red",))
    assert list(red["function"]) == ["Custody"]
    assert list(table.view(red, 20.0)["function"]) == ["Custody", "Total (1 cases with figures)"]
    assert list(table.select(variance, statuses=("not implemented",))["function"]) == ["Public Contact"]


def test_the_drill_down_on_ict_names_its_cells(base):
    from bch.present.explore import drill

    frames = drill.case_frames(base.analysis, base.analysis.variance, "ICT", base.trend(params.validate()))
    actuals = frames["Actuals, year by year"]
    assert list(actuals["cell"]) == ["Savings!B5", "Savings!C5", "Savings!D5", "Savings!E5", "Savings!F5"]
    assert list(actuals["as printed"]) == ["blank", "541 (£'000)", "508 (£'000)", "29 (£'000)", "423 (£'000)"]
    assert list(frames["Forecast"]["cell"]) == ["'business-cases.csv'!D4", "'business-cases.csv'!D4"]
    assert list(frames["The paper's quotes"]["cell"]) == ["'paper-claims.csv'!D14", "'paper-claims.csv'!D15"]
    assert frames["Findings naming its cells"].empty  # the one shipped finding is Savings!B13, a costs cell
    editions = frames["At every edition"]
    assert list(editions["as of"]) == ["2018-07-19"] and list(editions["delivery"]) == ["68.2%"]


def test_the_drill_down_says_why_a_revision_is_not_in_force(base):
    from bch.present.explore import drill

    edits = (
        scenario.Edit("ICT", dt.date(2016, 1, 1), 2_000_000, "first"),
        scenario.Edit("ICT", dt.date(2017, 1, 1), 1_900_000, "second"),
        scenario.Edit("ICT", dt.date(2019, 1, 1), 1_800_000, "third"),
    )
    revised = scenario.with_edits(base.register, edits)
    shown = drill.revisions(revised, "ICT", AS_OF)
    assert list(shown["in force"]) == [
        "no: a later revision replaced it",
        "yes: the latest up to the as-of date",
        "no: takes effect after the as-of date 2018-07-19",
    ]
    assert list(shown["forecast"]) == ["£2,000,000", "£1,900,000", "£1,800,000"]


def test_a_findings_cell_is_on_a_cases_row():
    from bch.present.explore import drill

    assert drill.rows_of("Savings!B5:F5") == {("Savings", 5)}
    assert drill.rows_of("'business-cases.csv'!D4") == {("business-cases.csv", 4)}
    assert drill.rows_of("'it''s'!A2:A3") == {("it's", 2), ("it's", 3)}
    assert drill.rows_of("") == set()


def test_the_explorer_writes_into_explore_only(tmp_path):
    import shutil

    from bch.present.explore import app
    from tests.builders import tree_digest

    root = tmp_path / "project"
    shutil.copytree(paths.RAW, root / "data" / "raw")
    raw_before = tree_digest(root / "data" / "raw")
    with paths.project(root):
        explorer = app.Explorer(params.validate())
        explorer.widget()
        explorer.c.materiality.value = 20.0
        explorer.c.what_if_case.value = "ICT"
        explorer.c.what_if_forecast.value = 1_600_000
        explorer.c.what_if_effective.value = dt.date(2019, 1, 1)
        explorer.c.apply.click()
        assert "after the as-of date 2018-07-19" in explorer.banner.value
        assert "SCENARIO, not the Board&#x27;s figures" in explorer.banner.value
        explorer.c.export.click()
        explorer.c.download.click()
        explorer.c.what_if_forecast.value = -5
        explorer.c.apply.click()
        assert explorer.status.value.endswith(
            "bch: error: what-if: a forecast is a positive number of whole pounds up to 1,000,000,000,000, not -5</p>"
        )
    assert sorted(p.name for p in (root / "explore").iterdir()) == [
        "2018-07-19-scenario-revisions.csv",
        "2018-07-19-scenario-view.xlsx",
    ]
    assert sorted(p.name for p in root.iterdir()) == ["data", "explore"]
    assert tree_digest(root / "data" / "raw") == raw_before


def test_a_pack_never_runs_the_explore_notebook():
    names = [p.name for p in notebooks.in_order()]
    assert names == ["1.0-load-and-check.ipynb", "2.0-reconcile-forecasts.ipynb", "3.0-variance-charts.ipynb"]
    assert notebooks.explore_notebook().name == "4.0-explore.ipynb"
    assert not notebooks.in_pack(paths.NOTEBOOKS / "4.0-explore.ipynb")


@pytest.mark.parametrize("name", ["4.0-Explore.ipynb", "4.0_explore.ipynb", "4.0 - explore.ipynb", "9.9-x.ipynb"])
def test_the_explore_notebook_renamed_is_still_never_run_by_a_pack(tmp_path, name):
    """Its own metadata keeps it out, not its name; a notebook of another name with no such metadata is run."""
    renamed = tmp_path / name
    shutil.copy(paths.NOTEBOOKS / "4.0-explore.ipynb", renamed)
    assert notebooks.in_pack(renamed) is False
    exploratory = tmp_path / "4.0-exploratory.ipynb"
    shutil.copy(paths.NOTEBOOKS / "1.0-load-and-check.ipynb", exploratory)
    assert notebooks.in_pack(exploratory) is True


def test_an_undeclared_parameter_papermill_injects_is_refused():
    own = params.notebook_cell()
    given = ["", own, "# Parameters\nmateriality = 15\n", "from bch import params"]
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) materiality given to this notebook; it takes: "):
        params.refuse_undeclared({"In": given})
    params.refuse_undeclared({"In": [own, "# Parameters\nmateriality_pct = 15.0\noutput_dir = '/tmp/x'\n"]})
    # a kernel reused after that run (a pack's, reset between notebooks) keeps its cells: only this run's count
    params.refuse_undeclared({"In": [*given, own, "# Parameters\noutput_dir = '/tmp/x'\n", "from bch import params"]})


@pytest.mark.notebook
def test_papermill_p_materiality_stops_the_notebook_with_one_line(notebook_kernel, tmp_path):
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as failed:
        execute(notebook_kernel, "2.0-reconcile-forecasts.ipynb", tmp_path, materiality=15)
    assert failed.value.ename == "ParameterError"
    assert failed.value.traceback == [
        "bch: error: unknown parameter(s) materiality given to this notebook; it takes: catalogue_path, edition, "
        "savings_path, sheet, register_path, revisions_path, claims_path, as_of, materiality_pct, output_dir, strict"
    ]
    assert not (tmp_path / "out").exists()


def test_a_bch_error_in_a_notebook_is_the_clis_one_line():
    assert BchError("no such edition\x1b[2J")._render_traceback_() == ["bch: error: no such edition⟨ESC⟩[2J"]


def test_a_papermill_parameters_file_with_output_dir_is_taken_by_bch_pack(tmp_path, capsys):
    from bch import cli
    from bch.cli import parser as cliparser

    file = tmp_path / "params.yaml"
    file.write_text("materiality_pct: 15\noutput_dir: ../data/processed\n")
    values = params.read_file(file, params.PACK)
    assert params.for_pack(values) == ({"materiality_pct": 15.0}, ["output_dir"])
    args = cli._with_parameters_file(cliparser.build(), ["pack", "-f", str(file)])
    assert args.materiality_pct == 15.0
    assert "output_dir is a notebook's alone; a pack writes into its own folder" in capsys.readouterr().err


def test_make_lab_and_explore_run_as_root_when_root():
    for target in ("lab", "explore"):
        shown = subprocess.run(["make", "-n", target], cwd=paths.ROOT, capture_output=True, text=True, check=True)
        assert ("--allow-root" in shown.stdout) == (os.getuid() == 0), shown.stdout


def test_the_view_downloads_through_bchs_own_excel_writer(base, tmp_path):
    from openpyxl import load_workbook

    from bch.present import excel
    from bch.present.explore import table

    sliced = table.select(base.variance(20.0), functions=("ICT",))
    shown = dataclasses.replace(base.analysis, variance=sliced, materiality_pct=20.0)
    rows = list(load_workbook(excel.write_workbook(shown, tmp_path / "v.xlsx"))["Variance"].values)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2 and record["Function"] == "ICT"
    assert (record["Actual (£)"], record["RAG"]) == (1_501_000, "amber")  # whole pounds, a number


def test_an_edition_compared_with_the_first_and_its_revision_in_force(tmp_path):
    from bch.present.explore import drill
    from tests import next_editions

    catalogue = next_editions.raw_folder(tmp_path, 3) / "editions.toml"
    third, first = explorecache.base(catalogue, "2020-07-16"), explorecache.base(catalogue, "2018-07-19")
    compared = explorecache.compare(third.variance(10.0), first.variance(10.0), "2018-07-19").set_index("function")
    ict = compared.loc["ICT"]
    assert (ict["latest_forecast_gbp"], ict["latest_forecast_gbp_2018-07-19"]) == (1_800_000, 2_202_000)
    assert (ict["latest_forecast_gbp_change"], ict["actual_gbp_change"]) == (-402_000, 300_000)
    assert ict["delivery_pct"] == 100.1 and ict["delivery_pct_2018-07-19"] == 68.2
    shown = drill.revisions(third.register, "ICT", third.as_of)
    assert list(shown["effective"]) == ["2020-01-01"] and list(shown["forecast"]) == ["£1,800,000"]
    assert list(shown["in force"]) == ["yes: the latest up to the as-of date"]
    assert list(shown["reason"]) == ["Two infrastructure projects were cancelled"]


@pytest.mark.notebook
def test_the_explore_notebook_runs_headless_and_saves_nothing(notebook_kernel, tmp_path):
    before = sorted(paths.ROOT.glob("explore/**/*"))
    _, nb = execute(notebook_kernel, "4.0-explore.ipynb", tmp_path)
    shown = nb.cells[-1].outputs
    assert [o.output_type for o in shown][-1] == "execute_result"
    assert "application/vnd.jupyter.widget-view+json" in shown[-1].data
    assert not any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))
    assert sorted(paths.ROOT.glob("explore/**/*")) == before
    assert not (tmp_path / "out").exists()  # output_dir: the explore notebook writes no tables


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_what_if_without_a_reason_is_exported_as_a_what_if_never_as_str(base, reason):
    edit = scenario.check_edit(scenario.Edit("ICT", dt.date(2018, 7, 1), 1_600_000, reason), base.register.cases)
    assert edit.reason == "what-if"


def test_a_long_what_if_reason_is_kept_whole_on_one_line(base):
    written = "Two projects\ncancelled; " * 30
    edit = scenario.check_edit(scenario.Edit("ICT", dt.date(2018, 7, 1), 1_600_000, written), base.register.cases)
    assert "\n" not in edit.reason and "…" not in edit.reason and edit.reason.count("cancelled") == 30


@pytest.mark.parametrize("forecast", [10**19, 10**12 + 1, 0, -5])
def test_a_what_if_forecast_past_what_a_register_may_state_is_refused_in_one_line(base, forecast):
    with pytest.raises(ParameterError, match=r"^what-if: a forecast is a positive number of whole pounds up to"):
        scenario.check_edit(scenario.Edit("ICT", dt.date(2018, 7, 1), forecast, "r"), base.register.cases)


def test_a_what_if_dated_with_a_time_is_refused_in_one_line(base):
    with pytest.raises(ParameterError, match="the effective date must be a date"):
        scenario.check_edit(scenario.Edit("ICT", dt.datetime(2018, 7, 1, 9), 1_600_000, "r"), base.register.cases)
