"""The report's figures drawn with matplotlib: SVG for the HTML report and its PDF (vector, so
legible at any print size), PNG at print resolution for the Word document.

Text stays text in the SVG (`svg.fonttype: none`), so labels in any language are drawn by the
reader's fonts and can be searched and copied; in the PNG matplotlib shapes every script (Arabic
joined and right to left) with the fonts listed below.
"""
import io
import logging
import re
import warnings

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "epun-report",
                            "font.size": 9, "axes.spines.top": False,
                            "axes.spines.right": False,
                            # Latin, Cyrillic and Arabic; then Chinese
                            "font.family": ["DejaVu Sans", "WenQuanYi Zen Hei"]})
from matplotlib.figure import Figure  # noqa: E402

# the Chinese font has one weight; matplotlib says so on every chart
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
from matplotlib.ticker import MaxNLocator  # noqa: E402

BLUE, COLOURS = "#1f5fa8", ["#1f5fa8", "#5b9bd5", "#a5c8ec", "#f0a202", "#7a7a7a", "#2e8540"]
PRINT_DPI = 200


def svg(fig: Figure, name: str = "") -> str:
    """The figure as an SVG element; its ids prefixed with `name`, so that several figures in
    one page keep ids of their own."""
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from one of the fonts
        fig.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    text = text[text.index("<svg"):]
    if name:
        text = re.sub(r'\bid="', f'id="{name}-', text)
        text = re.sub(r'(url\(#|href="#)', rf"\g<1>{name}-", text)
    return text


def png(fig: Figure) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig.savefig(out, format="png", dpi=PRINT_DPI, bbox_inches="tight")
    return out.getvalue()


def _figure(height=3.0):
    fig = Figure(figsize=(7.2, height))
    return fig, fig.subplots()


def _counts(axis):
    axis.set_major_locator(MaxNLocator(integer=True))


def _label_bars(ax, bars, number, horizontal=False, size=8):
    """Each bar's value beside it, in the report's language, except zeros."""
    ax.bar_label(bars, labels=[number(int(v)) if v else "" for v in bars.datavalues],
                 padding=2, fontsize=size)
    if horizontal:
        ax.margins(x=0.12)


def trend_chart(rows: list[dict], ylabel: str, number=str) -> Figure:
    """Figure I: totals by period."""
    fig, ax = _figure()
    bars = ax.bar([r["period"] for r in rows], [r["total"] for r in rows], color=BLUE)
    _label_bars(ax, bars, number)
    _counts(ax.yaxis)
    ax.set_ylabel(ylabel)
    return fig


def bar_chart(items: list[tuple[str, float]], number=str) -> Figure:
    """Figures II and III (and VI): one horizontal bar per item, largest on top as listed."""
    fig, ax = _figure(0.4 * len(items) + 0.8)
    labels = [label for label, _ in items][::-1]
    bars = ax.barh(labels, [value or 0 for _, value in items][::-1], color=BLUE)
    _label_bars(ax, bars, number, horizontal=True)
    _counts(ax.xaxis)
    return fig


def grouped_chart(topics: list[str], series: list[tuple[str, list]], number=str) -> Figure:
    """Figure IV: one group per topic, one bar per period."""
    fig, ax = _figure(0.55 * len(topics) + 1.0)
    height = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series):
        positions = [len(topics) - 1 - t + (i - (len(series) - 1) / 2) * height
                     for t in range(len(topics))]
        bars = ax.barh(positions, [v or 0 for v in values], height=height, label=name,
                       color=COLOURS[i % len(COLOURS)])
        _label_bars(ax, bars, number, size=7)
    ax.set_yticks(range(len(topics)), topics[::-1])
    ax.legend(frameon=False, fontsize=8)
    ax.margins(x=0.12)
    _counts(ax.xaxis)
    return fig


def stacked_chart(years: list[str], series: list[tuple[str, list]], ylabel: str,
                  number=str) -> Figure:
    """Figure V: one bar per year, stacked by entity category, the total on top."""
    fig, ax = _figure(3.4)
    bottoms = [0] * len(years)
    for i, (name, values) in enumerate(series):
        ax.bar(years, values, bottom=bottoms, label=name, color=COLOURS[i % len(COLOURS)])
        bottoms = [b + v for b, v in zip(bottoms, values)]
    for x, total in zip(years, bottoms):
        ax.annotate(number(total), (x, total), ha="center", va="bottom", fontsize=8)
    _counts(ax.yaxis)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    return fig


def unit_cost_chart(years: list[str], filers: list[int], costs: list, labels: tuple[str, str],
                    number=str) -> Figure:
    """Filers of each cycle as bars, and the cost per filer as a line on its own axis: as the
    filers grow, cost sharing lowers the cost per filer."""
    fig, ax = _figure(3.0)
    ax.bar(years, filers, color=COLOURS[2], label=labels[0])
    _counts(ax.yaxis)
    ax.set_ylabel(labels[0])
    cost_axis = ax.twinx()
    cost_axis.spines["right"].set_visible(True)
    cost_axis.plot(years, [c if c is not None else float("nan") for c in costs], color=BLUE,
                   marker="o", label=labels[1])
    for x, cost in zip(years, costs):
        if cost is not None:
            cost_axis.annotate(number(round(cost)), (x, cost), textcoords="offset points",
                               xytext=(0, 6), ha="center", fontsize=8, color=BLUE)
    cost_axis.set_ylabel(labels[1])
    cost_axis.set_ylim(bottom=0)
    return fig
