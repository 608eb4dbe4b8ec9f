"""The teaching page: a self-contained, offline, interactive page for a class.

``netsim teach`` runs a small grid of designs of one leader network in one small
municipality — enrollment (automatic, invitation, voluntary) × format (lecture,
participatory) × goal (vague, clear) × time pressure (normal, high) — and embeds the results
as JSON in one HTML page, with a little inline JavaScript that switches between them and
draws them as SVG: attendance over time, hours, both value accounts, and an animation of
part of the organisation's graph (who comes to each meeting, and knowledge spreading through
everyday ties). Nothing is computed in the browser and nothing is loaded from anywhere.

All runs share one organisation and one seed (common random numbers), so what changes
between two settings is the design, not luck.
"""

from __future__ import annotations

import itertools
import json
import math
from importlib import resources
from typing import Any, cast

import numpy as np

from netsim._version import __version__
from netsim.scenario.load import parse_scenario
from netsim.scenario.schema import Scenario
from netsim.show.figures import layout_by_department, organisation_of
from netsim.show.page import CSS, esc, money, number, percent, share_in_ten, working_time
from netsim.show.texts import check_lang, say, section
from netsim.sim.result import RunResult
from netsim.study.runner import Task, run_replications

__all__ = ["CONTROLS", "build_teach_page", "grid_runs", "teach_data", "teach_scenario"]

#: The controls and their settings; the first setting of each is the "blind" design.
CONTROLS: dict[str, tuple[str, ...]] = {
    "enrollment": ("automatic", "invitation", "voluntary"),
    "format": ("lecture", "participatory"),
    "goal": ("vague", "clear"),
    "pressure": ("normal", "high"),
}

_PARTICIPATION = {"lecture": 0.1, "participatory": 0.9}
_CLARITY = {"vague": 0.2, "clear": 0.9}
#: Levels of knowledge in the animation: one character each, 0 (none gained) to 63.
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"


def teach_scenario(
    enrollment: str,
    format: str,
    goal: str,
    pressure: str,
    *,
    employees: int = 400,
    years: float = 2.0,
) -> Scenario:
    """One cell of the grid: a leader network in a small municipality.

    Examples
    --------
    >>> sc = teach_scenario("voluntary", "participatory", "clear", "high")
    >>> net = sc.networks["leader_network"]
    >>> net.enrollment, net.participation, net.goal_clarity
    ('voluntary', 0.9, 0.9)
    """
    busy = pressure == "high"
    return parse_scenario(
        {
            "name": f"{enrollment}-{format}-{goal}-{pressure}",
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
            "networks": {
                "leader_network": {
                    "purpose": "leader_forum",
                    "select": {"roles": ["leader"]},
                    "enrollment": enrollment,
                    "goal_clarity": _CLARITY[goal],
                    "participation": _PARTICIPATION[format],
                    "interval_weeks": 4,
                    "duration_hours": 3.0,
                    "travel_hours": 1.0,
                    "prep_hours": 1.0,
                    "followup_hours": 3.0,
                    "organiser_role": "leader",
                    "quorum": 3,
                }
            },
        }
    )


def grid_runs(
    *, seed: int = 3, years: float = 2.0, workers: int | None = 1, kernels: str | None = None
) -> dict[str, RunResult]:
    """Every cell of the grid, traced, keyed ``enrollment|format|goal|pressure``.

    ``workers`` processes run the cells (one: here, in turn; ``None``: one per core).
    """
    cells = {
        "|".join(cell): teach_scenario(*cell, years=years)
        for cell in itertools.product(*CONTROLS.values())
    }
    tasks = [Task(sc, seed, key) for key, sc in cells.items()]
    runs = run_replications(tasks, workers=workers, keep="result", trace=True, kernels=kernels)
    done = {outcome.tag: outcome.value for outcome in runs}
    return {key: done[key] for key in cells}


# ------------------------------------------------------------------ the embedded data


def _subgraph(run: RunResult, *, others: int, seed: int) -> tuple[np.ndarray, Any]:
    """The target group plus a sample of the people tied to it (ids, sorted) and the org."""
    org = organisation_of(run)
    att = run.attendance
    assert att is not None
    targets = np.unique(att["employee"].to_numpy())
    ties = org.ties.tocsr()
    near = np.zeros(org.n, dtype=bool)
    for i in targets:
        near[ties.indices[ties.indptr[i] : ties.indptr[i + 1]]] = True
    near[targets] = False
    pool = np.flatnonzero(near)
    rng = np.random.default_rng(seed)
    if pool.size > others:
        pool = rng.choice(pool, others, replace=False)
    return np.sort(np.r_[targets, pool]), org


