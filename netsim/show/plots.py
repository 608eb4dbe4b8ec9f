"""Figures: each ``plot_*(data, *, ax=None) -> Axes`` draws tidy data and computes nothing.

The data come from :mod:`netsim.show.figures`, which turns runs, result directories and sweep
databases into the small tables drawn here; the plots never run or aggregate the model.
Without ``ax`` a new figure is made with :class:`matplotlib.figure.Figure` (the Agg canvas,
no pyplot state), so the functions are safe in scripts, servers and worker processes. Each
takes ``lang`` ("en" or "da"): titles, axis labels and legends come from
:mod:`netsim.show.texts`, and tick labels are formatted by :mod:`netsim.show.page` as the
pages' own numbers are. The paired comparison, one panel per unit, is
:func:`netsim.show.differences.plot_differences`.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"network": ["a", "a"], "week": [0, 4], "mean": [0.9, 0.7]})
>>> ax = plot_attendance(data)
>>> [line.get_label() for line in ax.get_lines()]
['a']
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import Formatter, PercentFormatter

from netsim.show.page import money_short, number, percent, significant
from netsim.show.texts import say, term

__all__ = [
    "GraphData",
    "new_axes",
    "plot_attendance",
    "plot_cost_ledger",
    "plot_graph",
    "plot_knowledge",
    "plot_sensitivity",
    "plot_sweep_heatmap",
    "plot_sweep_points",
    "plot_value_accounts",
]

#: Colours of the two value accounts, used by every figure that shows them.
PARTICIPANT_COLOUR = "#1b7837"
SPONSOR_COLOUR = "#762a83"
BRIDGE_COLOUR = "#d95f02"


def new_axes(figsize: tuple[float, float] = (7.0, 4.0)) -> Axes:
    """A fresh Axes on its own Agg figure (no pyplot)."""
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


class _Percent(PercentFormatter):
    """Percent ticks in the language's style (``50%``, ``50 %``); matplotlib picks decimals."""

    def __init__(self, lang: str) -> None:
        super().__init__(1.0)
        self.lang = lang

    def format_pct(self, x: float, display_range: float) -> str:
        plain = super().format_pct(x, display_range)
        decimals = len(plain.rstrip(self.symbol).partition(".")[2])
        return percent(x / self.xmax, self.lang, digits=decimals)


class _Numbers(Formatter):
    """Tick labels as numbers in the language's style (``1,000.5``, ``1.000,5``), with as
    few decimals as tell all the axis's ticks apart exactly."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.digits = 0

    def format_ticks(self, values: Any) -> list[str]:
        x = np.asarray(values, dtype=float)
        self.digits = next((d for d in range(6) if np.allclose(np.round(x, d), x, 0, 1e-9)), 6)
        return [self(v) for v in x]

    def __call__(self, x: float, pos: int | None = None) -> str:
        return number(x, self.lang, digits=self.digits)


def _plain(text: Any) -> str:
    """User text as literal text: a ``$`` would otherwise start matplotlib's mathtext."""
    return str(text).replace("$", r"\$")


def _series_labels(data: pd.DataFrame, key: str) -> list[tuple[Any, str, pd.DataFrame]]:
    """(key value, label, rows) per line; labels carry the scenario when there are several."""
    out = []
    keys = ["scenario", key] if "scenario" in data and data["scenario"].nunique() > 1 else [key]
    for k, part in data.groupby(keys, sort=False):
        parts = k if isinstance(k, tuple) else (k,)
        out.append((k, ": ".join(_plain(p) for p in parts), part))
    return out


