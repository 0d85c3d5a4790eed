"""The charts' look, declared once: colours, the theme, the A4 figure, title and caption placement, money
axes, data labels shown literally, and saving a chart as PNG and SVG. `bch.present.charts` draws with
these and nothing else.

IBCS-style notation: actuals solid dark grey, forecasts outlined; variances coloured by impact
(under-delivery red, over-delivery green). Red and green mean that and nothing else: categories
(functions, savings against costs) are told apart in greys and blues. Every label from the data is shown
literally: a `$` would otherwise start matplotlib's mathtext.
"""

from __future__ import annotations

from contextlib import contextmanager

from bch.present import formats

ACTUAL = "#404040"
FORECAST_EDGE = "#404040"
BAD = "#D55E00"  # vermillion (Okabe–Ito, safe for colour-blind readers): under-delivery
GOOD = "#009E73"  # bluish green: over-delivery
NEUTRAL = "#999999"
CUMULATIVE_SAVINGS = "#1F4E79"
CUMULATIVE_COSTS = "#A6A6A6"
# categories: blues and greys alternating dark and light, so neighbours in a stack stay apart
SERIES = ["#1F4E79", "#9DC3E6", "#595959", "#2E75B6", "#D0D0D0", "#7F9DB9", "#BDD7EE", "#8C8C8C"]
A4_WIDTH_IN = 7.5  # the printable width of an A4 page with 2 cm margins


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
            "svg.fonttype": "path",
            "svg.hashsalt": "bch",  # stable ids: the same chart gives the same file
            "figure.dpi": 110,
            "savefig.dpi": 150,
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


def finish(fig, title: str, caption: str | None = None, source: str = "", title_y: float = 1.01):
    """Title above; caption and source line (from the edition, never a literal) below the plotting area."""
    import textwrap

    fig.text(0.01, title_y, literal(title), ha="left", va="bottom", fontsize=11, fontweight="bold")
    text = "\n".join(part for part in (caption, source) if part)
    wrapped = "\n".join(textwrap.fill(part, 130) for part in literal(text).split("\n"))
    fig.text(0.01, -0.01, wrapped, ha="left", va="top", fontsize=7, color="#555555")
    return fig


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
            fontsize=7,
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
