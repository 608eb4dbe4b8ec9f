"""The data behind the figures, and figure files.

:mod:`netsim.show.plots` only draws; this module turns what netsim produces — runs
(:class:`~netsim.sim.result.RunResult`), result directories written by ``netsim run --out`` and
sweep databases — into the small tidy tables it draws, averages replications with 95 %
confidence intervals, lays out the organisation's graph, and writes figures as PNG and SVG
(or as text to inline in an HTML page). ``netsim plot`` is :func:`plot_path`.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from netsim.errors import NetsimError
from netsim.show import plots
from netsim.sim.result import RunResult
from netsim.study.analysis import paired_ci

__all__ = [
    "attendance_bands",
    "cost_ledger",
    "crowded_texts",
    "graph_data",
    "knowledge_series",
    "load_run",
    "plot_path",
    "png_base64",
    "save_figure",
    "svg_text",
    "value_accounts",
]

_GOLDEN = math.pi * (3.0 - math.sqrt(5.0))


# ------------------------------------------------------------------ tables from runs


def _years(run: RunResult) -> float:
    sim = run.scenario.simulation
    return run.scenario.horizon_days / sim.days_per_year if sim.days_per_year else 1.0


def _by_scenario(runs: Sequence[RunResult]) -> dict[str, list[RunResult]]:
    out: dict[str, list[RunResult]] = {}
    for run in runs:
        out.setdefault(run.scenario.name, []).append(run)
    return out


def _mean_ci(values: np.ndarray) -> tuple[float, float, float, int]:
    mean, lo, hi, n = paired_ci(values)
    return mean, lo, hi, n


def attendance_bands(runs: Sequence[RunResult]) -> pd.DataFrame:
    """Attendance rate per network and meeting week: mean over replications and 95 % CI.

    Parameters
    ----------
    runs : sequence of RunResult
        Replications of one or more scenarios (grouped by scenario name).

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``network``, ``week``, ``mean``, ``ci_low``, ``ci_high``, ``n``. The CI
        is NaN with a single replication.
    """
    rows = []
    for name, group in _by_scenario(runs).items():
        parts = []
        for rep, run in enumerate(group):
            m = run.meetings
            if m.empty:
                continue
            by = m.groupby(["network", "week"], sort=True)[["attended", "invited"]].sum()
            rate = (by["attended"] / by["invited"].where(by["invited"] > 0)).rename("rate")
            parts.append(rate.reset_index().assign(rep=rep))
        if not parts:
            continue
        long = pd.concat(parts, ignore_index=True)
        for key, part in long.groupby(["network", "week"], sort=True):
            network, week = cast(tuple[str, int], key)
            mean, lo, hi, n = _mean_ci(part["rate"].to_numpy(float))
            rows.append((name, network, int(week), mean, lo, hi, n))
    return pd.DataFrame(
        rows, columns=["scenario", "network", "week", "mean", "ci_low", "ci_high", "n"]
    )


def cost_ledger(runs: Sequence[RunResult]) -> pd.DataFrame:
    """Realised hours and DKK per year by role, mean over replications.

    The organisers' follow-up hours are in no employee's account; they are the row
    ``organisers``.

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``role``, ``hours_year``, ``cost_dkk_year``.
    """
    rows = []
    for name, group in _by_scenario(runs).items():
        reps = []
        for run in group:
            years = _years(run)
            by = run.employees.groupby("role", sort=False)[["hours", "cost_dkk"]].sum()
            hours = by["hours"].to_dict()
            cost = by["cost_dkk"].to_dict()
            hours["organisers"] = float(run.meetings["hours"].sum()) - float(by["hours"].sum())
            cost["organisers"] = float(run.meetings["cost_dkk"].sum()) - float(by["cost_dkk"].sum())
            reps.append({r: (hours[r] / years, cost[r] / years) for r in hours})
        roles = [r for r in _ROLE_ORDER if any(rep.get(r, (0.0,))[0] > 0 for rep in reps)]
        for role in roles:
            h = np.mean([rep.get(role, (0.0, 0.0))[0] for rep in reps])
            c = np.mean([rep.get(role, (0.0, 0.0))[1] for rep in reps])
            rows.append((name, role, float(max(h, 0.0)), float(max(c, 0.0))))
    return pd.DataFrame(rows, columns=["scenario", "role", "hours_year", "cost_dkk_year"])


_ROLE_ORDER = ("executive", "head", "leader", "specialist", "employee", "organisers")


def value_accounts(runs: Sequence[RunResult]) -> pd.DataFrame:
    """Both accounts in hours a year: what the networks took and what they saved (replication
    mean).

    The participants' account is the members' attendee hours against the hours the networks
    saved them on all their problems; the sponsor's is every network hour (organisers'
    follow-up included) against the hours saved by everybody on the sponsored topics. Both
    come from the run summary (MODEL.md "Value in hours"); scenarios without networks have no
    accounts.

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``account`` (``"participants"`` or ``"sponsor"``), ``spent_hours_year``,
        ``saved_hours_year``.
    """
    cols = ["scenario", "account", "spent_hours_year", "saved_hours_year"]
    rows = []
    for name, group in _by_scenario(runs).items():
        if not group[0].scenario.networks:
            continue
        s = pd.DataFrame([r.summary for r in group]).apply(pd.to_numeric, errors="coerce")
        members_spent = s["hours_per_member_year"] * s["members"]
        rows.append(
            (name, "participants", members_spent.mean(), s["participant_hours_saved_year"].mean())
        )
        rows.append(
            (name, "sponsor", s["total_hours_year"].mean(), s["sponsor_hours_saved_year"].mean())
        )
    return pd.DataFrame(rows, columns=cols)


def knowledge_series(runs: Sequence[RunResult]) -> pd.DataFrame:
    """Weekly knowledge of members and everybody else by topic group, replication mean.

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``week``, ``topics``, ``members``, ``others``.
    """
    parts = [
        run.knowledge.assign(scenario=run.scenario.name)
        for run in runs
        if run.knowledge is not None and not run.knowledge.empty
    ]
    if not parts:
        return pd.DataFrame(columns=["scenario", "week", "topics", "members", "others"])
    long = pd.concat(parts, ignore_index=True)
    out = long.groupby(["scenario", "topics", "week"], sort=False)[["members", "others"]].mean()
    return out.reset_index()[["scenario", "week", "topics", "members", "others"]]


# ------------------------------------------------------------------ the graph


def _spiral(n: int) -> np.ndarray:
    """``n`` points of a sunflower spiral filling the unit disc evenly."""
    k = np.arange(n)
    r = np.sqrt((k + 0.5) / max(n, 1))
    return np.stack([r * np.cos(k * _GOLDEN), r * np.sin(k * _GOLDEN)], axis=1)


def layout_by_department(employees: pd.DataFrame) -> np.ndarray:
    """(N, 2) positions: one disc per department, units as small clusters inside it.

    The first department (the central administration) sits in the middle, the others on a
    ring around it; a department's disc area grows with its size. Deterministic.
    """
    pos = np.zeros((len(employees), 2))
    depts = list(dict.fromkeys(employees["department"]))
    sizes = employees.groupby("department", sort=False).size()
    biggest = float(sizes.max()) if len(sizes) else 1.0
    ring = len(depts) - 1
    for k, dept in enumerate(depts):
        if k == 0 or ring == 0:
            centre = np.zeros(2)
        else:
            angle = 2 * math.pi * (k - 1) / ring + math.pi / 2
            centre = np.array([math.cos(angle), math.sin(angle)])
        rows = np.flatnonzero((employees["department"] == dept).to_numpy())
        radius = 0.32 * math.sqrt(len(rows) / biggest)
        units = employees["unit"].to_numpy()[rows]
        names, inverse, counts = np.unique(units, return_inverse=True, return_counts=True)
        unit_centres = _spiral(names.size) * radius * (1 - 1 / (1 + math.sqrt(names.size)))
        unit_radius = radius / (1 + math.sqrt(names.size)) * 0.9
        for u in range(names.size):
            members = rows[inverse == u]
            pos[members] = centre + unit_centres[u] + _spiral(counts[u]) * unit_radius
    return pos


def organisation_of(run: RunResult) -> Any:
    """The run's organisation, generated again from its scenario and seed."""
    return run.organisation()


