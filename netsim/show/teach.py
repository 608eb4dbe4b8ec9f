"""The teaching page: a self-contained, offline, interactive page for a class.

``netsim teach`` runs a grid of designs of one network in one small municipality — what the
network is for (all leaders, specialists of one specialty, sharing practice across
departments) × enrollment × format × goal × facilitation × evaluation × time pressure — and
embeds the results as JSON in one HTML page, with a little inline JavaScript that switches
between them: the verdict and the story in words, hours spent and saved for each member and
for the organisation, how many still come after a year, attendance meeting by meeting, and an
animation of part of the organisation's graph (who comes to each meeting, and knowledge
spreading through everyday ties). Every number and sentence is computed here, by the model,
and formatted here (Babel, :mod:`netsim.show.page`); the browser only chooses which to show.

All runs share one organisation and one seed (common random numbers), so what changes
between two settings is the design, not luck.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, cast

import numpy as np

from netsim._version import __version__
from netsim.scenario.load import parse_scenario
from netsim.scenario.schema import Scenario
from netsim.show.figures import layout_by_department
from netsim.show.page import CSS, esc
from netsim.show.teach_story import cell_numbers, findings
from netsim.show.texts import check_lang, say, section, term
from netsim.sim.org import Org, select_members
from netsim.sim.result import RunResult
from netsim.sim.rng import Streams
from netsim.study.runner import Task, run_replications

__all__ = [
    "CONTROLS",
    "DEFAULT_EMPLOYEES",
    "build_teach_page",
    "grid_cells",
    "grid_runs",
    "iter_grid_runs",
    "make_teach_page",
    "teach_data",
    "teach_scenario",
]

#: The controls and their settings; the first setting of each is the "blind" design.
CONTROLS: dict[str, tuple[str, ...]] = {
    "purpose": ("leaders", "specialists", "practice"),
    "enrollment": ("automatic", "invitation", "voluntary"),
    "format": ("lecture", "participatory"),
    "goal": ("vague", "clear"),
    "facilitation": ("none", "professional"),
    "evaluation": ("none", "careful", "rough"),
    "pressure": ("normal", "high"),
}

#: The municipality of the page: big enough that each specialty has a few specialists.
DEFAULT_EMPLOYEES = 600

_PARTICIPATION = {"lecture": 0.1, "participatory": 0.9}
_CLARITY = {"vague": 0.2, "clear": 0.9}
#: The sponsor's measurement error (``evaluation.measurement_noise``; it grows fivefold as
#: the goal blurs): careful is a tenth of a log unit, rough half of one.
_NOISE = {"careful": 0.1, "rough": 0.5}
#: goal_driven's competence networks: one per specialty.
_SPECIALTIES = ("project_management", "lean", "documentation", "digitalisation")
#: Levels of knowledge in the animation: one character each, 0 (none gained) to 63.
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"
#: Weeks between two frames of the knowledge animation (keeps the page small).
_FRAME_WEEKS = 2


def _networks(purpose: str) -> dict[str, dict[str, Any]]:
    """What the network is for and who it is for, with its schedule.

    ``leaders`` is auto_enrollment's leader network (every four weeks, three hours plus an
    hour of travel and one of preparation); ``specialists`` and ``practice`` are goal_driven's
    competence networks (one per specialty) and its cross-department practice sharing, on
    goal_driven's schedules. The controls then set how each is run.
    """
    if purpose == "leaders":
        return {
            "leader_network": {
                "purpose": "leader_forum",
                "select": {"roles": ["leader"]},
                "interval_weeks": 4,
                "duration_hours": 3.0,
                "travel_hours": 1.0,
                "prep_hours": 1.0,
                "followup_hours": 3.0,
                "organiser_role": "leader",
                "quorum": 3,
            }
        }
    if purpose == "specialists":
        return {
            name: {
                "purpose": "competence",
                "select": {"roles": ["specialist"], "specialties": [name]},
                "facilitator_dkk": 4000,
                "interval_weeks": 6,
                "quorum": 2,
            }
            for name in _SPECIALTIES
        }
    if purpose == "practice":
        return {
            "practice_sharing": {
                "purpose": "knowledge_sharing",
                "select": {"roles": ["employee", "specialist"], "sample": 60},
                "facilitator_dkk": 6000,
                "interval_weeks": 8,
            }
        }
    raise ValueError(f"purpose: must be one of {', '.join(CONTROLS['purpose'])} (got {purpose!r})")


def teach_scenario(
    purpose: str = "leaders",
    enrollment: str = "automatic",
    format: str = "lecture",
    goal: str = "vague",
    facilitation: str = "none",
    evaluation: str = "none",
    pressure: str = "normal",
    *,
    employees: int = DEFAULT_EMPLOYEES,
    years: float = 2.0,
) -> Scenario:
    """One cell of the grid: a network in a small municipality, designed as the controls say.

    The defaults are the blind design: a network for all leaders, everybody enrolled, lecture
    format, a vague goal, no facilitator, no evaluation, normal time pressure.

    Examples
    --------
    >>> sc = teach_scenario("practice", "voluntary", "participatory", "clear", evaluation="rough")
    >>> net = sc.networks["practice_sharing"]
    >>> net.enrollment, net.participation, net.goal_clarity, sc.evaluation.measurement_noise
    ('voluntary', 0.9, 0.9, 0.5)
    """
    busy = pressure == "high"
    networks = _networks(purpose)
    for net in networks.values():
        net.update(
            enrollment=enrollment,
            goal_clarity=_CLARITY[goal],
            participation=_PARTICIPATION[format],
            facilitation=facilitation,
        )
    data: dict[str, Any] = {
        "name": "-".join((purpose, enrollment, format, goal, facilitation, evaluation, pressure)),
        "simulation": {"years": years},
        "organisation": {"employees": employees, "departments": 4},
        "time_pressure": {
            "mean_by_role": {
                "executive": 0.75 if busy else 0.62,
                "head": 0.75 if busy else 0.62,
                "leader": 0.74 if busy else 0.6,
                "specialist": 0.55 if busy else 0.45,
                "employee": 0.55 if busy else 0.45,
            },
            "busy_periods_per_year": 3.0 if busy else 1.5,
        },
        "networks": networks,
    }
    if evaluation != "none":
        data["evaluation"] = {"every_meetings": 4, "measurement_noise": _NOISE[evaluation]}
    return parse_scenario(data)


def grid_cells(
    settings: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, ...]]:
    """Every combination of ``settings`` (by default all of :data:`CONTROLS`), in order.

    ``settings`` may narrow a control to some of its settings; a control it leaves out
    keeps only its first (blind) setting.

    Examples
    --------
    >>> len(grid_cells()), grid_cells({"purpose": ["practice"]})[0]
    (432, ('practice', 'automatic', 'lecture', 'vague', 'none', 'none', 'normal'))
    """
    if settings is None:
        settings = CONTROLS
    axes = []
    for name, allowed in CONTROLS.items():
        chosen = tuple(settings.get(name, allowed[:1]))
        unknown = [s for s in chosen if s not in allowed]
        if unknown or not chosen:
            raise ValueError(f"{name}: settings must be among {', '.join(allowed)}")
        axes.append(chosen)
    return list(itertools.product(*axes))


def iter_grid_runs(
    cells: Iterable[Sequence[str]] | None = None,
    *,
    seed: int = 3,
    years: float = 2.0,
    employees: int = DEFAULT_EMPLOYEES,
    workers: int | None = 1,
    kernels: str | None = None,
) -> Iterator[tuple[str, RunResult]]:
    """Run each cell, traced; yield ``(key, run)`` as they finish.

    Parameters
    ----------
    cells : iterable of sequences of str, optional
        Settings in the order of :data:`CONTROLS`; by default :func:`grid_cells`.
    seed : int
        The seed of every run (common random numbers: one organisation, the same busy days).
    years : float
        Horizon.
    employees : int
        Size of the municipality.
    workers : int or None
        Processes (one: here, in turn; ``None``: one per core). Results do not depend on it.
    kernels : {"numba", "numpy"}, optional

    Yields
    ------
    tuple of (str, RunResult)
        The cell's key (its settings joined by ``|``) and its traced run.
    """
    tasks = [
        Task(teach_scenario(*cell, employees=employees, years=years), seed, "|".join(cell))
        for cell in (cells if cells is not None else grid_cells())
    ]
    for outcome in run_replications(
        tasks, workers=workers, keep="result", trace=True, kernels=kernels
    ):
        yield outcome.tag, outcome.value


def grid_runs(
    cells: Iterable[Sequence[str]] | None = None,
    *,
    seed: int = 3,
    years: float = 2.0,
    employees: int = DEFAULT_EMPLOYEES,
    workers: int | None = 1,
    kernels: str | None = None,
) -> dict[str, RunResult]:
    """Every cell (by default :func:`grid_cells`), traced, keyed ``purpose|enrollment|...``.

    Takes the parameters of :func:`iter_grid_runs`, and keeps every run in memory, in the
    order of ``cells``; :func:`make_teach_page` streams them through :func:`teach_data`
    instead.

    Returns
    -------
    dict of str to RunResult
    """
    cells = list(cells if cells is not None else grid_cells())
    done = dict(
        iter_grid_runs(
            cells, seed=seed, years=years, employees=employees, workers=workers, kernels=kernels
        )
    )
    return {"|".join(cell): done["|".join(cell)] for cell in cells}


# ------------------------------------------------------------------ the embedded data


@dataclass
class _Graph:
    """Part of the organisation for one purpose: its target group and people tied to it."""

    nodes: np.ndarray  # employee ids, sorted
    target: np.ndarray  # (nodes,) bool: in the network's target group
    base: np.ndarray  # (nodes,) knowledge of the network's topics at the start
    data: dict[str, Any]  # what the page draws


def _target_group(run: RunResult, org: Org) -> np.ndarray:
    """Who the network is for (every group of every network of the cell), as the run drew it."""
    sc = run.scenario
    rng = Streams(run.seed).membership
    picked = [select_members(org, net.select, rng=rng) for net in sc.networks.values()]
    return np.unique(np.concatenate(picked)) if picked else np.empty(0, dtype=np.intp)


def _graph(run: RunResult, *, others: int, seed: int) -> _Graph:
    org = run.organisation()
    targets = _target_group(run, org)
    ties = org.ties.tocsr()
    near = np.zeros(org.n, dtype=bool)
    for i in targets:
        near[ties.indices[ties.indptr[i] : ties.indptr[i + 1]]] = True
    near[targets] = False
    pool = np.flatnonzero(near)
    if pool.size > others:
        pool = np.random.default_rng(seed).choice(pool, others, replace=False)
    nodes = np.sort(np.r_[targets, pool]).astype(np.intp)
    emp = run.employees.iloc[nodes].reset_index(drop=True)
    pos = layout_by_department(emp)
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    # One scale for both axes keeps the departments round; centred in the unit square.
    span = float(max((hi - lo).max(), 1e-9))
    pos = (pos - lo) / span + (1 - (hi - lo) / span) / 2
    sub = org.ties[nodes][:, nodes].tocoo()
    upper = sub.row < sub.col
    topics = sorted(
        {
            t
            for net in run.scenario.networks.values()
            for t in net.resolved_topics(run.scenario.organisation)
        }
    )
    base = org.knowledge[nodes][:, org.topic_index(topics)].mean(axis=1)
    target = np.isin(nodes, targets)
    data = {
        "target": int(targets.size),
        "nodes": [
            {
                "x": round(float(x), 4),
                "y": round(float(y), 4),
                "d": int(org.department[i]),
                "t": bool(t),
            }
            for i, (x, y), t in zip(nodes, pos, target, strict=True)
        ],
        "edges": [[int(a), int(b)] for a, b in zip(sub.row[upper], sub.col[upper], strict=True)],
        "departments": sorted({int(org.department[i]) for i in nodes}),
    }
    data["department_names"] = list(org.department_names)
    return _Graph(nodes=nodes, target=target, base=base, data=data)


def _animation(run: RunResult, graph: _Graph) -> tuple[dict[str, Any], np.ndarray]:
    """Who came to each meeting (positions among the graph's nodes), who was ever a member,
    and the knowledge gained by each node every :data:`_FRAME_WEEKS` weeks (raw, scaled
    later so that every cell of a purpose shares one colour scale)."""
    per_week = run.scenario.simulation.days_per_week
    position = {int(e): k for k, e in enumerate(graph.nodes)}
    meetings = []
    att = run.attendance
    assert att is not None and run.knowledge_by_employee is not None
    for day, part in att.groupby("day", sort=True):
        groups = []
        for _, grp in part.groupby("group", sort=True):
            came = grp.loc[grp["came"], "employee"].to_numpy()
            groups.append(
                {
                    "came": [position[int(e)] for e in came if int(e) in position],
                    "held": bool(grp["held"].iloc[0]),
                }
            )
        meetings.append({"week": int(cast(int, day)) // per_week, "groups": groups})
    members = sorted(
        position[int(e)]
        for e in run.employees.loc[run.employees["member"], "id"]
        if int(e) in position
    )
    gain = run.knowledge_by_employee[::_FRAME_WEEKS, graph.nodes] - graph.base[None, :]
    return {"meetings": meetings, "members": members}, np.maximum(gain, 0.0)


def _frames(gain: np.ndarray, scale: float) -> list[str]:
    levels = np.clip(np.rint(gain / scale * 63), 0, 63).astype(int)
    return ["".join(_ALPHABET[v] for v in row) for row in levels]


def teach_data(
    runs: Mapping[str, RunResult] | Iterable[tuple[str, RunResult]],
    *,
    lang: str = "en",
    others: int = 50,
    seed: int = 0,
) -> dict[str, Any]:
    """The JSON embedded in the page: the controls, one graph per purpose, one entry per cell.

    Parameters
    ----------
    runs : mapping or iterable of (key, RunResult)
        The grid (:func:`grid_runs`, or :func:`iter_grid_runs` to keep only one run in
        memory at a time); keys ``purpose|enrollment|format|goal|facilitation|evaluation|
        pressure``.
    lang : {"en", "da"}
        The language of every sentence and number.
    others : int
        People tied to the target group drawn into each purpose's graph.
    seed : int
        Seed of that draw.

    Returns
    -------
    dict
        ``controls`` (each control's settings present, in order), ``graphs`` (per purpose),
        ``runs`` (per cell: ``numbers``, ``shown``, ``verdict``, ``story``, ``attendance``,
        ``meetings``, ``members``, ``knowledge``), ``findings`` (what the grid shows, in
        sentences), ``weeks`` and ``frame_weeks``.
    """
    check_lang(lang)
    items = runs.items() if isinstance(runs, Mapping) else runs
    graphs: dict[str, _Graph] = {}
    cells: dict[str, dict[str, Any]] = {}
    gains: dict[str, np.ndarray] = {}
    weeks = 0
    for key, run in items:
        purpose = key.split("|")[0]
        if purpose not in graphs:
            graphs[purpose] = _graph(run, others=others, seed=seed)
        graph = graphs[purpose]
        cell = cell_numbers(run, target=int(graph.target.sum()), purpose=purpose, lang=lang)
        anim, gains[key] = _animation(run, graph)
        cells[key] = {**cell, **anim}
        weeks = max(weeks, run.scenario.horizon_days // run.scenario.simulation.days_per_week)
    for purpose, graph in graphs.items():
        graph.data["department_names"] = [
            term("teach_department", name, lang) for name in graph.data["department_names"]
        ]
        mine = [k for k in cells if k.startswith(purpose + "|")]
        scale = max(max((float(gains[k].max(initial=0.0)) for k in mine), default=0.0), 1e-6)
        graphs[purpose].data["knowledge_scale"] = round(scale, 4)
        for k in mine:
            cells[k]["knowledge"] = _frames(gains.pop(k), scale)
    keys = [k.split("|") for k in cells]
    controls = [
        [name, [s for s in settings if any(k[j] == s for k in keys)]]
        for j, (name, settings) in enumerate(CONTROLS.items())
    ]
    ordered = dict(sorted(cells.items(), key=lambda kv: _order(kv[0])))
    return {
        "version": __version__,
        "weeks": int(weeks),
        "frame_weeks": _FRAME_WEEKS,
        "controls": controls,
        "graphs": {p: g.data for p, g in graphs.items()},
        "runs": ordered,
        "findings": findings(ordered, lang, blind="|".join(s[0] for s in CONTROLS.values())),
    }


def _order(key: str) -> tuple[int, ...]:
    return tuple(CONTROLS[n].index(s) for n, s in zip(CONTROLS, key.split("|"), strict=True))


# ------------------------------------------------------------------ the page


def _controls(controls: list[list[Any]], lang: str) -> str:
    out = []
    for name, settings in controls:
        title = say(f"teach_control.{name}", lang)
        radios = []
        for k, value in enumerate(settings):
            checked = " checked" if k == 0 else ""
            radios.append(
                f'<label><input type="radio" name="{esc(name)}" value="{esc(value)}"{checked}>'
                f"<span>{esc(say(f'teach_setting.{name}.{value}', lang))}</span></label>"
            )
        out.append(
            f'<fieldset id="control-{esc(name)}"><legend>{esc(title)}</legend>'
            f"{''.join(radios)}</fieldset>"
        )
    return "\n".join(out)


def _json_for_script(data: Any) -> str:
    """JSON that cannot end the ``<script>`` element it sits in."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def build_teach_page(data: dict[str, Any], *, lang: str = "en") -> str:
    """The teaching page as one HTML document (:func:`teach_data` embedded).

    Parameters
    ----------
    data : dict
        :func:`teach_data`'s result, in the same language.
    lang : {"en", "da"}

    Returns
    -------
    str
        A complete HTML document that loads nothing from anywhere.
    """
    t = section("teach", check_lang(lang))
    assets = resources.files("netsim.show").joinpath("assets")
    script = assets.joinpath("teach.js").read_text(encoding="utf-8")
    style = assets.joinpath("teach.css").read_text(encoding="utf-8")
    words = t

    def bars(ident: str) -> str:
        return "".join(
            f'<div class="bar-row"><span>{esc(t[kind])}</span><div class="track">'
            f'<div class="fill {kind}" id="{ident}-{kind}"></div></div>'
            f'<span class="num" id="{ident}-{kind}-num"></span></div>'
            for kind in ("spent", "saved")
        )

    findings_html = "".join(f"<li>{esc(s)}</li>" for s in data["findings"])
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="netsim {esc(__version__)}">
<title>{esc(t["title"])}</title>
<style>{CSS}{style}</style>
</head>
<body>
<main>
<h1>{esc(t["title"])}</h1>
<p class="lede">{esc(t["intro"])}</p>
<form class="controls" id="controls">
{_controls(data["controls"], lang)}
</form>
<section id="outcome" aria-live="polite">
<p class="verdict" id="verdict"></p>
<div class="cards">
<div class="card" id="card-member"><h3 id="member-title"></h3>
<p class="unit">{esc(t["hours_a_year"])}</p>{bars("member")}<p class="note" id="member-note"></p>
</div>
<div class="card" id="card-org"><h3>{esc(t["organisation"])}</h3>
<p class="unit">{esc(t["hours_a_year"])}</p>{bars("org")}<p class="note" id="org-note"></p>
</div>
<div class="card" id="card-coming"><h3>{esc(t["coming"])}</h3><p class="big" id="coming"></p>
<p class="note" id="coming-note"></p></div>
</div>
<div class="story" id="story"></div>
</section>
<section class="panel"><h2>{esc(t["attendance"])}</h2><p>{esc(t["attendance_note"])}</p>
<svg id="attendance-chart" class="chart" role="img" aria-label="{esc(t["attendance"])}"></svg>
<ul class="key"><li><span class="swatch this"></span>{esc(t["this_design"])}</li>
<li><span class="swatch blind"></span>{esc(t["blind"])}</li></ul>
</section>
<section class="panel"><h2>{esc(t["graph"])}</h2><p>{esc(t["graph_note"])}</p>
<div class="player"><button type="button" id="play">{esc(t["play"])}</button>
<input type="range" id="week" min="0" max="{int(data["weeks"]) - 1}" value="0"
 aria-label="{esc(t["week"])}">
<span id="week-label"></span></div>
<svg id="graph" viewBox="0 0 880 520" role="img" aria-label="{esc(t["graph"])}"></svg>
<ul class="key" id="graph-key"><li><span class="dot"></span>{esc(t["legend_member"])}</li>
<li><span class="dot other"></span>{esc(t["legend_other"])}</li>
<li><span class="dot came"></span>{esc(t["legend_came"])}</li>
<li><span class="swatch knowledge"></span>{esc(t["legend_knowledge"])}</li></ul>
<ul class="key" id="department-key"></ul>
</section>
<section class="panel findings"><h2>{esc(t["findings"])}</h2><ul>{findings_html}</ul>
<p class="note">{esc(t["findings_note"])}</p></section>
<footer>{esc(say("teach.footer", lang, version=__version__))}</footer>
</main>
<script type="application/json" id="teach-data">{_json_for_script(data)}</script>
<script type="application/json" id="teach-words">{_json_for_script(words)}</script>
<script>{script}</script>
</body>
</html>
"""


def make_teach_page(
    *,
    lang: str = "en",
    seed: int = 3,
    years: float = 2.0,
    employees: int = DEFAULT_EMPLOYEES,
    workers: int | None = 1,
    kernels: str | None = None,
) -> str:
    """Run the grid and build the page (what ``netsim teach`` does).

    Takes the parameters of :func:`iter_grid_runs` and the page's language. Each run is
    reduced to what the page shows as soon as it finishes, so memory holds one run at a time
    however large the grid.

    Returns
    -------
    str
        The page (:func:`build_teach_page`).
    """
    check_lang(lang)
    runs = iter_grid_runs(
        seed=seed, years=years, employees=employees, workers=workers, kernels=kernels
    )
    return build_teach_page(teach_data(runs, lang=lang), lang=lang)
