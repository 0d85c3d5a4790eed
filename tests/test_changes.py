"""What changed since the last pack: tables in, plain records out (bch.analyse.changes), on tiny frames and on the
shipped edition's own tables as a pack stores them."""

import pandas as pd

from bch import params
from bch.analyse import changes, tables


def stored(analysis) -> dict[str, pd.DataFrame]:
    """The tables as a pack writes them and the next run reads them back (CSV text)."""
    return {key: tables.as_text(frame) for key, frame in tables.pack_tables(analysis).items()}


def test_the_same_run_again_changes_nothing(analysis):
    run = params.plain(params.validate())
    assert changes.compare(stored(analysis), stored(analysis), run, dict(run)) == []


def test_a_first_pack_has_nothing_to_compare_with(analysis):
    assert changes.compare(None, stored(analysis)) == []


def test_only_the_parameters_that_shape_the_figures_count(analysis):
    run = params.plain(params.validate())
    moved = {**run, "output_dir": "/elsewhere", "catalogue_path": "/other/editions.toml", "materiality_pct": 15.0}
    assert changes.compare(stored(analysis), stored(analysis), run, moved) == [
        {"kind": "parameter changed", "item": "materiality_pct", "before": "10.0", "after": "15.0", "money": False}
    ]


def savings(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["function", "fiscal_year", "saving_gbp"])


def variance(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["function", "actual_gbp", "status"])
    return frame.assign(forecast_gbp="100000", latest_forecast_gbp="100000")


def findings(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["severity", "code", "cell", "message"])


def test_years_actuals_cases_and_findings_in_one_order():
    old = {
        "savings-tidy": savings([("ICT", "2018/19", "423000"), ("HR", "2018/19", "5000")]),
        "variance": variance([("ICT", "90000", "delivered"), ("Custody", "10000", "under-delivered")]),
        "findings": findings([("warning", "blank-total", "Savings!B13", "blank")]),
    }
    new = {
        "savings-tidy": savings([("ICT", "2018/19", "425000"), ("ICT", "2019/20", "200000")]),
        "variance": variance([("ICT", "80000", "under-delivered"), ("Firearms", "5000", "under-delivered")]),
        "findings": findings([("error", "row-total", "Savings!G5", "does not foot")]),
    }
    found = [(c["kind"], c["item"], c["before"], c["after"], c["money"]) for c in changes.compare(old, new)]
    assert found == [
        ("year added", "2019/20", None, "new column", False),
        ("actual added", "ICT 2019/20", None, "200000", True),
        ("actual restated", "ICT 2018/19", "423000", "425000", True),
        ("actual removed", "HR 2018/19", "5000", None, True),
        ("case added", "Firearms", None, "under-delivered", False),
        ("case removed", "Custody", "under-delivered", None, False),
        ("case actual changed", "ICT", "90000", "80000", True),
        ("status changed", "ICT", "delivered", "under-delivered", False),
        ("finding new", "error row-total Savings!G5", None, "does not foot", False),
        ("finding resolved", "warning blank-total Savings!B13", "blank", None, False),
    ]


def test_cells_and_years_sort_as_numbers_not_text():
    items = ["Savings!D11", "Savings!D3", "2019/20", "2018/19", "ICT 10", "ICT 9"]
    assert sorted(items, key=changes.natural_key) == [
        "2018/19",
        "2019/20",
        "ICT 9",
        "ICT 10",
        "Savings!D3",
        "Savings!D11",
    ]


def tables_of(lines, cases=(), found=()) -> dict[str, pd.DataFrame]:
    return {"savings-tidy": savings(lines), "variance": variance(list(cases)), "findings": findings(list(found))}


def rows(old: dict, new: dict) -> list[tuple]:
    return [(c["kind"], c["item"], c["before"], c["after"], c["money"]) for c in changes.compare(old, new)]


def test_blank_and_zero_are_one_saving():
    """A finance export writes 0 where the earlier edition left the cell blank (savings-tidy leaves blanks out)."""
    blank = tables_of([("ICT", "2018/19", "423000"), ("HR", "2018/19", "")])
    zero = tables_of([("ICT", "2018/19", "423000"), ("HR", "2018/19", "0"), ("HR", "2019/20", "0")])
    assert rows(blank, zero) == [("year added", "2019/20", None, "new column", False)]
    assert rows(zero, blank) == [("year removed", "2019/20", "was shown", None, False)]
    restated = tables_of([("ICT", "2018/19", "0"), ("HR", "2018/19", "0")])
    assert rows(blank, restated) == [("actual removed", "ICT 2018/19", "423000", None, True)]