def graph_data(
    run: RunResult, *, org: Any = None, max_nodes: int = 1500, seed: int = 0
) -> plots.GraphData:
    """The informal graph of a run's organisation, ready for :func:`netsim.show.plots.plot_graph`.

    Parameters
    ----------
    run : RunResult
    org : netsim.sim.org.Org, optional
        The organisation the run used; by default it is generated again from the scenario and
        seed (a run on a hand-built organisation must pass it).
    max_nodes : int
        Every network member is kept; other employees are sampled down to this total.
    seed : int
        Seed of that sample.
    """
    emp = run.employees
    if org is None:
        org = organisation_of(run)
    pos = layout_by_department(emp)
    member = emp["member"].to_numpy(bool)
    keep = member.copy()
    others = np.flatnonzero(~member)
    room = max(max_nodes - int(member.sum()), 0)
    if others.size > room:
        others = np.sort(np.random.default_rng(seed).choice(others, room, replace=False))
    keep[others] = True
    ids = np.flatnonzero(keep)
    nodes = pd.DataFrame(
        {
            "id": ids,
            "x": pos[ids, 0],
            "y": pos[ids, 1],
            "department": emp["department"].to_numpy()[ids],
            "member": member[ids],
        }
    )
    edges = pd.DataFrame({"a": pd.Series(dtype="int64"), "b": pd.Series(dtype="int64")})
    if org.n == len(emp):
        coo = org.ties.tocoo()
        upper = (coo.row < coo.col) & keep[coo.row] & keep[coo.col]
        edges = pd.DataFrame({"a": coo.row[upper], "b": coo.col[upper]})
    bridging = run.bridging
    if bridging is None:
        bridging = pd.DataFrame({"a": [], "b": [], "strength": []})
    return plots.GraphData(nodes=nodes, edges=edges, bridging=bridging)


