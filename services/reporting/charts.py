"""The report's figures drawn with matplotlib, as SVG to embed in the HTML report.

Text stays text in the SVG (`svg.fonttype: none`), so labels in any language are drawn by the
reader's fonts and can be searched and copied.
"""
import io
import warnings

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "epun-report",
                            "font.size": 9, "axes.spines.top": False,
                            "axes.spines.right": False})
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

BLUE, COLOURS = "#1f5fa8", ["#1f5fa8", "#5b9bd5", "#a5c8ec", "#f0a202", "#7a7a7a", "#2e8540"]


def _svg(fig: Figure) -> str:
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from matplotlib's own fonts
        fig.savefig(out, format="svg", bbox_inches="tight")
    svg = out.getvalue()
    return svg[svg.index("<svg"):]


def _figure(height=3.0):
    fig = Figure(figsize=(7.2, height))
    return fig, fig.subplots()


def _counts(axis):
    axis.set_major_locator(MaxNLocator(integer=True))


def _label_bars(ax, bars, horizontal=False, size=8):
    """Each bar's value beside it, except zeros."""
    ax.bar_label(bars, labels=[f"{v:,.0f}" if v else "" for v in bars.datavalues],
                 padding=2, fontsize=size)
    if horizontal:
        ax.margins(x=0.12)


def trend_chart(rows: list[dict], ylabel: str) -> str:
    """Figure I: totals by period."""
    fig, ax = _figure()
    bars = ax.bar([r["period"] for r in rows], [r["total"] for r in rows], color=BLUE)
    _label_bars(ax, bars)
    _counts(ax.yaxis)
    ax.set_ylabel(ylabel)
    return _svg(fig)


def bar_chart(items: list[tuple[str, float]]) -> str:
    """Figures II and III (and VI): one horizontal bar per item, largest on top as listed."""
    fig, ax = _figure(0.4 * len(items) + 0.8)
    labels = [label for label, _ in items][::-1]
    bars = ax.barh(labels, [value or 0 for _, value in items][::-1], color=BLUE)
    _label_bars(ax, bars, horizontal=True)
    _counts(ax.xaxis)
    return _svg(fig)


def grouped_chart(topics: list[str], series: list[tuple[str, list]]) -> str:
    """Figure IV: one group per topic, one bar per period."""
    fig, ax = _figure(0.55 * len(topics) + 1.0)
    height = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series):
        positions = [len(topics) - 1 - t + (i - (len(series) - 1) / 2) * height
                     for t in range(len(topics))]
        bars = ax.barh(positions, [v or 0 for v in values], height=height, label=name,
                       color=COLOURS[i % len(COLOURS)])
        _label_bars(ax, bars, size=7)
    ax.set_yticks(range(len(topics)), topics[::-1])
    ax.legend(frameon=False, fontsize=8)
    ax.margins(x=0.12)
    _counts(ax.xaxis)
    return _svg(fig)


def stacked_chart(years: list[str], series: list[tuple[str, list]], ylabel: str) -> str:
    """Figure V: one bar per year, stacked by entity category, the total on top."""
    fig, ax = _figure(3.4)
    bottoms = [0] * len(years)
    for i, (name, values) in enumerate(series):
        ax.bar(years, values, bottom=bottoms, label=name, color=COLOURS[i % len(COLOURS)])
        bottoms = [b + v for b, v in zip(bottoms, values)]
    for x, total in zip(years, bottoms):
        ax.annotate(f"{total:,}", (x, total), ha="center", va="bottom", fontsize=8)
    _counts(ax.yaxis)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return _svg(fig)