def test_a_renamed_line_is_one_rename_and_its_case_follows_it():
    old = tables_of(
        [("ICT", "2018/19", "423000"), ("ICT", "2019/20", "200000"), ("HR", "2018/19", "5000")],
        [("ICT", "90000", "delivered"), ("HR", "5000", "delivered")],
    )
    new = tables_of(
        [
            ("Information technology", "2018/19", "423000"),
            ("Information technology", "2019/20", "200000"),
            ("Information technology", "2020/21", "50000"),  # a new year's figure under the new name
            ("HR", "2018/19", "5000"),
        ],
        [("Information technology", "90000", "under-delivered"), ("HR", "5000", "delivered")],
    )
    assert rows(old, new) == [
        ("line renamed", "ICT → Information technology", "ICT", "Information technology", False),
        ("year added", "2020/21", None, "new column", False),
        ("actual added", "Information technology 2020/21", None, "50000", True),
        ("status changed", "Information technology", "delivered", "under-delivered", False),
    ]


def test_a_line_is_renamed_only_when_its_figures_match_one_to_one():
    old = tables_of([("ICT", "2018/19", "1000"), ("HR", "2018/19", "2000")])
    restated = tables_of([("Information technology", "2018/19", "1500"), ("HR", "2018/19", "2000")])
    assert rows(old, restated) == [
        ("actual added", "Information technology 2018/19", None, "1500", True),
        ("actual removed", "ICT 2018/19", "1000", None, True),
    ]
    twins = tables_of([("ICT", "2018/19", "1000"), ("Estates", "2018/19", "1000")])
    renamed_both = tables_of([("Digital", "2018/19", "1000"), ("Property", "2018/19", "1000")])
    assert [r[0] for r in rows(twins, renamed_both)] == ["actual added"] * 2 + ["actual removed"] * 2
    empty = tables_of([("ICT", "2018/19", "0")])
    assert rows(empty, tables_of([("Digital", "2018/19", "")])) == []  # nothing to tell them apart, nothing shown


def test_findings_are_compared_by_code_cell_and_figures_not_wording():
    old = tables_of(
        [],
        found=[
            ("error", "row-total", "Savings!G5", "states £6,151,000 but the lines give £6,150,000"),
            ("warning", "missing-row", "Savings!A2:A11", "the sheet has no 'Total' row"),
        ],
    )
    reworded = tables_of(
        [],
        found=[
            ("error", "row-total", "Savings!G5", "£6,151k stated; its lines sum to £6,150k"),
            ("warning", "missing-row", "Savings!A2:A11", "no 'Total' row, so it is not cross-checked"),
        ],
    )
    assert rows(old, reworded) == []
    was, now = "states £6,151,000 but the lines give £6,150,000", "states £6,151,000 but the lines give £6,149,000"
    moved = tables_of(
        [],
        found=[
            ("error", "row-total", "Savings!G5", now),
            ("warning", "missing-row", "Savings!A2:A11", "the sheet has no 'Total' row"),
            ("warning", "missing-row", "Savings!A2:A11", "the sheet has no 'Total' row"),
        ],
    )
    assert rows(old, moved) == [
        ("finding new", "error row-total Savings!G5", None, now, False),
        ("finding new", "warning missing-row Savings!A2:A11", None, "the sheet has no 'Total' row", False),
        ("finding resolved", "error row-total Savings!G5", was, None, False),
    ]


def test_figures_read_from_a_message_whichever_way_they_are_written():
    assert changes.figures("states -£795,000, £6,151k and £1.8m; row 12") == (
        changes.Decimal(-795_000),
        changes.Decimal(6_151_000),
        changes.Decimal(1_800_000),
    )


def test_parameters_recorded_as_anything_but_an_object_are_not_compared():
    same = tables_of([("ICT", "2018/19", "1000")])
    assert changes.compare(same, same, ["as_of"], {"as_of": "2018-07-19"}) == []
    assert changes.compare(same, same, {"as_of": "2018-07-19"}, None) == []