def _cell_data(
    run: RunResult, nodes: np.ndarray, base: np.ndarray, scale: float, lang: str
) -> dict[str, Any]:
    sc = run.scenario
    s = run.summary
    per_week = sc.simulation.days_per_week
    att = run.attendance
    assert att is not None and run.knowledge_by_employee is not None
    m = run.meetings
    by_day = m.groupby("day", sort=True)[["attended", "invited"]].sum()
    rate = (by_day["attended"] / by_day["invited"].where(by_day["invited"] > 0)).fillna(0.0)
    position = {int(e): k for k, e in enumerate(nodes)}
    meetings = []
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
    gain = run.knowledge_by_employee[:, nodes] - base[None, :]
    levels = np.clip(np.rint(gain / scale * 63), 0, 63).astype(int)
    frames = ["".join(_ALPHABET[v] for v in row) for row in levels]
    members = sorted(
        position[int(e)]
        for e in run.employees.loc[run.employees["member"], "id"]
        if int(e) in position
    )
    years = sc.horizon_days / sc.simulation.days_per_year
    return {
        "attendance": [
            [int(d) // per_week, round(float(r), 3)]
            for d, r in zip(rate.index.to_numpy(), rate.to_numpy(), strict=True)
        ],
        "meetings": meetings,
        "knowledge": frames,
        "members": members,
        "numbers": {
            "hours_per_member_year": _round(s["hours_per_member_year"]),
            "total_hours_year": _round(s["total_hours_year"]),
            "cost_dkk_year": _round(s["cost_dkk_year"]),
            # Both accounts in hours (MODEL.md "Value in hours"): a member's hours a year in
            # the network and what it saved them; the organisation's network hours and what
            # they saved everybody on the network's topics.
            "hours_saved_per_member_year": _round(_saved_per_member(s)),
            "sponsor_hours_saved_year": _round(s["sponsor_hours_saved_year"]),
            "share_worth_it": _round(s["share_worth_it"], 3),
            "participant_return_per_hour": _round(s["participant_return_per_hour"], 2),
            "sponsor_return_per_hour": _round(s["sponsor_return_per_hour"], 2),
            "members": int(s["members"]),
            "members_left": int(s["members_left"]),
            "years": years,
        },
        "story": _story(run, lang),
    }


def _saved_per_member(s: dict[str, Any]) -> float:
    members = int(s["members"])
    return float(s["participant_hours_saved_year"]) / members if members else math.nan


def _round(x: Any, digits: int = 1) -> float | None:
    x = float(x)
    return round(x, digits) if math.isfinite(x) else None


def _story(run: RunResult, lang: str) -> str:
    """Plain sentences about one cell: hours spent and saved, attendance, cost."""
    s, sim = run.summary, run.scenario.simulation
    hours = float(s["hours_per_member_year"])
    time = working_time(
        hours, lang, hours_per_day=sim.hours_per_day, days_per_week=sim.days_per_week
    )
    worth = float(s["share_worth_it"])
    first, last = float(s["attendance_first_quarter"]), float(s["attendance_last_quarter"])
    saved = number(_saved_per_member(s), lang)
    text = say("story.spends", lang, hours=number(hours, lang), time=time, saved=saved)
    if math.isfinite(worth):
        text += f"; {share_in_ten(worth, lang)}"
    text += "."
    if math.isfinite(first) and math.isfinite(last):
        a, b = percent(first, lang), percent(last, lang)
        text += " " + say("story.attendance", lang, a=a, b=b)
    cost = money(float(s["cost_dkk_year"]), lang)
    return text + " " + say("story.cost", lang, dkk=cost)


def teach_data(
    runs: dict[str, RunResult], *, lang: str = "en", others: int = 90, seed: int = 0
) -> dict[str, Any]:
    """The JSON embedded in the page: the shared graph and one entry per grid cell."""
    first = next(iter(runs.values()))
    nodes, org = _subgraph(first, others=others, seed=seed)
    emp = first.employees.iloc[nodes].reset_index(drop=True)
    pos = layout_by_department(emp)
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    # One scale for both axes keeps the departments round; centred in the unit square.
    span = float(max((hi - lo).max(), 1e-9))
    pos = (pos - lo) / span + (1 - (hi - lo) / span) / 2
    sub = org.ties[nodes][:, nodes].tocoo()
    upper = sub.row < sub.col
    topics = org.topic_index(
        first.scenario.networks["leader_network"].resolved_topics(first.scenario.organisation)
    )
    base = org.knowledge[nodes][:, topics].mean(axis=1)
    gains = [
        float(np.max(r.knowledge_by_employee[:, nodes] - base[None, :]))
        for r in runs.values()
        if r.knowledge_by_employee is not None
    ]
    scale = max(max(gains, default=0.0), 1e-6)
    target = (
        set(np.unique(first.attendance["employee"]).tolist())
        if first.attendance is not None
        else set()
    )
    weeks = first.scenario.horizon_days // first.scenario.simulation.days_per_week
    return {
        "version": __version__,
        "weeks": int(weeks),
        "working_week_hours": first.scenario.simulation.hours_per_day
        * first.scenario.simulation.days_per_week,
        "knowledge_scale": round(scale, 4),
        "nodes": [
            {
                "x": round(float(x), 4),
                "y": round(float(y), 4),
                "d": int(org.department[i]),
                "t": bool(int(i) in target),
            }
            for i, (x, y) in zip(nodes, pos, strict=True)
        ],
        "departments": list(org.department_names),
        "edges": [[int(a), int(b)] for a, b in zip(sub.row[upper], sub.col[upper], strict=True)],
        "runs": {key: _cell_data(run, nodes, base, scale, lang) for key, run in runs.items()},
    }


# ------------------------------------------------------------------ the page

_PAGE_CSS = """
.controls { display: flex; flex-wrap: wrap; gap: 0.75rem 1.5rem; background: var(--soft);
            padding: 0.75rem 1rem; border-radius: 6px; margin: 1rem 0; }
fieldset { border: none; margin: 0; padding: 0; }
legend { font-weight: 600; font-size: 0.9rem; padding: 0; margin-bottom: 0.2rem; }
fieldset label { display: inline-flex; align-items: center; gap: 0.25rem; margin-right: 0.6rem;
                 cursor: pointer; }
.story { font-size: 1.1rem; background: var(--soft); border-left: 4px solid var(--accent);
         padding: 0.6rem 1rem; min-height: 3.2rem; }
.panels { display: grid; grid-template-columns: 2fr 1fr; gap: 1rem 1.5rem; }
.panel h2 { font-size: 1.1rem; margin: 1rem 0 0.25rem; }
.panel p { color: var(--muted); font-size: 0.85rem; margin: 0.1rem 0 0.4rem; }
.panel svg { width: 100%; height: auto; display: block; }
.wide { grid-column: 1 / -1; }
.player { display: flex; align-items: center; gap: 0.75rem; }
.player input[type=range] { flex: 1; }
button { font: inherit; padding: 0.25rem 0.9rem; border-radius: 4px; border: 1px solid var(--line);
         background: white; cursor: pointer; }
footer { color: var(--muted); font-size: 0.8rem; margin-top: 2rem; }
@media (max-width: 700px) { .panels { grid-template-columns: 1fr; } }
"""


def _controls(lang: str) -> str:
    out = []
    for name, settings in CONTROLS.items():
        title = say(f"teach_control.{name}", lang)
        radios = []
        for k, value in enumerate(settings):
            checked = " checked" if k == 0 else ""
            radios.append(
                f'<label><input type="radio" name="{name}" value="{value}"{checked}>'
                f"{esc(say(f'teach_setting.{name}.{value}', lang))}</label>"
            )
        out.append(
            f'<fieldset id="control-{name}"><legend>{esc(title)}</legend>'
            f"{''.join(radios)}</fieldset>"
        )
    return "\n".join(out)


def _json_for_script(data: Any) -> str:
    """JSON that cannot end the ``<script>`` element it sits in."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def build_teach_page(data: dict[str, Any], *, lang: str = "en") -> str:
    """The teaching page as one HTML document (:func:`teach_data` embedded)."""
    t = section("teach", check_lang(lang))
    script = resources.files("netsim.show").joinpath("assets/teach.js").read_text(encoding="utf-8")
    # The script's own words (button labels, legends) travel with the page as JSON.
    words = t
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="netsim {esc(__version__)}">
<title>{esc(t["title"])}</title>
<style>{CSS}{_PAGE_CSS}</style>
</head>
<body>
<main>
<h1>{esc(t["title"])}</h1>
<p class="lede">{esc(t["intro"])}</p>
<form class="controls" id="controls">
{_controls(lang)}
</form>
<p class="story" id="story" aria-live="polite"></p>
<div class="panels">
<section class="panel"><h2>{esc(t["attendance"])}</h2><p>{esc(t["attendance_note"])}</p>
<svg id="attendance-chart" viewBox="0 0 600 260" role="img"
 aria-label="{esc(t["attendance"])}"></svg></section>
<section class="panel"><h2>{esc(t["hours"])}</h2><p>{esc(t["hours_note"])}</p>
<svg id="hours-chart" viewBox="0 0 260 260" role="img"
 aria-label="{esc(t["hours"])}"></svg></section>
<section class="panel wide"><h2>{esc(t["values"])}</h2><p>{esc(t["values_note"])}</p>
<svg id="values-chart" viewBox="0 0 880 220" role="img"
 aria-label="{esc(t["values"])}"></svg></section>
<section class="panel wide"><h2>{esc(t["graph"])}</h2><p>{esc(t["graph_note"])}</p>
<div class="player"><button type="button" id="play">{esc(t["play"])}</button>
<input type="range" id="week" min="0" max="{int(data["weeks"]) - 1}" value="0"
 aria-label="{esc(t["week"])}">
<span id="week-label"></span></div>
<svg id="graph" viewBox="0 0 880 560" role="img" aria-label="{esc(t["graph"])}"></svg></section>
</div>
<footer>{esc(say("teach.footer", lang, version=__version__))}</footer>
</main>
<script type="application/json" id="teach-data">{_json_for_script(data)}</script>
<script type="application/json" id="teach-words">{_json_for_script(words)}</script>
<script>{script}</script>
</body>
</html>
"""


def make_teach_page(
    *, lang: str = "en", seed: int = 3, years: float = 2.0, kernels: str | None = None
) -> str:
    """Run the grid and build the page (what ``netsim teach`` does)."""
    runs = grid_runs(seed=seed, years=years, kernels=kernels)
    return build_teach_page(teach_data(runs, lang=lang), lang=lang)
