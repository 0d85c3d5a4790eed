"""The charts' look, declared once: colours, the theme, the A4 figure, title and caption placement, money
axes, data labels shown literally, and saving a chart as PNG and SVG. `bch.present.charts` draws with
these and nothing else.

IBCS-style notation: actuals solid dark grey, forecasts outlined; each case's variance in the colour of
its RAG word (`bch.present.formats.RAG_COLOURS`, the tables' too), with a legend naming the word. Red,
amber and green mean that and nothing else: categories (functions, savings against costs) are told apart
in greys and blues. Every label from the data is shown literally: a `$` would otherwise start matplotlib's
mathtext. Text is sized for print: a chart drawn `A4_WIDTH_IN` wide is printed `PRINTED_WIDTH_IN` wide in
the board pack, so every size is scaled up to at least `MIN_PRINTED_PT` there.
"""

from __future__ import annotations

from contextlib import contextmanager

from bch.present import formats

ACTUAL = "#404040"
FORECAST_EDGE = "#404040"
RAG = formats.RAG_COLOURS  # RAG word -> colour: the one declaration, shared with the tables
RAG_EDGE = "#404040"  # every RAG bar is outlined, so the palest (no RAG) still shows on white
CUMULATIVE_SAVINGS = "#1F4E79"
CUMULATIVE_COSTS = "#A6A6A6"
# categories: blues and greys alternating dark and light, so neighbours in a stack stay apart
SERIES = ["#1F4E79", "#9DC3E6", "#595959", "#2E75B6", "#D0D0D0", "#7F9DB9", "#BDD7EE", "#8C8C8C"]
A4_WIDTH_IN = 7.5  # the width every chart is drawn at
# The board pack prints a chart 162 mm wide: A4's 210 mm less its @page margins (14 mm each side) and the
# body's padding (10 mm each side), in board-pack.html.j2.
PRINTED_WIDTH_IN = 162 / 25.4
MIN_PRINTED_PT = 8.0
PAD_IN = 0.1  # the margin a saved chart keeps around its drawing, each side
SAVED_WIDTH_IN = A4_WIDTH_IN + 2 * PAD_IN  # what the board pack shrinks to PRINTED_WIDTH_IN


def pt(printed: float) -> float:
    """The font size to draw at for `printed` points on the board pack's page."""
    return round(printed * SAVED_WIDTH_IN / PRINTED_WIDTH_IN + 0.005, 2)


TEXT = pt(MIN_PRINTED_PT)  # labels, ticks, legends, captions
HEADING = pt(9)  # panel titles
TITLE = pt(10.5)  # the chart's title: its finding
TITLE_CHARS = 66  # a title wraps at this many characters, a caption at CAPTION_CHARS: neither widens the chart
CAPTION_CHARS = 95
LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}


def rag_colour(rag) -> str:
    """The colour of a case's RAG (its reconciliation's `rag`: green, amber, red, none)."""
    return formats.rag_colour(rag)


def rag_handles(rags, materiality_pct: float | None = None) -> list:
    """Legend entries naming the RAG word of each colour shown (and what it means), Red, Amber, Green, none."""
    from matplotlib.patches import Patch

    words = {formats.rag_word(r) for r in rags}
    meaning = {}
    if materiality_pct is not None:
        m = materiality_pct
        meaning = {
            "Red": f"more than {2 * m:g}% short",
            "Amber": f"{m:g}–{2 * m:g}% short",
            "Green": f"within {m:g}% or above",
            "none": "no forecast to compare",
        }
    handles = [
        Patch(facecolor=RAG[w], edgecolor=RAG_EDGE, linewidth=0.6, label=f"{w}: {meaning[w]}" if w in meaning else w)
        for w in ("Red", "Amber", "Green", "none")
        if w in words
    ]
    return handles


def literal(text: object) -> str:
    """Text matplotlib shows as written (no mathtext)."""
    return str(text).replace("$", r"\$")


def label(text: object, width: int = 24, lines: int = 3) -> str:
    """A data label for an axis: literal, wrapped onto at most `lines` lines of about `width` characters
    (a longer one ends in "…"; the tables carry it whole), so a long label never stretches a chart."""
    import textwrap

    wrapped = textwrap.wrap(literal(text), width) or [literal(text)]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], short(" ".join(wrapped[lines - 1 :]), width)]
    return "\n".join(wrapped)


def short(text: object, limit: int = 40) -> str:
    """One line of at most `limit` characters (not yet made literal); matplotlib hides a legend entry
    starting "_", so such a label gets a leading space."""
    one = " ".join(str(text).split())
    one = one if len(one) <= limit else one[: limit - 1] + "…"
    return " " + one if one.startswith("_") else one


