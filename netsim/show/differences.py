"""The paired comparison a board reads at a glance: one small panel per unit.

A change of 5 hours a leader, of 2 million DKK and of 40 percentage points of attendance do
not share a scale, and a common relative scale turns a change from almost nothing into
"+299,627 %". So the figure groups the measures by unit (hours for the whole organisation,
hours per person, DKK, hours back per hour, shares), draws each design's mean as a bar on a
linear scale of that unit, the paired difference's 95 % confidence interval as an error bar
on the compared design's bar, and writes the difference in the unit beside it.

:func:`difference_panels` picks the rows (tidy data); :func:`plot_differences` draws them and
computes nothing.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({
...     "metric": ["cost_dkk_year"] * 2, "scenario": ["a", "b"], "mean": [2e6, 1e6],
...     "diff": [float("nan"), -1e6], "ci_low": [float("nan"), -1.1e6],
...     "ci_high": [float("nan"), -0.9e6]})
>>> difference_panels(table)[["panel", "metric", "scenario", "mean"]]
  panel         metric scenario       mean
0   dkk  cost_dkk_year        a  2000000.0
1   dkk  cost_dkk_year        b  1000000.0
>>> fig = plot_differences(difference_panels(table))
>>> [ax.get_title(loc="left") for ax in fig.axes]
['DKK a year']
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from netsim.show.page import money_short, number, percent, significant
from netsim.show.plots import _Numbers, _Percent, _plain
from netsim.show.texts import say, term

__all__ = ["PANELS", "difference_panels", "plot_differences"]

#: The panels, top to bottom: a unit and the measures drawn on its scale. Measures of one
#: unit but of very different size (a year of the organisation, a year of one person) get
#: panels of their own, so that neither is a sliver beside the other.
PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "organisation_hours",
        (
            "total_hours_year",
            "participant_hours_saved_year",
            "sponsor_hours_saved_year",
            "net_hours_year",
        ),
    ),
    ("person_hours", ("hours_per_leader_year", "hours_saved_per_leader_year")),
    ("dkk", ("cost_dkk_year", "net_dkk_year")),
    ("per_hour", ("participant_return_per_hour", "sponsor_return_per_hour")),
    ("share", ("share_worth_it", "attendance_first_quarter", "attendance_last_quarter")),
)

#: The bar of the reference design, then the compared designs' bars, in order.
COLOURS = ("0.65", "#1b5e8c", "#d95f02", "#1b7837", "#762a83", "#e7298a")

_LABEL_WIDTH = 30  # characters of a measure's name per line


def difference_panels(
    table: pd.DataFrame, panels: Sequence[tuple[str, Sequence[str]]] = PANELS
) -> pd.DataFrame:
    """The rows of a paired comparison that the board figure draws, panel by panel.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`netsim.study.analysis.comparison_frame` output: ``metric``, ``scenario``,
        ``mean``, ``diff``, ``ci_low``, ``ci_high`` (the first scenario is the reference).
    panels : sequence of (str, sequence of str)
        Panel ids and their measures (default :data:`PANELS`).

    Returns
    -------
    pandas.DataFrame
        ``panel``, ``metric``, ``scenario``, ``mean``, ``diff``, ``ci_low``, ``ci_high``; a
        measure is left out unless every scenario's mean and every difference is finite.
    """
    cols = ["panel", "metric", "scenario", "mean", "diff", "ci_low", "ci_high"]
    names = list(dict.fromkeys(table["scenario"]))
    parts = []
    for panel, metrics in panels:
        for metric in metrics:
            part = table[table["metric"] == metric]
            if len(part) != len(names) or not np.isfinite(part["mean"]).all():
                continue
            if not np.isfinite(part.iloc[1:][["diff", "ci_low", "ci_high"]].to_numpy()).all():
                continue
            parts.append(part.assign(panel=panel))
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def _value(metric: str, x: float, lang: str) -> str:
    if metric.startswith(("share_", "attendance_")):
        return percent(x, lang)
    if "dkk" in metric:
        return money_short(x, lang)
    if metric.startswith(("hours_per_", "hours_saved_per_")):
        return number(x, lang, digits=1)
    if metric.endswith("_year"):
        return number(x, lang)
    return significant(x, lang)


def _signed(metric: str, x: float, lang: str) -> str:
    if metric.startswith(("share_", "attendance_")):
        text = number(100 * x, lang)
    elif "dkk" in metric:
        text = money_short(x, lang)
    else:
        text = _value(metric, x, lang)
    return text if text.startswith("-") or not any(c in "123456789" for c in text) else f"+{text}"


def _difference(metric: str, row: pd.Series, lang: str) -> str:
    text = say(
        "plot.differences.diff",
        lang,
        d=_signed(metric, row["diff"], lang),
        lo=_signed(metric, row["ci_low"], lang),
        hi=_signed(metric, row["ci_high"], lang),
    )
    if metric.startswith(("share_", "attendance_")):
        text = say("plot.differences.points", lang, text=text)
    return text


def _fit_labels(fig: Figure, panels: list[tuple[Axes, list]]) -> None:
    """Widen each axis until every value label sits inside it, with room to spare: their
    width is known only once drawn, in pixels, while the limits are in data units, and a
    browser showing the SVG measures the glyphs a little wider than matplotlib does."""
    # An axis's width moves with every axis's tick labels (constrained layout): a few
    # rounds, each one draw of the whole figure, settle it.
    for _ in range(5):
        fig.draw_without_rendering()
        grown = False
        for ax, labels in panels:
            box = ax.get_window_extent()
            lo, hi = ax.get_xlim()
            scale = (hi - lo) / max(box.width, 1.0)
            extents = [t.get_window_extent() for t in labels]
            pad = 0.1 * max((e.width for e in extents), default=0.0) + 6
            left = min((e.x0 for e in extents), default=box.x0)
            right = max((e.x1 for e in extents), default=box.x1)
            # Short by less than 2 pixels is near enough: the pad has room to spare.
            short_lo, short_hi = box.x0 - left + pad, right - box.x1 + pad
            if short_lo > 2 or short_hi > 2:
                grow_lo, grow_hi = max(short_lo, 0.0) * scale, max(short_hi, 0.0) * scale
                ax.set_xlim(lo - 1.5 * grow_lo, hi + 1.5 * grow_hi)
                grown = True
        if not grown:
            return


def _panel(ax: Axes, part: pd.DataFrame, names: list[str], lang: str) -> list:
    metrics = list(dict.fromkeys(part["metric"]))
    k = len(names)
    height = 0.8 / k
    labels = []
    ends = [0.0]
    for j, name in enumerate(names):
        rows = part[part["scenario"] == name].set_index("metric").reindex(metrics)
        y = np.arange(len(metrics)) - 0.4 + height * (j + 0.5)
        means = rows["mean"].to_numpy(float)
        ax.barh(y, means, height=height * 0.85, color=COLOURS[j % len(COLOURS)], label=name)
        lo = hi = means
        if j > 0:
            # The difference's interval, drawn around the compared design's own mean.
            lo = means + rows["ci_low"].to_numpy(float) - rows["diff"].to_numpy(float)
            hi = means + rows["ci_high"].to_numpy(float) - rows["diff"].to_numpy(float)
            ax.errorbar(
                means,
                y,
                xerr=np.stack([means - lo, hi - means]),
                fmt="none",
                ecolor="black",
                elinewidth=1.0,
                capsize=3,
            )
        ends += [*lo, *hi]
        for metric, yy, m, a, b in zip(metrics, y, means, lo, hi, strict=True):
            negative = m < 0
            labels.append(
                ax.annotate(
                    _value(metric, m, lang),
                    (min(m, a) if negative else max(m, b), yy),
                    xytext=(-3 if negative else 3, 0),
                    textcoords="offset points",
                    ha="right" if negative else "left",
                    va="center",
                    fontsize="x-small",
                )
            )
            if j > 0:
                row = rows.loc[metric]
                clear = row["ci_low"] > 0 or row["ci_high"] < 0
                ax.annotate(
                    _difference(metric, row, lang),
                    (1.0, yy),
                    xycoords=("axes fraction", "data"),
                    xytext=(8, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize="x-small",
                    weight="bold" if clear else "normal",
                    color=COLOURS[j % len(COLOURS)] if k > 2 else "black",
                )
    # Room for the value labels from the start (a label is about a fifth of the span), so
    # that _fit_labels seldom has to draw more than once.
    first, last = min(0.0, float(np.min(ends))), max(0.0, float(np.max(ends)))
    span = last - first or 1.0
    ax.set_xlim(first - (0.22 if first < 0 else 0.02) * span, last + 0.22 * span)
    ax.set_ylim(len(metrics) - 0.5, -0.5)
    wrapped = [
        "\n".join(textwrap.wrap(_plain(term("metric", m, lang)), _LABEL_WIDTH)) for m in metrics
    ]
    ax.set_yticks(np.arange(len(metrics)), wrapped, fontsize="small")
    ax.tick_params(axis="y", length=0)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.tick_params(axis="x", labelsize="x-small")
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return labels


def plot_differences(data: pd.DataFrame, *, fig: Figure | None = None, lang: str = "en") -> Figure:
    """Both designs' means per measure, in the measure's own unit, with the paired
    difference and its 95 % confidence interval: one panel per unit, linear scales.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`difference_panels` output (``panel``, ``metric``, ``scenario``, ``mean``,
        ``diff``, ``ci_low``, ``ci_high``); the first scenario is the reference.
    fig : matplotlib.figure.Figure, optional
        A figure to draw on (its size is set to fit the panels); default a new one.
    lang : {"en", "da"}

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per panel, titled with its unit: one bar container per design, an error
        bar per compared design, the means as texts at the bars' ends and the differences
        as texts right of the axes (bold where the interval excludes zero).
    """
    names = list(dict.fromkeys(data["scenario"]))
    panels = list(dict.fromkeys(data["panel"]))
    rows = [data.loc[data["panel"] == p, "metric"].nunique() for p in panels]
    per_row = max(0.55, 0.22 * len(names))
    heights = [0.55 + per_row * r for r in rows]
    size = (8.0, 0.5 + sum(heights))
    if fig is None:
        fig = Figure(figsize=size, layout="constrained")
    else:
        fig.set_size_inches(size)
    if not panels:
        return fig
    axes = fig.subplots(len(panels), 1, gridspec_kw={"height_ratios": heights}, squeeze=False)
    drawn = []
    for ax, panel in zip(axes[:, 0], panels, strict=True):
        part = data[data["panel"] == panel]
        drawn.append((ax, _panel(ax, part, names, lang)))
        ax.set_title(say(f"plot.differences.{panel}", lang), loc="left", fontsize="medium")
        if panel == "share":
            ax.xaxis.set_major_formatter(_Percent(lang))
        elif panel == "dkk":
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: money_short(x, lang)))
        else:
            ax.xaxis.set_major_formatter(_Numbers(lang))
    top = axes[0, 0]
    if len(names) > 1:
        header = say("plot.differences.header", lang, a=_plain(names[0]))
        top.annotate(
            header,
            (1.0, 1.0),
            xycoords="axes fraction",
            xytext=(8, 4),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize="x-small",
            style="italic",
        )
    handles, labels = top.get_legend_handles_labels()
    fig.legend(
        handles,
        [_plain(x) for x in labels],
        loc="outside upper center",
        ncols=min(len(names), 3),
        fontsize="small",
        frameon=False,
    )
    _fit_labels(fig, drawn)
    return fig
