"""The explore notebook's inputs, each declared once: the slicers over the table and the what-if form."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bch.present import formats

MATERIALITY_RANGE = (0.0, 50.0)  # the slider's span, %
RAGS = tuple(formats.RAG_WORDS)  # green, amber, red, none
NO_COMPARISON = "none"


@dataclasses.dataclass
class Controls:
    edition: object
    compare: object
    materiality: object
    functions: object
    rags: dict  # rag -> ToggleButton
    statuses: dict  # status -> ToggleButton
    case: object  # the drill-down's case
    what_if_case: object
    what_if_forecast: object
    what_if_effective: object
    what_if_reason: object
    apply: object
    clear: object
    export: object
    download: object

    def slicers(self) -> list:
        """Every control whose change re-draws the table."""
        return [self.materiality, self.functions, *self.rags.values(), *self.statuses.values()]

    def chosen_rags(self) -> tuple[str, ...]:
        return tuple(rag for rag, button in self.rags.items() if button.value)

    def chosen_statuses(self) -> tuple[str, ...]:
        return tuple(status for status, button in self.statuses.items() if button.value)


def _toggles(values, describe) -> dict:
    import ipywidgets as w

    return {
        v: w.ToggleButton(value=True, description=describe(v), layout=w.Layout(width="auto"), tooltip=f"show {v}")
        for v in values
    }


def build(
    editions: list[str], edition: str, materiality_pct: float, functions: list[str], statuses: list[str], as_of
) -> Controls:
    """Every input, at the run's parameters: its edition, its materiality, all cases and RAGs shown."""
    import ipywidgets as w

    wide = {"description_width": "initial"}
    low, high = MATERIALITY_RANGE
    return Controls(
        edition=w.Dropdown(options=editions, value=edition, description="Edition", style=wide),
        compare=w.Dropdown(
            options=[NO_COMPARISON, *[e for e in editions if e != edition]],
            value=NO_COMPARISON,
            description="Compare with",
            style=wide,
        ),
        materiality=w.FloatSlider(
            value=min(max(materiality_pct, low), high),
            min=low,
            max=high,
            step=0.1,
            readout_format=".1f",
            description="Materiality %",
            style=wide,
            continuous_update=True,
            layout=w.Layout(width="420px"),
        ),
        functions=w.SelectMultiple(
            options=functions, value=(), description="Functions", rows=min(len(functions), 8), style=wide
        ),
        rags=_toggles(RAGS, formats.rag_word),
        statuses=_toggles(statuses, str),
        case=w.Dropdown(options=["", *functions], value="", description="Drill into", style=wide),
        what_if_case=w.Dropdown(options=functions, description="Case", style=wide),
        what_if_forecast=w.IntText(value=0, description="Forecast £", style=wide),
        what_if_effective=w.DatePicker(value=as_of or dt.date.today(), description="Effective", style=wide),
        what_if_reason=w.Text(
            value="", placeholder="why (goes into the exported CSV)", description="Reason", style=wide
        ),
        apply=w.Button(description="Apply what-if", button_style="warning", layout=w.Layout(width="auto")),
        clear=w.Button(description="Back to the Board's figures", layout=w.Layout(width="auto")),
        export=w.Button(description="Export scenario as revisions CSV", layout=w.Layout(width="auto")),
        download=w.Button(description="Download this view (.xlsx)", layout=w.Layout(width="auto")),
    )