# ------------------------------------------------------------------ figure output


def _figure(ax: Axes | Figure) -> Figure:
    fig = ax if isinstance(ax, Figure) else ax.get_figure()
    assert isinstance(fig, Figure)
    return fig


def svg_text(ax: Axes | Figure, *, salt: str = "netsim") -> str:
    """The figure (of an Axes, or a Figure itself) as an ``<svg>`` element to inline in HTML.

    Text stays text (searchable, escaped by matplotlib); the XML declaration, the DOCTYPE and
    the metadata block are dropped. ``salt`` makes the element ids of one figure differ from
    another's on the same page, and the output reproducible.
    """
    buf = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        _figure(ax).savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)


def png_base64(ax: Axes | Figure, *, dpi: int = 110) -> str:
    """The figure as a base64 PNG (for ``<img src="data:image/png;base64,...">``)."""
    buf = io.BytesIO()
    _figure(ax).savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def crowded_texts(ax: Axes | Figure, *, gap: float = 1.0) -> list[str]:
    """What is wrong with the texts of a figure as drawn: texts that overlap another, and
    texts cut off by the figure's edge. Empty when every label can be read.

    Only texts that are actually drawn count (a tick label outside the axis's limits is
    not), each with the box of its glyphs on the canvas.

    Parameters
    ----------
    ax : matplotlib.axes.Axes or matplotlib.figure.Figure
        The figure (or one of its Axes).
    gap : float
        Pixels (at the figure's dpi) that two texts must keep between them, and a text from
        the figure's edge: a browser measures glyphs a little differently from matplotlib.

    Returns
    -------
    list of str
        One line per problem, naming the texts.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.text(0.1, 0.5, "left"), fig.text(0.12, 0.5, "overlapping")
    >>> crowded_texts(fig)
    ["'left' overlaps 'overlapping'"]
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    fig = _figure(ax)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)  # makes the ticks a draw needs, so that the next draw finds them all
    # A text that draws glyphs calls the renderer while it is being drawn: that is the test
    # of "drawn" (hidden, empty, and out-of-limits tick labels never get there).
    drawing: list[Text] = []
    drawn: dict[int, Text] = {}

    def watch(text: Text) -> None:
        draw = text.draw

        def watched(r: Any) -> Any:
            drawing.append(text)
            try:
                return draw(r)
            finally:
                drawing.pop()

        setattr(text, "draw", watched)  # noqa: B010 (an instance attribute, undone below)

    for artist in fig.findobj(Text):
        watch(artist)
    draw_text = renderer.draw_text

    def spy(*args: Any, **kwargs: Any) -> Any:
        if drawing and args[3].strip():
            drawn.setdefault(id(drawing[-1]), drawing[-1])
        return draw_text(*args, **kwargs)

    setattr(renderer, "draw_text", spy)  # noqa: B010 (this renderer only)
    try:
        fig.draw(renderer)
    finally:
        for artist in fig.findobj(Text):
            artist.__dict__.pop("draw", None)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in drawn.values()]
    page = fig.bbox
    out = []
    for k, (label, box) in enumerate(boxes):
        if (
            box.x0 < page.x0 + gap
            or box.y0 < page.y0 + gap
            or box.x1 > page.x1 - gap
            or box.y1 > page.y1 - gap
        ):
            out.append(f"{label!r} is cut off by the figure's edge")
        for other, obox in boxes[k + 1 :]:
            if (
                box.x0 < obox.x1 + gap
                and obox.x0 < box.x1 + gap
                and box.y0 < obox.y1 + gap
                and obox.y0 < box.y1 + gap
            ):
                out.append(f"{label!r} overlaps {other!r}")
    return out


def save_figure(ax: Axes, stem: Path) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg``; returns both paths."""
    from netsim.sim.result import atomic_write_text

    stem.parent.mkdir(parents=True, exist_ok=True)
    png = stem.with_suffix(".png")
    _figure(ax).savefig(png, format="png", dpi=150, metadata={"Software": None})
    svg = stem.with_suffix(".svg")
    with rc_context({"svg.hashsalt": stem.name}):
        buf = io.StringIO()
        _figure(ax).savefig(buf, format="svg", metadata={"Date": None})
    atomic_write_text(svg, buf.getvalue())
    return [png, svg]