def plot_attendance(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Attendance rate per network over time, with a confidence band over replications.

    Parameters
    ----------
    data : pandas.DataFrame
        Columns ``network``, ``week``, ``mean`` (attended / invited), optionally ``ci_low``
        and ``ci_high`` (a band is drawn where they are known) and ``scenario``.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One line per network (and scenario), one ``PolyCollection`` band per line with CIs.
    """
    ax = ax if ax is not None else new_axes()
    for _, label, part in _series_labels(data, "network"):
        part = part.sort_values("week")
        (line,) = ax.plot(part["week"], part["mean"], marker="o", markersize=3, label=label)
        if {"ci_low", "ci_high"} <= set(part) and part["ci_low"].notna().any():
            known = part[part["ci_low"].notna()]
            ax.fill_between(
                known["week"],
                known["ci_low"].clip(0, 1),
                known["ci_high"].clip(0, 1),
                color=line.get_color(),
                alpha=0.2,
                linewidth=0,
            )
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(_Percent(lang))
    ax.set_xlabel(say("plot.week", lang))
    ax.xaxis.set_major_formatter(_Numbers(lang))
    ax.set_ylabel(say("plot.attendance.ylabel", lang))
    ax.set_title(say("plot.attendance.title", lang))
    if len(ax.get_lines()) > 0:
        ax.legend(fontsize="small", loc="lower left", ncols=2 if len(ax.get_lines()) > 6 else 1)
    ax.grid(alpha=0.3)
    return ax


def plot_cost_ledger(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Realised hours per year by role, each bar labelled with its DKK.

    Parameters
    ----------
    data : pandas.DataFrame
        Columns ``role``, ``hours_year``, ``cost_dkk_year`` and optionally ``scenario``
        (grouped bars, one colour per scenario).

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per scenario; the DKK labels are the texts of the axes.
    """
    ax = ax if ax is not None else new_axes()
    several = "scenario" in data and data["scenario"].nunique() > 1
    scenarios = list(dict.fromkeys(data["scenario"])) if several else [None]
    roles = list(dict.fromkeys(data["role"]))
    height = 0.8 / len(scenarios)
    y = np.arange(len(roles))
    for k, name in enumerate(scenarios):
        part = data if name is None else data[data["scenario"] == name]
        part = part.set_index("role").reindex(roles)
        pos = y - 0.4 + height * (k + 0.5)
        bars = ax.barh(
            pos,
            part["hours_year"].fillna(0),
            height=height * 0.9,
            label=None if name is None else _plain(name),
        )
        for rect, dkk in zip(bars, part["cost_dkk_year"].fillna(0), strict=True):
            ax.annotate(
                money_short(float(dkk), lang),
                (rect.get_width(), rect.get_y() + rect.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize="x-small",
            )
    ax.set_yticks(y, [_plain(term("role", r, lang)) for r in roles])
    ax.invert_yaxis()
    ax.set_xlabel(say("plot.ledger.xlabel", lang))
    ax.set_title(say("plot.ledger.title", lang))
    ax.margins(x=0.2)
    ax.xaxis.set_major_formatter(_Numbers(lang))
    if scenarios != [None]:
        ax.legend(fontsize="small", loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_value_accounts(data: pd.DataFrame, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Both accounts in hours: the hours the networks took against the hours they saved.

    Each account (the participants', the sponsor's; per scenario if several) is a pair of bars:
    hours spent a year (grey) and hours saved a year (the account's colour), each labelled.

    Parameters
    ----------
    data : pandas.DataFrame
        Columns ``account`` (``"participants"`` or ``"sponsor"``), ``spent_hours_year``,
        ``saved_hours_year`` and optionally ``scenario``
        (:func:`netsim.show.figures.value_accounts`).

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers (spent, saved); their numbers are the axes' texts, spent first.
    """
    ax = ax if ax is not None else new_axes()
    several = "scenario" in data and data["scenario"].nunique() > 1
    labels = [_plain(term("account", a, lang)) for a in data["account"]]
    if several:
        # The scenario's name on a line of its own: long names would squeeze the bars and
        # push the title off the figure.
        labels = [
            f"{textwrap.fill(_plain(n), 28)}:\n{a}"
            for n, a in zip(data["scenario"], labels, strict=True)
        ]
    y = np.arange(len(data))
    spent = data["spent_hours_year"].to_numpy(float)
    saved = data["saved_hours_year"].to_numpy(float)
    colours = [
        PARTICIPANT_COLOUR if a == "participants" else SPONSOR_COLOUR for a in data["account"]
    ]
    pairs = (("spent", spent, "0.7"), ("saved", saved, colours))
    for k, (key, values, colour) in enumerate(pairs):
        label = say(f"plot.values.{key}", lang)
        bars = ax.barh(y + 0.4 * k - 0.2, np.nan_to_num(values), 0.38, color=colour, label=label)
        for rect, v in zip(bars, values, strict=True):
            ax.annotate(
                number(float(v), lang),
                (max(rect.get_width(), 0.0), rect.get_y() + rect.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize="x-small",
            )
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(say("plot.values.xlabel", lang))
    ax.xaxis.set_major_formatter(_Numbers(lang))
    ax.set_title(say("plot.values.title", lang))
    ax.margins(x=0.2)
    ax.legend(fontsize="small", loc="best")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_knowledge(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    topics: Sequence[str] | None = None,
    lang: str = "en",
) -> Axes:
    """Mean knowledge over time of network members (solid) and everybody else (dashed).

    Parameters
    ----------
    data : pandas.DataFrame
        Columns ``week``, ``topics`` (topic group), ``members``, ``others``.
    topics : sequence of str, optional
        The topic groups to draw (default: all in ``data``).

    Returns
    -------
    matplotlib.axes.Axes
        Two lines per topic group, in the same colour.
    """
    ax = ax if ax is not None else new_axes()
    groups = list(dict.fromkeys(data["topics"])) if topics is None else list(topics)
    for k, group in enumerate(groups):
        part = data[data["topics"] == group].sort_values("week")
        colour = f"C{k % 10}"
        name = _plain(term("topics", group, lang))
        members = say("plot.knowledge.members", lang, topics=name)
        ax.plot(part["week"], part["members"], color=colour, label=members)
        others = say("plot.knowledge.others", lang, topics=name)
        ax.plot(part["week"], part["others"], color=colour, linestyle="--", label=others)
    ax.set_xlabel(say("plot.week", lang))
    ax.xaxis.set_major_formatter(_Numbers(lang))
    ax.set_ylabel(say("plot.knowledge.ylabel", lang))
    ax.yaxis.set_major_formatter(_Numbers(lang))
    ax.set_title(say("plot.knowledge.title", lang))
    if groups:
        ax.legend(fontsize="x-small", ncols=2)
    ax.grid(alpha=0.3)
    return ax


@dataclass(frozen=True, eq=False)
class GraphData:
    """An organisation's informal graph ready to draw.

    Attributes
    ----------
    nodes : pandas.DataFrame
        ``id``, ``x``, ``y``, ``department`` (name) and ``member`` (bool).
    edges : pandas.DataFrame
        Informal ties among the nodes: ``a``, ``b`` (ids).
    bridging : pandas.DataFrame
        New ties across departments: ``a``, ``b``, ``strength``.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    bridging: pd.DataFrame


def _segments(nodes: pd.DataFrame, edges: pd.DataFrame) -> np.ndarray:
    pos = nodes.set_index("id")[["x", "y"]]
    a = pos.reindex(edges["a"]).to_numpy(float)
    b = pos.reindex(edges["b"]).to_numpy(float)
    seg = np.stack([a, b], axis=1)
    return seg[~np.isnan(seg).any(axis=(1, 2))]


def plot_graph(data: GraphData, *, ax: Axes | None = None, lang: str = "en") -> Axes:
    """The informal graph laid out by department, network members and new bridging ties
    highlighted.

    Returns
    -------
    matplotlib.axes.Axes
        Two ``LineCollection`` (informal ties, bridging ties), two scatter collections (others,
        members) and one text label per department.
    """
    ax = ax if ax is not None else new_axes((7.0, 7.0))
    nodes = data.nodes
    ax.add_collection(
        LineCollection(list(_segments(nodes, data.edges)), colors="0.8", linewidths=0.3, zorder=1)
    )
    bridge = LineCollection(
        list(_segments(nodes, data.bridging)),
        colors=BRIDGE_COLOUR,
        linewidths=0.7,
        alpha=0.55 if len(data.bridging) > 50 else 0.9,
        zorder=2,
        label=say("plot.graph.bridging", lang),
    )
    ax.add_collection(bridge)
    depts = list(dict.fromkeys(nodes["department"]))
    colour = {d: f"C{k % 10}" for k, d in enumerate(depts)}
    others, members = nodes[~nodes["member"]], nodes[nodes["member"]]
    ax.scatter(
        others["x"],
        others["y"],
        s=6,
        c=[colour[d] for d in others["department"]],
        alpha=0.45,
        linewidths=0,
        zorder=3,
        label=say("plot.graph.employee", lang),
    )
    ax.scatter(
        members["x"],
        members["y"],
        s=28,
        c=[colour[d] for d in members["department"]],
        edgecolors="black",
        linewidths=0.8,
        zorder=4,
        label=say("plot.graph.member", lang),
    )
    for d in depts:
        part = nodes[nodes["department"] == d]
        ax.text(
            part["x"].mean(),
            part["y"].max() + 0.03,
            _plain(d),
            ha="center",
            va="bottom",
            fontsize="small",
            color=colour[d],
            weight="bold",
        )
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.margins(0.05)
    ax.set_axis_off()
    ax.set_title(say("plot.graph.title", lang))
    ax.legend(fontsize="small", loc="lower center", bbox_to_anchor=(0.5, -0.08), ncols=3)
    return ax


def _outcome(data: pd.DataFrame, outcome: str | None, params: list[str]) -> str:
    if outcome is not None:
        return outcome
    skip = {"point", "n", *params}
    return next(c for c in data.columns if c not in skip and not c.endswith(("_low", "_high")))


def plot_sweep_heatmap(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    outcome: str | None = None,
    reference: float | None = None,
    lang: str = "en",
) -> Axes:
    """A two-parameter grid sweep: the outcome's mean per design point as a heatmap, each
    cell with the half-width of its 95 % CI (``±``), hatched where the CI includes
    ``reference`` (break-even: the data cannot tell which side of it the point is on).

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`netsim.study.analysis.summarise` output with exactly two ``param:`` columns.
    outcome : str, optional
        The outcome to draw (default: the first).
    reference : float, optional
        The value that matters (1 hour back per hour spent, 0 net hours); no hatching
        without one.

    Returns
    -------
    matplotlib.axes.Axes
        One image, one text per cell, axis labels naming the parameters.
    """
    ax = ax if ax is not None else new_axes()
    params = [c for c in data.columns if c.startswith("param:")]
    if len(params) != 2:
        raise ValueError(f"a heatmap needs two parameters (got {len(params)})")
    outcome = _outcome(data, outcome, params)

    def grid(column: str) -> pd.DataFrame:
        source = column if column in data else outcome
        return data.pivot_table(index=params[1], columns=params[0], values=source, sort=True)

    table = grid(outcome)
    values = table.to_numpy(float)
    low, high = (
        grid(f"{outcome}_ci_low").to_numpy(float),
        grid(f"{outcome}_ci_high").to_numpy(float),
    )
    image = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis")
    ax.figure.colorbar(image, ax=ax, label=_plain(outcome))
    finite = values[np.isfinite(values)]
    mid = (finite.min() + finite.max()) / 2 if finite.size else 0.0
    for (i, j), v in np.ndenumerate(values):
        if not np.isfinite(v):
            continue
        half = (high[i, j] - low[i, j]) / 2
        text = significant(float(v), lang, trim=True) + (
            f"\n±{significant(float(half), lang, figures=2, trim=True)}"
            if np.isfinite(half) and half > 0
            else ""
        )
        colour = "white" if v < mid else "black"
        ax.text(j, i, text, ha="center", va="center", fontsize="x-small", color=colour)
        if reference is not None and low[i, j] <= reference <= high[i, j]:
            ax.add_patch(
                Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", ec=colour, lw=0)
            )
    ax.set_xticks(range(values.shape[1]), [_plain(v) for v in table.columns])
    ax.set_yticks(range(values.shape[0]), [_plain(v) for v in table.index])
    ax.set_xlabel(_plain(params[0].removeprefix("param:")))
    ax.set_ylabel(_plain(params[1].removeprefix("param:")))
    note = "plot.heatmap.note" if reference is None else "plot.heatmap.hatched"
    ref = "" if reference is None else number(reference, lang, digits=0)
    ax.set_title(_plain(outcome) + "\n" + say(note, lang, reference=ref), fontsize="medium")
    return ax


def plot_sweep_points(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    outcome: str | None = None,
    lang: str = "en",
) -> Axes:
    """A sweep over one parameter (or several scenarios): mean and 95 % CI per point.

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`netsim.study.analysis.summarise` output with one ``param:`` column.

    Returns
    -------
    matplotlib.axes.Axes
        One error-bar line; the points' labels as tick labels.
    """
    ax = ax if ax is not None else new_axes()
    params = [c for c in data.columns if c.startswith("param:")]
    if len(params) != 1:
        raise ValueError(f"a point plot needs one parameter (got {len(params)})")
    outcome = _outcome(data, outcome, params)
    x = np.arange(len(data))
    mean = data[outcome].to_numpy(float)
    low = data.get(f"{outcome}_ci_low", data[outcome]).to_numpy(float)
    high = data.get(f"{outcome}_ci_high", data[outcome]).to_numpy(float)
    err = np.nan_to_num(np.stack([mean - low, high - mean]))
    ax.errorbar(x, mean, yerr=err, marker="o", capsize=4, linestyle="-", label=_plain(outcome))
    ax.set_xticks(x, [_plain(v) for v in data[params[0]]])
    ax.set_xlabel(_plain(params[0].removeprefix("param:")))
    ax.set_ylabel(_plain(outcome))
    ax.set_title(say("plot.points.title", lang, outcome=_plain(outcome)))
    ax.grid(alpha=0.3)
    return ax


def plot_sensitivity(
    data: pd.DataFrame,
    *,
    ax: Axes | None = None,
    outcome: str | None = None,
    lang: str = "en",
) -> Axes:
    """Sensitivity indices with their confidence intervals (SALib Sobol or Morris).

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`netsim.study.analysis.sensitivity` output: ``outcome``, ``parameter`` and either
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (Sobol) or ``mu_star``, ``mu_star_conf``
        (Morris); an ``imputed`` count above zero is said in the title.
    outcome : str, optional
        Default: the first outcome in ``data``.

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per index, with error bars.
    """
    ax = ax if ax is not None else new_axes()
    outcome = outcome if outcome is not None else str(data["outcome"].iloc[0])
    part = data[data["outcome"] == outcome]
    indices = ["S1", "ST"] if "S1" in part else ["mu_star"]
    y = np.arange(len(part))
    height = 0.8 / len(indices)
    for k, name in enumerate(indices):
        ax.barh(
            y - 0.4 + height * (k + 0.5),
            part[name].to_numpy(float),
            height=height * 0.9,
            xerr=part[f"{name}_conf"].to_numpy(float),
            capsize=3,
            label=name,
        )
    ax.set_yticks(y, [_plain(p) for p in part["parameter"]])
    ax.invert_yaxis()
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_xlabel(say("plot.sensitivity.xlabel", lang))
    title = say("plot.sensitivity.title", lang, outcome=_plain(outcome))
    if "imputed" in part and len(part) and (k := int(part["imputed"].iloc[0])):
        title += "\n" + say("plot.sensitivity.imputed", lang, k=k)
    ax.set_title(title)
    ax.legend(fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    return ax
