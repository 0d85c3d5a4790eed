"""What wires the explore notebook: the slicers re-run the reconciliation (never the workbook) and re-draw the
table, the drill-down and, when shown, the charts; a what-if is kept in memory and said over every table and
chart; downloads and exported scenarios go into `bch.paths.EXPLORE` and nowhere else."""

from __future__ import annotations

import dataclasses
import html

import pandas as pd

from bch import paths
from bch.analyse import explorecache, scenario
from bch.core import labels, writers
from bch.core.errors import BchError
from bch.present import excel, formats
from bch.present.explore import controls, drill, figures, table

TABS = ("Drill-down", "What-if", "Charts", "Compare")
CHARTS = TABS.index("Charts")


class Explorer:
    """The notebook's one widget and the state behind it: the edition's `Base`, the what-if edits."""

    def __init__(self, run):
        import ipywidgets as w

        self.run = run
        self.catalogue = run.inputs.catalogue
        self.edits: list[scenario.Edit] = []
        keys = [e.key for e in self.catalogue.editions]
        chosen = run.inputs.edition.key if run.inputs.edition else keys[-1]
        self.base = explorecache.base(self.catalogue.path, chosen, run.materiality_pct)
        variance = self.base.analysis.variance
        cases = list(self.base.register.cases["function"])
        self.c = controls.build(
            keys,
            chosen,
            run.materiality_pct,
            list(variance["function"]),
            sorted(set(variance["status"])),
            self.base.as_of,
        )
        self.c.what_if_case.options = cases
        self.banner, self.status = w.HTML(), w.HTML()
        self.table, self.drill, self.compared = w.Output(), w.Output(), w.Output()
        self.charts = w.VBox()
        self.tabs = w.Tab(children=[self.drill, self._what_if_box(), self.charts, self.compared], titles=TABS)
        self._charts_stale = True
        self._wire()

    def _what_if_box(self):
        import ipywidgets as w

        c = self.c
        form = [c.what_if_case, c.what_if_forecast, c.what_if_effective, c.what_if_reason]
        return w.VBox([*form, w.HBox([c.apply, c.clear, c.export])])

    def _wire(self) -> None:
        for control in self.c.slicers():
            control.observe(self._safely(self.refresh), names="value")
        self.c.case.observe(self._safely(self.show_drill), names="value")
        self.c.edition.observe(self._safely(self.change_edition), names="value")
        self.c.compare.observe(self._safely(self.show_compare), names="value")
        self.c.apply.on_click(self._safely(self.apply_what_if))
        self.c.clear.on_click(self._safely(self.clear_what_if))
        self.c.export.on_click(self._safely(self.export_scenario))
        self.c.download.on_click(self._safely(self.download_view))
        self.tabs.observe(self._safely(self._tab_changed), names="selected_index")

    def _safely(self, action):
        """A handler whose bch error shows as the CLI's one line under the slicers, never a traceback."""

        def handler(*args):
            self.status.value = ""
            try:
                action(*args)
            except BchError as exc:
                self.status.value = (
                    f'<p style="color:{formats.BAD}">bch: error: {html.escape(labels.neutralise(str(exc)))}</p>'
                )

        return handler

    # -- the figures ------------------------------------------------------------------------------------------
    @property
    def materiality(self) -> float:
        return float(self.c.materiality.value)

    def variance(self) -> pd.DataFrame:
        """The edition's variance at the slider's materiality, with the what-if edits in force."""
        return self.base.variance(self.materiality, tuple(self.edits))

    def sliced(self) -> pd.DataFrame:
        c = self.c
        return table.select(self.variance(), c.functions.value, c.chosen_rags(), c.chosen_statuses())

    def caption(self) -> str:
        where = f"As at {self.base.key}, materiality {self.materiality:.1f}%"
        return f"{formats.SCENARIO_BANNER}. {where}" if self.edits else f"{where}: the Board's figures"

    # -- drawing ----------------------------------------------------------------------------------------------
    def refresh(self, *_):
        """Re-draw after any change: the banner, the table, the drill-down; the charts when they are shown."""
        from IPython.display import HTML, display

        self.banner.value = self._banner_html()
        frame = table.view(self.sliced(), self.materiality)
        self.table.clear_output(wait=True)
        with self.table:
            display(HTML(table.itable_html(frame, self.caption())))
        self.show_drill()
        self._charts_stale = True
        if self.tabs.selected_index == CHARTS:
            self.draw_charts()

    def _banner_html(self) -> str:
        said = [html.escape(w) for w in scenario.warnings(tuple(self.edits), self.base.as_of)]
        if not self.edits:
            return ""
        edits = "; ".join(
            html.escape(f"{e.function}: forecast {formats.gbp(e.forecast_gbp)} from {e.effective.isoformat()}")
            for e in self.edits
        )
        warning = "".join(f'<div class="bch-warning" style="color:{formats.AMBER}">⚠ {w}</div>' for w in said)
        return (
            f'<div class="bch-scenario" style="background:{formats.BAD};color:white;font-weight:bold;padding:0.4em">'
            f"{html.escape(formats.SCENARIO_BANNER)}: {edits}</div>{warning}"
        )

    def show_drill(self, *_):
        from IPython.display import HTML, display

        function = self.c.case.value
        self.drill.clear_output(wait=True)
        if not function:
            return
        frames = drill.case_frames(self.base.analysis, self.variance(), function, self.base.trend(self.run))
        with self.drill:
            if self.edits:
                display(HTML(f"<p><b>{html.escape(formats.SCENARIO_BANNER)}</b></p>"))
            for heading, frame in frames.items():
                display(HTML(f"<h4>{html.escape(heading)}</h4>"))
                display(HTML(figures.html_table(frame) if len(frame) else "<p>none</p>"))

    def _tab_changed(self, *_):
        if self.tabs.selected_index == CHARTS and self._charts_stale:
            self.draw_charts()

    def draw_charts(self):
        import ipywidgets as w

        banner = formats.SCENARIO_BANNER if self.edits else ""
        drawn = figures.charted(
            self.base.analysis, self.variance(), self.materiality, self.base.trend(self.run), banner
        )
        self.charts.children = [w.HTML(figures.chart_html(title, png, sources)) for title, png, sources in drawn]
        self._charts_stale = False

    def show_compare(self, *_):
        from IPython.display import HTML, display

        other = self.c.compare.value
        self.compared.clear_output(wait=True)
        if other == controls.NO_COMPARISON:
            return
        then = explorecache.base(self.catalogue.path, other, self.run.materiality_pct)
        frame = explorecache.compare(self.variance(), then.variance(self.materiality), other)
        with self.compared:
            display(HTML(figures.html_table(frame.astype(object).where(frame.notna(), formats.MISSING))))

    # -- actions ----------------------------------------------------------------------------------------------
    def change_edition(self, *_):
        self.base = explorecache.base(self.catalogue.path, self.c.edition.value, self.run.materiality_pct)
        self.edits.clear()
        self.c.compare.options = [controls.NO_COMPARISON, *[e for e in self.c.edition.options if e != self.base.key]]
        self.c.what_if_effective.value = self.base.as_of
        self.refresh()

    def apply_what_if(self, *_):
        c = self.c
        edit = scenario.Edit(
            c.what_if_case.value, c.what_if_effective.value, int(c.what_if_forecast.value), c.what_if_reason.value
        )
        self.edits.append(scenario.check_edit(edit, self.base.register.cases))  # refused before it is kept
        try:
            self.refresh()
        except Exception:  # an edit the reconciliation can't take must never leave every later move failing
            self.edits.pop()
            self.refresh()
            raise

    def clear_what_if(self, *_):
        self.edits.clear()
        self.refresh()

    def export_scenario(self, *_):
        if not self.edits:
            raise BchError("no what-if to export: apply one first")
        paths.EXPLORE.mkdir(exist_ok=True)  # made when something is saved, never before
        path = paths.EXPLORE / f"{self.base.key}-scenario-revisions.csv"
        writers.write_atomic(path, scenario.revisions_csv(tuple(self.edits)).encode("utf-8"))
        self.status.value = f"<p>Saved {html.escape(str(path.relative_to(paths.ROOT)))}: give it to --revisions.</p>"

    def download_view(self, *_):
        name = f"{self.base.key}-{'scenario-' if self.edits else ''}view.xlsx"
        paths.EXPLORE.mkdir(exist_ok=True)
        shown = dataclasses.replace(self.base.analysis, variance=self.sliced(), materiality_pct=self.materiality)
        path = excel.write_workbook(shown, paths.EXPLORE / name)
        self.status.value = f"<p>Saved {html.escape(str(path.relative_to(paths.ROOT)))}.</p>"

    # -- the whole --------------------------------------------------------------------------------------------
    def widget(self):
        import ipywidgets as w

        c = self.c
        slicers = w.VBox(
            [
                w.HBox([c.edition, c.compare, c.materiality]),
                w.HBox([c.functions, w.VBox([w.HBox(list(c.rags.values())), w.HBox(list(c.statuses.values()))])]),
                w.HBox([c.case, c.download]),
            ]
        )
        self.refresh()
        return w.VBox([slicers, self.status, self.banner, self.table, self.tabs], layout=w.Layout(width="100%"))


def explore(run):
    """The explore notebook's widget for `run` (its edition and materiality first), DataTables loaded offline."""
    import itables
    from IPython.display import HTML, display
    from itables import javascript

    # DataTables' bundle first: itables' own order runs its dark-mode script before the bundle is there (a page
    # error in the browser); the bundle's script loads it once however often it is shown
    display(HTML(javascript.generate_init_offline_itables_html(itables.options.dt_bundle)))
    itables.init_notebook_mode(all_interactive=False, connected=False)
    return Explorer(run).widget()