def test_a_register_status_change_is_named_where_both_packs_state_it():
    old = pd.DataFrame(
        {column: ["278000"] for column in changes.NEEDED["variance"]}
        | {"function": ["Custody"], "status": ["under-delivered"], "register_status": ["partly implemented"]}
    )
    new = old.assign(register_status=["ended"])
    kinds = [(c["kind"], c["item"], c["before"], c["after"]) for c in changes._cases(old, new, {})]
    assert kinds == [("register status changed", "Custody", "partly implemented", "ended")]
    assert changes._cases(old.drop(columns="register_status"), new, {}) == []  # an older pack: nothing to compare


# -- a revision's reason and authority, commentary, and why a pack was published again ----------------------
def cases_with(rows_: list[dict]) -> dict[str, pd.DataFrame]:
    """Tables whose variance rows are given column by column (the columns a test needs, over the NEEDED ones)."""
    base = {"actual_gbp": "1000", "status": "delivered", "forecast_gbp": "100000", "latest_forecast_gbp": "100000"}
    return {
        "savings-tidy": savings([]),
        "variance": pd.DataFrame([{**base, **row} for row in rows_]),
        "findings": findings([]),
    }


def test_a_revised_forecast_names_when_why_and_on_whose_authority():
    old = cases_with([{"function": "ICT"}, {"function": "Custody"}])
    new = cases_with(
        [
            {
                "function": "ICT",
                "latest_forecast_gbp": "1800000",
                "revised_on": "2019-03-01",
                "revision_reason": "major projects  need more staff",
                "revision_source": "Board minute 12",
            },
            {"function": "Custody", "latest_forecast_gbp": "90000", "revision_reason": "consultation"},
        ]
    )
    assert rows(old, new) == [
        ("forecast revised", "Custody (revised: consultation)", "100000", "90000", True),
        (
            "forecast revised",
            "ICT (revised 2019-03-01: major projects need more staff; Board minute 12)",
            "100000",
            "1800000",
            True,
        ),
    ]


def test_a_revision_against_a_pack_without_revision_columns_is_still_compared():
    old = cases_with([{"function": "ICT"}])
    new = cases_with([{"function": "ICT", "latest_forecast_gbp": "90000"}])  # reverted: no revision in force
    assert rows(old, new) == [("forecast revised", "ICT", "100000", "90000", True)]


def test_a_commentary_change_is_named_but_not_a_rewrap():
    old = cases_with([{"function": "ICT", "commentary": "Projects started."}, {"function": "HR", "commentary": "x y"}])
    new = cases_with(
        [{"function": "ICT", "commentary": "Projects started; staff kept."}, {"function": "HR", "commentary": " x\ny "}]
    )
    assert rows(old, new) == [
        ("commentary changed", "ICT", "Projects started.", "Projects started; staff kept.", False)
    ]
    no_commentary = cases_with([{"function": "ICT"}, {"function": "HR"}])  # as an older pack may be
    assert rows(no_commentary, new) == []


SAME_EDITION = {"edition": "2019-07-18", "as_of": "2019-07-18", "materiality_pct": 10.0, "strict": False}
PRINT = {
    "inputs": {"savings": "a1", "register": "b1", "claims": "c1"},
    "parameters": {"edition": "2019-07-18", "as_of": "2019-07-18", "materiality_pct": 10.0},
    "code": "d1",
    "notebooks": "e1",
    "catalogue": "f1",
}


def republished(previous_print, now_print, previous=SAME_EDITION, now=SAME_EDITION) -> list[tuple]:
    same = tables_of([("ICT", "2018/19", "1000")])
    found = changes.compare(same, same, previous, now, previous_print, now_print)
    return [(c["kind"], c["item"], c["before"], c["after"], c["money"]) for c in found]