# ------------------------------------------------------------------ netsim plot


def load_run(path: str | Path) -> RunResult:
    """A run written by ``netsim run --out DIR`` (or
    :meth:`~netsim.sim.result.RunResult.write`), read back, whichever CSV dialect and ids it
    was written with (:func:`netsim.study.export.read_run`)."""
    from netsim.study.export import read_run

    return read_run(path)


def run_figures(runs: Sequence[RunResult], *, graph: bool = True) -> dict[str, Axes]:
    """The figures that fit one or more runs, by file stem."""
    out: dict[str, Axes] = {}
    att = attendance_bands(runs)
    if not att.empty:
        out["attendance"] = plots.plot_attendance(att)
    ledger = cost_ledger(runs)
    if not ledger.empty and ledger["hours_year"].sum() > 0:
        out["cost_ledger"] = plots.plot_cost_ledger(ledger)
    values = value_accounts(runs)
    if not values.empty:
        out["value_accounts"] = plots.plot_value_accounts(values)
    know = knowledge_series(runs)
    if not know.empty:
        # The topics the networks are for tell the story; all groups at once are a tangle.
        topics = ["sponsored"] if (know["topics"] == "sponsored").any() else None
        out["knowledge"] = plots.plot_knowledge(know.drop(columns="scenario"), topics=topics)
    if graph and runs:
        out["graph"] = plots.plot_graph(graph_data(runs[0]))
    return out


#: Where an outcome breaks even: a heatmap hatches the points whose CI includes it.
BREAK_EVEN: dict[str, float] = {
    "net_hours_year": 0.0,
    "net_dkk_year": 0.0,
    "participant_return_per_hour": 1.0,
    "sponsor_return_per_hour": 1.0,
}


def _store_figures(path: Path) -> dict[str, Axes]:
    from netsim.study.analysis import sensitivity, summarise
    from netsim.study.export import bounded_shares, read_sweep

    # Read-only, as `netsim results` reads: a database on a read-only mount can be drawn too.
    sweep = read_sweep(path)
    spec, frame = sweep.spec, sweep.frame
    table = bounded_shares(summarise(frame, spec.outcomes), frame, spec.outcomes)
    params = [c for c in table.columns if c.startswith("param:")]
    out: dict[str, Axes] = {}
    if spec.design in ("sobol", "morris"):
        indices = sensitivity(frame, spec)
        for outcome in spec.outcomes:
            if (indices["outcome"] == outcome).any():  # none where undefined at every point
                out[f"sensitivity_{outcome}"] = plots.plot_sensitivity(indices, outcome=outcome)
    elif len(params) == 2:
        for outcome in spec.outcomes:
            out[f"sweep_{outcome}"] = plots.plot_sweep_heatmap(
                table, outcome=outcome, reference=BREAK_EVEN.get(outcome)
            )
    elif len(params) == 1:
        for outcome in spec.outcomes:
            out[f"sweep_{outcome}"] = plots.plot_sweep_points(table, outcome=outcome)
    else:
        raise NetsimError(
            f"{path}: no figure fits a {spec.design} design over {len(params)} parameters "
            "(figures exist for grids over one or two parameters, and Sobol or Morris designs)"
        )
    return out


def plot_path(path: str | Path, out: str | Path) -> list[Path]:
    """Write the figures that fit ``path`` into ``out`` as PNG and SVG (``netsim plot``).

    Parameters
    ----------
    path : path-like
        A result directory of ``netsim run --out`` (one run, or one subdirectory per
        scenario) or a sweep database of ``netsim sweep``.
    out : path-like
        Directory for the figures (created); with several runs, one subdirectory each.

    Returns
    -------
    list of Path
        The files written.
    """
    path, out = Path(path), Path(out)
    if not path.exists():
        raise NetsimError(f"{path}: no such file or directory")
    groups: dict[Path, dict[str, Axes]] = {}
    if path.is_file():
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise NetsimError(
                    f"{path}: not a result directory or a sweep database (netsim plot takes "
                    "the directory of netsim run --out or the .sqlite file of netsim sweep)"
                )
        groups[out] = _store_figures(path)
    elif (path / "summary.json").is_file():
        groups[out] = run_figures([load_run(path)])
    else:
        subdirs = sorted(p for p in path.iterdir() if (p / "summary.json").is_file())
        if not subdirs:
            raise NetsimError(f"{path}: not a netsim result directory (no summary.json)")
        for sub in subdirs:
            groups[out / sub.name] = run_figures([load_run(sub)])
    written: list[Path] = []
    for directory, figures in groups.items():
        for stem, ax in figures.items():
            try:
                written.extend(save_figure(ax, directory / stem))
            except OSError as exc:
                raise NetsimError(f"{directory}: cannot write figures ({exc.strerror})") from None
    return written
