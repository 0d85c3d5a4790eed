"""The explore table: the variance sliced by function, RAG and status, with the board pack's Total row and the
materiality at which each RAG tips. Numbers stay numbers (whole pounds); the browser shows them as £."""

from __future__ import annotations

import html
import json

import pandas as pd

from bch.analyse import reconcile, scenario
from bch.core import labels
from bch.core.schema import Schema
from bch.present import formats

VIEW = Schema(
    "explore view",
    {
        "function": "text",
        "status": "text",
        "rag": "text",
        "forecast_gbp": "money",
        "latest_forecast_gbp": "money",
        "actual_gbp": "money",
        "variance_gbp": "money",
        "delivery_pct": "pct",
        "amber_from_pct": "pct",
        "green_from_pct": "pct",
        "tips_at_pct": "pct",
    },
)
HEADERS = {
    "function": "Function",
    "status": "Status",
    "rag": "RAG",
    "forecast_gbp": "Forecast",
    "latest_forecast_gbp": "Latest forecast",
    "actual_gbp": "Actual",
    "variance_gbp": "Variance",
    "delivery_pct": "Delivery %",
    "amber_from_pct": "Amber from %",
    "green_from_pct": "Green from %",
    "tips_at_pct": "RAG tips at %",
}
MONEY = VIEW.of_kind("money")
PCT = VIEW.of_kind("pct")


def select(variance: pd.DataFrame, functions=(), rags=(), statuses=()) -> pd.DataFrame:
    """The cases among `functions`, `rags` and `statuses` (an empty choice keeps them all)."""
    keep = pd.Series(True, index=variance.index)
    for column, chosen in (("function", functions), ("rag", rags), ("status", statuses)):
        if chosen:
            keep &= variance[column].isin(list(chosen))
    return variance[keep]


def view(variance: pd.DataFrame, materiality_pct: float) -> pd.DataFrame:
    """One row per case (`VIEW`), then the Total row the board pack shows (the cases with figures)."""
    tips = scenario.tipping_points(variance).set_index("function")
    rows = []
    for r in variance.to_dict("records"):
        amber = tips["amber_from_pct"].get(r["function"]) if r["function"] in tips.index else None
        green = tips["green_from_pct"].get(r["function"]) if r["function"] in tips.index else None
        row = {column: r[column] for column in VIEW.names if column in r}
        row.update(amber_from_pct=amber, green_from_pct=green)
        row["tips_at_pct"] = scenario.tips_at(amber, green, materiality_pct)
        rows.append(row)
    totals = reconcile.totals(variance)
    rows.append(
        {
            "function": formats.total_label(totals["cases"]),
            "status": "",
            "rag": "",
            "forecast_gbp": totals["forecast_gbp"],
            "latest_forecast_gbp": totals["latest_forecast_gbp"],
            "actual_gbp": totals["actual_gbp"],
            "variance_gbp": totals["variance_gbp"],
            "delivery_pct": reconcile.delivery_pct(totals["actual_gbp"], totals["latest_forecast_gbp"]),
        }
    )
    return VIEW.frame(rows)


def headed(frame: pd.DataFrame) -> pd.DataFrame:
    """The view with its column headers as a reader sees them, labels neutralised and escaped for HTML."""
    shown = frame.rename(columns=HEADERS).copy()
    for column in ("Function", "Status"):
        shown[column] = [html.escape(labels.neutralise(str(v))) for v in shown[column]]
    shown["RAG"] = [formats.rag_word(v) if v else "" for v in shown["RAG"]]
    return shown


# DataTables renders whole pounds as £ for display only; sorting, search and copy take the number itself.
# A missing figure (null, NaN) is shown as the dash every bch table shows, and exported empty.
_MISSING = "if (data === null || data === '' || Number.isNaN(Number(data))) return type === 'display' ? '%s' : '';"
_POUNDS = (
    "function (data, type) { " + _MISSING % formats.MISSING + " if (type !== 'display') return data;"
    " const n = Number(data); return (n < 0 ? '-£' : '£') + Math.abs(n).toLocaleString('en-GB'); }"
)
_PERCENT = (
    "function (data, type) { " + _MISSING % formats.MISSING + " if (type !== 'display') return data;"
    " return Number(data).toFixed(1) + '%'; }"
)

# The RAG word in its colour, with a swatch beside it (never colour alone), as the notebooks' tables show it.
_RAG_COLOURS = json.dumps({formats.rag_word(rag): formats.rag_colour(rag) for rag in formats.RAG_WORDS})
_RAG = (
    "function (data, type) { const colours = " + _RAG_COLOURS + ";"
    " if (type !== 'display' || !(data in colours)) return data;"
    ' return `<span style="color:${colours[data]};font-weight:bold;border-left:0.8em solid ${colours[data]};'
    'padding-left:0.3em">${data}</span>`; }'
)


TABLE_ID = "bch-explore-table"


def itable_html(frame: pd.DataFrame, caption: str) -> str:
    """The view as a sortable, searchable DataTable (itables, offline) that copies to Excel as whole pounds."""
    import itables

    shown = headed(frame)
    shown["row"] = [0] * (len(shown) - 1) + [1]  # hidden: the Total row stays last however the table is sorted
    text = [shown.columns.get_loc(HEADERS[c]) for c in VIEW.of_kind("text")]
    money = [shown.columns.get_loc(HEADERS[c]) for c in MONEY]
    pct = [shown.columns.get_loc(HEADERS[c]) for c in PCT]
    export = {"orthogonal": "export", "columns": ":visible"}  # whole pounds; the hidden ordering column left out
    return itables.to_html_datatable(
        shown,
        caption=caption,
        connected=False,
        allow_html=True,  # labels escaped above; the RAG words are ours
        columnDefs=[
            {"targets": text, "className": "dt-left"},
            {"targets": [shown.columns.get_loc(HEADERS["rag"])], "render": itables.JavascriptFunction(_RAG)},
            {"targets": money, "render": itables.JavascriptFunction(_POUNDS), "className": "dt-right"},
            {"targets": pct, "render": itables.JavascriptFunction(_PERCENT), "className": "dt-right"},
            {"targets": [len(shown.columns) - 1], "visible": False, "searchable": False},
        ],
        orderFixed={"pre": [[len(shown.columns) - 1, "asc"]]},
        text_in_header_can_be_selected=False,  # a click anywhere on a header sorts by it
        layout={"topStart": "buttons", "topEnd": "search"},
        buttons=[
            {"extend": "copyHtml5", "exportOptions": export},
            {"extend": "excelHtml5", "exportOptions": export},
        ],
        paging=False,
        # one id, its sort and search kept for the browser session: redrawn after a slider move or a what-if, the
        # table keeps the analyst's order (it came back in register order)
        table_id=TABLE_ID,
        stateSave=True,
        stateDuration=-1,
        classes="display compact",
        warn_on_undocumented_option=False,  # orderFixed is DataTables', not yet in itables' list
    )
