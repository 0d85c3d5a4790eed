"""All 45 figures of table 5.2 (£'000), typed here from the paper, against the shipped workbook."""

import pytest

from bch.analyse import summary
from bch.core import labels
from bch.core.findings import Finding

YEARS = ["2014/15", "2015/16", "2016/17", "2017/18", "2018/19"]
# (row, fiscal year or Total) -> £'000, exactly as printed in table 5.2; blanks are not listed.
PAPER = {
    ("Firearms licensing", "2015/16"): 27,
    ("Firearms licensing", "2016/17"): 86,
    ("Firearms licensing", "Total"): 113,
    ("Information management", "2017/18"): 71,
    ("Information management", "Total"): 71,
    ("ICT", "2015/16"): 541,
    ("ICT", "2016/17"): 508,
    ("ICT", "2017/18"): 29,
    ("ICT", "2018/19"): 423,
    ("ICT", "Total"): 1501,
    ("CJ phase 1", "2016/17"): 21,
    ("CJ phase 1", "Total"): 21,
    ("Custody", "2017/18"): 92,
    ("Custody", "Total"): 92,
    **{("ERSOU/JPS etc", y): v for y, v in zip([*YEARS, "Total"], [2600, 358, 305, 355, 735, 4353], strict=True)},
    **{
        (labels.RECURRENT_TOTAL, y): v
        for y, v in zip([*YEARS, "Total"], [2600, 926, 920, 547, 1158, 6151], strict=True)
    },
    **{(labels.ANNUAL_CUMULATIVE, y): v for y, v in zip(YEARS, [2600, 3526, 4446, 4993, 6151], strict=True)},
    **{(labels.SAVINGS_TO_DATE, y): v for y, v in zip(YEARS, [2600, 6126, 10572, 15565, 21716], strict=True)},
    **{(labels.CHANGE_TEAM_COSTS, y): v for y, v in zip(YEARS, [-795, -1895, -1649, -1448, -561], strict=True)},
    **{(labels.CUMULATIVE_COSTS, y): v for y, v in zip(YEARS[1:], [-2690, -4339, -5787, -6348], strict=True)},
}


def _stated(analysis, row, year):
    sheet = analysis.sheet
    if row in labels.MEASURE_LABELS:
        cell = summary.stated(sheet, row).loc[year]
        return cell["amount_gbp"], cell["cell"]
    if year == "Total":
        fn = sheet.functions.set_index("function").loc[row]
        return fn["total_gbp"], fn["total_cell"]
    line = sheet.lines[(sheet.lines["function"] == row) & (sheet.lines["fiscal_year"] == year)].iloc[0]
    return line["saving_gbp"], line["cell"]


def _computed(analysis, row, year):
    sheet = analysis.sheet
    by_year = summary.totals_by_year(sheet)
    cumulative = summary.running_sum(by_year)
    costs = summary.change_team_costs(sheet)
    if row == labels.RECURRENT_TOTAL:
        return by_year.sum() if year == "Total" else by_year[year]
    if row == labels.ANNUAL_CUMULATIVE:
        return cumulative[year]
    if row == labels.SAVINGS_TO_DATE:
        return summary.running_sum(cumulative)[year]
    if row == labels.CHANGE_TEAM_COSTS:
        return costs[year]
    if row == labels.CUMULATIVE_COSTS:
        return summary.running_sum(costs)[year]
    if year == "Total":
        return summary.totals_by_function(sheet)[row]
    lines = sheet.lines
    return lines[(lines["function"] == row) & (lines["fiscal_year"] == year)]["saving_gbp"].sum()


def _figures_read(analysis) -> set[tuple[str, str]]:
    """Every (row, fiscal year or Total) whose cell bch read a figure from (blank cells excluded)."""
    sheet = analysis.sheet
    lines = sheet.lines[sheet.lines["status"] == "value"]
    read = set(zip(lines["function"], lines["fiscal_year"], strict=True))
    read |= {(f, "Total") for f in sheet.functions.loc[sheet.functions["total_status"] == "value", "function"]}
    for measure in labels.MEASURE_LABELS:
        stated = summary.stated(sheet, measure)
        read |= {(measure, year) for year in stated.index[stated["status"] == "value"]}
    return read


def test_bch_reads_exactly_the_45_figures_the_paper_prints(analysis):
    assert len(PAPER) == 45
    assert _figures_read(analysis) == set(PAPER)


@pytest.mark.parametrize(("row", "year"), list(PAPER))
def test_each_figure_is_stated_and_computed_as_printed(analysis, row, year):
    stated, cell = _stated(analysis, row, year)
    assert stated == PAPER[row, year] * 1000, cell
    assert _computed(analysis, row, year) == PAPER[row, year] * 1000


def test_blank_cells_stay_blank_not_zero(analysis):
    lines = analysis.sheet.lines
    firearms_1415 = lines[(lines["function"] == "Firearms licensing") & (lines["fiscal_year"] == "2014/15")].iloc[0]
    assert firearms_1415["status"] == "blank"
    assert firearms_1415["cell"] == "Savings!B3"
    assert len(analysis.sheet.tidy()) == 14


def test_headline_totals(analysis):
    assert analysis.totals == {
        "recurrent_gbp": 6_151_000,
        "cumulative_to_date_gbp": 21_716_000,
        "change_team_costs_gbp": 6_348_000,
    }


def test_the_only_finding_is_the_blank_cumulative_cost(analysis):
    assert analysis.findings == (
        Finding(
            "warning",
            "blank-total",
            "Savings!B13",
            "blank, but the running sum of costs to 2014/15 gives -£795,000",
            stated_gbp=None,  # the cell is blank
            computed_gbp=-795_000,  # the costs row's 2014/15 figure (table 5.2): nothing spent before it
        ),
    )


def test_layout_and_notes(analysis):
    sheet = analysis.sheet
    assert sheet.unit == "£'000"
    assert sheet.years == tuple(YEARS)
    assert list(sheet.functions["function"]) == [
        "Firearms licensing",
        "Information management",
        "ICT",
        "CJ phase 1",
        "Custody",
        "ERSOU/JPS etc",
    ]
    assert len(sheet.notes) == 5
    assert sheet.notes[1] == "ERSOU/JPS etc includes Professional Standards Department and Procurement"


def test_every_tidy_value_names_its_cell(analysis):
    tidy = analysis.sheet.tidy()
    ict = tidy[tidy["function"] == "ICT"].set_index("fiscal_year")
    assert ict.loc["2015/16", "cell"] == "Savings!C5"
    assert ict.loc["2015/16", "saving_gbp"] == 541_000
    assert str(tidy["saving_gbp"].dtype) == "Int64"