@contextmanager
def theme():
    import matplotlib as mpl
    import seaborn as sns

    style = sns.axes_style("whitegrid")
    context = sns.plotting_context("paper", font_scale=1.05)
    with mpl.rc_context(
        {
            **style,
            **context,
            "axes.spines.right": False,
            "axes.spines.top": False,
            "svg.fonttype": "none",  # text stays text: searchable, selectable, read aloud
            "font.size": TEXT,
            "axes.titlesize": HEADING,
            "axes.labelsize": TEXT,
            "xtick.labelsize": TEXT,
            "ytick.labelsize": TEXT,
            "legend.fontsize": TEXT,
            "legend.title_fontsize": TEXT,
            "axes.axisbelow": True,
            "svg.hashsalt": "bch",  # stable ids: the same chart gives the same file
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "savefig.pad_inches": PAD_IN,
            "axes.titlelocation": "left",
            "axes.titleweight": "bold",
            "font.family": "DejaVu Sans",
            "figure.autolayout": False,
            "figure.constrained_layout.use": False,
        }
    ):
        yield


def new_figure(nrows: int = 1, ncols: int = 1, height: float = 3.6, **kwargs):
    # A bare Figure, not pyplot's: nothing global to leak, and notebooks show only what they save
    from matplotlib.figure import Figure

    fig = Figure(figsize=(A4_WIDTH_IN, height), layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)


def finish(fig, title: str, caption: str | None = None, source: str = "", legend: list | None = None, ncols: int = 3):
    """Title above (the layout makes room for it); below the plotting area, the `legend` (its handles) and
    under it the caption and source line (from the edition, never a literal), stacked, never overlapping."""
    import textwrap

    from matplotlib.transforms import ScaledTranslation

    heading = textwrap.fill(literal(title), TITLE_CHARS)
    fig.suptitle(heading, x=0.01, ha="left", fontsize=TITLE, fontweight="bold")
    below = 0.0  # inches the legend takes under the figure
    if legend:
        fig.legend(handles=legend, loc="upper left", bbox_to_anchor=(0.01, 0.0), ncols=ncols, frameon=False)
        below = (-(-len(legend) // ncols)) * TEXT * 1.75 / 72 + 0.1
    text = "\n".join(part for part in (caption, source) if part)
    wrapped = "\n".join(textwrap.fill(part, CAPTION_CHARS) for part in literal(text).split("\n"))
    shift = fig.transFigure + ScaledTranslation(0, -below, fig.dpi_scale_trans)
    fig.text(0.01, -0.01, wrapped, ha="left", va="top", fontsize=TEXT, color="#555555", transform=shift)
    return fig


def title_of(fig) -> str:
    """A chart's title, as one line."""
    return fig.get_suptitle().replace("\n", " ")


def money_axis(axis, ticks: int = 5):
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    # ticks at whole pounds, labelled exactly: two ticks never share a label
    axis.set_major_formatter(FuncFormatter(formats.gbp_k_tick))
    axis.set_major_locator(MaxNLocator(ticks, integer=True))


def label_ends(ax, y: list[int], values: list, text, gap: float) -> None:
    """Label each horizontal bar or pin at its end: right of positive values, left of negative."""
    for i, value in zip(y, values, strict=True):
        ax.annotate(
            text(value),
            (value, i),
            xytext=(gap if value >= 0 else -gap, 0),
            textcoords="offset points",
            ha="left" if value >= 0 else "right",
            va="center",
            fontsize=TEXT,
            bbox=LABEL_BOX,  # a gridline passes behind a label, never through it
        )


def save(fig, folder, name: str) -> list:
    """Save a Figure as PNG and SVG into `folder`; returns the two paths.

    Laid out and measured once, at the PNG's resolution, then each format drawn once with that
    layout and box: left to savefig, each format would lay out and draw twice.
    """
    from pathlib import Path

    import matplotlib as mpl

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with theme():  # ticks are laid out at draw time: draw in the same theme
        engine, screen = fig.get_layout_engine(), fig.dpi
        fig.dpi = mpl.rcParams["savefig.dpi"]
        try:
            fig.draw_without_rendering()  # runs the layout engine
            box = fig.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])
        finally:
            fig.dpi = screen
        fig.set_layout_engine(None)  # none (style.theme() turns the rc layouts off): the layout stays as computed
        try:
            for ext in ("png", "svg"):
                path = folder / f"{name}.{ext}"
                fig.savefig(path, bbox_inches=box, metadata={"Date": None} if ext == "svg" else {"Software": None})
                out.append(path)
        finally:
            fig.set_layout_engine(engine)
    return out