def test_a_republished_pack_says_which_inputs_parameters_and_code_differ():
    now = {
        **PRINT,
        "inputs": {"savings": "a1", "register": "b2", "revisions": "r1", "claims": "c1"},
        "parameters": {**PRINT["parameters"], "materiality_pct": 15.0},
        "notebooks": "e2",
    }
    assert republished(PRINT, now, now={**SAME_EDITION, "materiality_pct": 15.0}) == [
        (
            "republished because",
            "inputs: register, revisions; parameters: materiality_pct; notebooks",
            None,
            None,
            False,
        ),
        ("parameter changed", "materiality_pct", "10.0", "15.0", False),
    ]
    assert republished(PRINT, {**PRINT, "code": "d2", "catalogue": "f2"}) == [
        ("republished because", "code; catalogue", None, None, False)
    ]


def test_a_republished_pack_with_the_same_fingerprint_or_of_another_edition_adds_nothing():
    assert republished(PRINT, dict(PRINT)) == []
    earlier = {**SAME_EDITION, "edition": "2018-07-19", "as_of": "2018-07-19"}
    assert [r[0] for r in republished(PRINT, {**PRINT, "code": "d2"}, previous=earlier)] == ["parameter changed"] * 2
    assert republished(PRINT, None) == []  # no fingerprint for this run (a caller that has none)


def test_a_previous_pack_without_a_fingerprint_is_said_to_have_none():
    for recorded in (None, ["code"]):
        assert republished(recorded, PRINT) == [
            ("republished because", "not known: the pack compared with recorded no fingerprint", None, None, False)
        ]


def test_an_older_fingerprint_without_the_notebooks_digest_names_both():
    older = {key: value for key, value in PRINT.items() if key != "notebooks"} | {"code": "d0"}
    assert republished(older, PRINT) == [("republished because", "code; notebooks", None, None, False)]


def test_keys_only_the_older_manifest_names_are_shown_clipped_and_marked():
    odd = {**PRINT, "inputs": {**PRINT["inputs"], "x\u202e" + "y" * 100: "z"}}
    assert republished(odd, PRINT) == [("republished because", "inputs: x⟨U+202E⟩" + "y" * 37 + "…", None, None, False)]


def test_a_long_reason_is_clipped_in_the_change_row():
    old = cases_with([{"function": "ICT"}])
    new = cases_with([{"function": "ICT", "latest_forecast_gbp": "90000", "revision_reason": "w " * 100}])
    assert rows(old, new)[0][1] == "ICT (revised: " + ("w " * 60)[:119] + "…)"


def _structured(rows: list[tuple]) -> pd.DataFrame:
    """findings.csv as packs now write it: each finding's figures in stated_gbp and computed_gbp (CSV text)."""
    return pd.DataFrame(rows, columns=["severity", "code", "cell", "message", "stated_gbp", "computed_gbp"])


def test_findings_are_keyed_by_their_stated_and_computed_pounds_when_both_packs_carry_them():
    old = {**tables_of([]), "findings": _structured([("error", "row-total", "Savings!G5", "a", "6151000", "6150000")])}
    # reworded with no figure in the message at all: the same finding, by its fields
    same = {**tables_of([]), "findings": _structured([("error", "row-total", "Savings!G5", "b", "6151000", "6150000")])}
    assert rows(old, same) == []
    # the same words, another computed figure: a new finding and the old one resolved
    moved = {
        **tables_of([]),
        "findings": _structured([("error", "row-total", "Savings!G5", "a", "6151000", "6149000")]),
    }
    assert rows(old, moved) == [
        ("finding new", "error row-total Savings!G5", None, "a", False),
        ("finding resolved", "error row-total Savings!G5", "a", None, False),
    ]


def test_a_pack_written_before_findings_carried_figures_is_compared_by_its_messages():
    message = "states £6,151,000 but the lines give £6,150,000"
    old = tables_of([], found=[("error", "row-total", "Savings!G5", message)])
    new = {
        **tables_of([]),
        "findings": _structured([("error", "row-total", "Savings!G5", message, "6151000", "6150000")]),
    }
    assert rows(old, new) == [] and rows(new, old) == []


def test_a_register_an_older_bch_recorded_as_forecasts_is_the_same_register():
    older = {**PRINT, "inputs": {"savings": "a1", "forecasts": "b1", "claims": "c1"}, "code": "d0"}
    assert republished(older, PRINT) == [("republished because", "code", None, None, False)]
    moved = {**older, "inputs": {**older["inputs"], "forecasts": "b0"}}
    assert republished(moved, PRINT) == [("republished because", "inputs: register; code", None, None, False)]
