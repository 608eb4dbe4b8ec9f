"""The report a planner can e-mail: one self-contained HTML file.

``netsim report A.toml B.toml`` runs replication *r* of every scenario with seed ``S + r``
(common random numbers, as ``netsim compare``), and writes one HTML file holding the
headline in plain words, the paired comparison with 95 % confidence intervals, the figures
(inline SVG, the organisation's graph as an inline PNG), the scenario parameters and the
provenance. It loads nothing from anywhere: no scripts, fonts or images from the network,
so it opens offline and survives being forwarded. Texts are in English or Danish, from
the catalogue of :mod:`netsim.show.texts`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from netsim._version import __version__
from netsim.errors import NetsimError
from netsim.scenario.load import scenario_to_toml
from netsim.scenario.schema import Scenario
from netsim.show import figures, plots
from netsim.show.page import (
    CSS,
    date_time,
    esc,
    money,
    number,
    percent,
    share_in_ten,
    significant,
    working_time,
)
from netsim.show.texts import check_lang, say, term
from netsim.sim.result import RunResult, provenance
from netsim.study.analysis import comparison_frame
from netsim.study.analysis import to_float as _num
from netsim.study.experiment import HEADLINE, NUMERIC

__all__ = ["TABLE_METRICS", "build_report", "headline"]

#: Metrics of the report's comparison table, in order (all others are in a fold-out).
TABLE_METRICS: tuple[str, ...] = (
    "total_hours_year",
    "cost_dkk_year",
    "hours_per_leader_year",
    "hours_per_member_year",
    "participant_hours_saved_year",
    "sponsor_hours_saved_year",
    "hours_saved_per_leader_year",
    "net_hours_year",
    "participant_return_per_hour",
    "sponsor_return_per_hour",
    "share_worth_it",
    "net_dkk_year",
    "attendance_first_quarter",
    "attendance_last_quarter",
    "attendance_decay",
    "knowledge_gain",
    "nonmember_knowledge_gain",
    "isolated_specialist_gain",
    "bridging_ties",
    "meetings_held",
    "meetings_cancelled",
)

#: Metrics said in words under the headline when scenarios are compared: the comparison's
#: headline but the per-leader hours, which the plain-words headline already says.
SAID_METRICS: tuple[str, ...] = tuple(
    n for n in HEADLINE if n not in ("hours_per_leader_year", "hours_saved_per_leader_year")
)

_SHARES = {
    "attendance_first_quarter",
    "attendance_last_quarter",
    "problem_time_share",
    "share_worth_it",
}
#: Hours a year for the organisation, and money: said in whole numbers.
_WHOLE = {
    "total_hours_year",
    "cost_dkk_year",
    "meetings_held",
    "meetings_cancelled",
    "participant_hours_saved_year",
    "sponsor_hours_saved_year",
    "nonmember_hours_saved_year",
    "net_hours_year",
    "participant_dkk_saved_year",
    "sponsor_dkk_saved_year",
    "net_dkk_year",
}


# ------------------------------------------------------------------ words


def _fmt(metric: str, x: float, lang: str) -> str:
    if metric in _SHARES:
        return percent(x, lang)
    if metric in _WHOLE:
        return number(x, lang)
    per_person = ("hours_per_leader_year", "hours_per_member_year", "hours_saved_per_leader_year")
    if metric in (*per_person, "bridging_ties"):
        return number(x, lang, digits=1)
    return significant(x, lang)


def headline(runs: Sequence[RunResult], lang: str = "en") -> list[str]:
    """Plain sentences about one scenario, from the means over its replications: what a
    member spends and saves in hours, and what the networks cost and save the organisation.

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> from netsim.sim.model import simulate
    >>> sc = parse_scenario({"name": "none", "organisation": {"employees": 100}})
    >>> headline([simulate(sc, seed=1, years=0.1)])
    ['none has no designed networks: it is the counterfactual the others are measured against.']
    """
    sc = runs[0].scenario
    name = sc.name
    if not sc.networks:
        return [say("report.no_networks", lang, name=name)]

    def mean(metric: str, per: str | None = None) -> float:
        x = np.array([_num(r.summary[metric]) for r in runs])
        if per is not None:
            d = np.array([_num(r.summary[per]) for r in runs])
            x = np.divide(x, d, out=np.full_like(x, math.nan), where=d > 0)
        return float(np.nanmean(x)) if np.isfinite(x).any() else math.nan

    per_leader = mean("hours_per_leader_year")
    if per_leader > 0:
        key, hours, saved = "per_leader", per_leader, mean("hours_saved_per_leader_year")
    else:
        hours = mean("hours_per_member_year")
        key, saved = "per_member", mean("participant_hours_saved_year", per="members")
    worth = mean("share_worth_it")
    if not math.isfinite(worth):
        key = "no_valuing"
    time = working_time(
        hours,
        lang,
        hours_per_day=sc.simulation.hours_per_day,
        days_per_week=sc.simulation.days_per_week,
    )
    out = [
        say(
            f"report.{key}",
            lang,
            name=name,
            hours=number(hours, lang),
            saved=number(saved, lang),
            time=time,
            valuing=share_in_ten(worth, lang) if math.isfinite(worth) else "",
        )
    ]
    a, b = mean("attendance_first_quarter"), mean("attendance_last_quarter")
    if math.isfinite(a) and math.isfinite(b):
        change = "holds" if abs(b - a) < 0.05 else ("falls" if b < a else "rises")
        out.append(say(f"report.attendance_{change}", lang, a=percent(a, lang), b=percent(b, lang)))
    total, dkk = number(mean("total_hours_year"), lang), money(mean("cost_dkk_year"), lang)
    ret = mean("sponsor_return_per_hour")
    if math.isfinite(ret):
        goal = number(mean("sponsor_hours_saved_year"), lang)
        back = number(ret, lang, digits=1)
        out.append(say("report.returns", lang, hours=total, dkk=dkk, saved=goal, ret=back))
    else:
        out.append(say("report.total", lang, hours=total, dkk=dkk))
    return out


def _said(table: pd.DataFrame, lang: str) -> list[tuple[str, list[str]]]:
    names = list(dict.fromkeys(table["scenario"]))
    out = []
    for other in names[1:]:
        lines = []
        for metric in SAID_METRICS:
            part = table[table["metric"] == metric].set_index("scenario")
            if part.empty or not math.isfinite(part.loc[other, "diff"]):
                continue
            row = part.loc[other]
            clear = row["ci_low"] > 0 or row["ci_high"] < 0
            lines.append(
                say(
                    "report.said",
                    lang,
                    label=_capital(say(f"metric.{metric}", lang)),
                    mb=_fmt(metric, row["mean"], lang),
                    ma=_fmt(metric, part.loc[names[0], "mean"], lang),
                    d=_diff(metric, row["diff"], lang),
                    lo=_diff(metric, row["ci_low"], lang, unit=False),
                    hi=_diff(metric, row["ci_high"], lang, unit=False),
                    verdict=say("report.clear", lang) if clear else say("report.chance", lang),
                )
            )
        if lines:
            out.append((say("report.against", lang, a=names[0], b=other), lines))
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _diff(metric: str, x: float, lang: str, *, unit: bool = True) -> str:
    if not math.isfinite(x):
        return "–"
    if metric in _SHARES:
        text = number(100 * x, lang)
        if unit:
            text = say("report.points", lang, n=text)
    else:
        text = _fmt(metric, x, lang)
    return text if text.startswith("-") or x == 0 else f"+{text}"


# ------------------------------------------------------------------ HTML


class _Figures:
    """Numbered figures; each SVG gets its own id salt so ids never clash on the page."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def svg(self, ax: Axes, caption: str) -> None:
        salt = f"netsim-fig{len(self.parts) + 1}"
        body = figures.svg_text(ax, salt=salt)
        self._add(body, caption)

    def png(self, ax: Axes, caption: str, alt: str) -> None:
        data = figures.png_base64(ax, dpi=90)
        self._add(f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">', caption)

    def _add(self, body: str, caption: str) -> None:
        n = len(self.parts) + 1
        self.parts.append(
            f'<figure id="figure-{n}">{body}<figcaption>{n}. {esc(caption)}</figcaption></figure>'
        )


def _figure_section(runs: list[list[RunResult]], table: pd.DataFrame, lang: str) -> str:
    figs = _Figures()
    names = [r[0].scenario.name for r in runs]
    flat = [run for reps in runs for run in reps]
    if len(runs) > 1:
        metrics = [m for m in TABLE_METRICS if m in set(table["metric"])]
        part = table[table["metric"].isin(metrics)]
        if np.isfinite(part["diff"]).any():
            ax = plots.new_axes((7.0, 5.0))
            labelled = part.assign(metric=[term("metric", m, lang) for m in part["metric"]])
            plots.plot_comparison(labelled, ax=ax, lang=lang)
            figs.svg(ax, say("report.fig_comparison", lang, a=names[0]))
    for reps in runs:
        att = figures.attendance_bands(reps)
        if not att.empty:
            ax = plots.plot_attendance(att.drop(columns="scenario"), lang=lang)
            figs.svg(ax, say("report.fig_attendance", lang, name=reps[0].scenario.name))
    ledger = figures.cost_ledger(flat)
    if not ledger.empty:
        figs.svg(plots.plot_cost_ledger(ledger, lang=lang), say("report.fig_ledger", lang))
    values = figures.value_accounts(flat)
    if not values.empty:
        figs.svg(plots.plot_value_accounts(values, lang=lang), say("report.fig_values", lang))
    for reps in runs:
        know = figures.knowledge_series(reps)
        if reps[0].scenario.networks and (know["topics"] == "sponsored").any():
            ax = plots.plot_knowledge(
                know.drop(columns="scenario"), topics=["sponsored"], lang=lang
            )
            figs.svg(ax, say("report.fig_knowledge", lang, name=reps[0].scenario.name))
    for reps in runs:
        if reps[0].scenario.networks:
            ax = plots.plot_graph(
                figures.graph_data(reps[0], max_nodes=800), ax=plots.new_axes((6.5, 6.5)), lang=lang
            )
            caption = say("report.fig_graph", lang, name=reps[0].scenario.name)
            figs.png(ax, caption, alt=caption)
    return "\n".join(figs.parts)


def _table(table: pd.DataFrame, metrics: Sequence[str], lang: str) -> str:
    names = list(dict.fromkeys(table["scenario"]))
    head = [f"<th>{esc(say('report.metric', lang))}</th>"]
    if len(names) == 1:
        head.append(f"<th>{esc(names[0])}<br>{esc(say('report.mean_ci', lang))}</th>")
    else:
        head += [f"<th>{esc(n)}</th>" for n in names]
        for other in names[1:]:
            head.append(f"<th>{esc(say('report.difference', lang, a=names[0], b=other))}</th>")
            head.append(f"<th>{esc(say('report.relative', lang))}</th>")
    body = []
    for metric in metrics:
        part = table[table["metric"] == metric]
        if part.empty:
            continue
        label = term("metric", metric, lang)
        cells = [f'<td title="{esc(metric)}">{esc(label)}</td>']
        if len(names) == 1:
            row = part.iloc[0]
            ci = f" [{_fmt(metric, row['ci_low'], lang)}, {_fmt(metric, row['ci_high'], lang)}]"
            cells.append(f"<td>{esc(_fmt(metric, row['mean'], lang) + ci)}</td>")
        else:
            cells += [f"<td>{esc(_fmt(metric, m, lang))}</td>" for m in part["mean"]]
            for _, row in part.iloc[1:].iterrows():
                if not math.isfinite(row["diff"]):
                    cells += ["<td>–</td>", "<td>–</td>"]
                    continue
                clear = row["ci_low"] > 0 or row["ci_high"] < 0
                text = (
                    f"{_diff(metric, row['diff'], lang, unit=False)} "
                    f"[{_diff(metric, row['ci_low'], lang, unit=False)}, "
                    f"{_diff(metric, row['ci_high'], lang, unit=False)}]"
                )
                if metric in _SHARES:
                    text = say("report.points_short", lang, text=text)
                cls = ' class="clear"' if clear else ""
                rel_text = _relative(row["rel_change"], row["mean"], part["mean"].iloc[0], lang)
                cells.append(f"<td{cls}>{esc(text)}</td>")
                cells.append(f"<td>{esc(rel_text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<table><thead><tr>"
        + "".join(head)
        + "</tr></thead><tbody>"
        + "\n".join(body)
        + "</tbody></table>"
    )


def _relative(rel: float, mean: float, ref: float, lang: str) -> str:
    """A relative change: '+53 %' or, beyond doubling, a factor such as '×24.8'."""
    if not math.isfinite(rel):
        return "–"
    if rel > 1 and ref > 0 and mean > 0:
        return f"×{significant(mean / ref, lang)}"
    return f"{'+' if rel > 0 else ''}{percent(rel, lang)}"


def _who(sel: Any, lang: str) -> str:
    parts = [*sel.roles, *sel.specialties, *sel.departments]
    if sel.ids:
        ids = f"{', '.join(map(str, sel.ids[:8]))}{'…' if len(sel.ids) > 8 else ''}"
        parts.append(say("report.who_ids", lang, ids=ids))
    if sel.isolated is not None:
        key = "report.who_isolated" if sel.isolated else "report.who_not_isolated"
        parts.append(say(key, lang))
    text = ", ".join(parts) if parts else say("report.everyone", lang)
    if sel.sample is not None:
        text += "; " + say("report.sample", lang, n=sel.sample)
    return text


def _parameters(scenarios: Sequence[Scenario], lang: str) -> str:
    out = []
    for sc in scenarios:
        org = sc.organisation
        out.append(f"<h3>{esc(sc.name)}</h3>")
        if sc.description:
            out.append(f"<p>{esc(sc.description)}</p>")
        out.append(
            "<p>"
            + esc(
                say(
                    "report.organisation",
                    lang,
                    employees=number(org.employees, lang),
                    departments=org.departments,
                    unit=org.unit_size,
                    years=number(sc.simulation.years, lang, digits=1),
                )
            )
            + "</p>"
        )
        if not sc.networks:
            out.append(f"<p>{esc(say('report.networks_none', lang))}</p>")
        else:
            cols = ["n_network", "n_purpose", "n_who", "n_enrollment", "n_goal"]
            cols += ["n_participation", "n_facilitation", "n_every", "n_hours", "n_groups"]
            rows = []
            for name, net in sc.networks.items():
                cells = [
                    name,
                    net.purpose,
                    _who(net.select, lang),
                    net.enrollment,
                    number(net.goal_clarity, lang, digits=1),
                    number(net.participation, lang, digits=1),
                    net.facilitation,
                    number(
                        net.interval_weeks, lang, digits=0 if net.interval_weeks % 1 == 0 else 1
                    ),
                    number(net.hours_per_attendee(), lang, digits=1),
                    str(net.max_size),
                ]
                rows.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
            out.append(
                "<table><thead><tr>"
                + "".join(f"<th>{esc(say(f'report.{c}', lang))}</th>" for c in cols)
                + "</tr></thead><tbody>"
                + "\n".join(rows)
                + "</tbody></table>"
            )
        out.append(
            f"<details><summary>{esc(say('report.full', lang))}</summary>"
            f"<pre>{esc(scenario_to_toml(sc))}</pre></details>"
        )
    return "\n".join(out)


def _provenance(seed: int, reps: int, command: Sequence[str] | None, lang: str) -> str:
    prov = provenance(seed=seed, command=list(command) if command is not None else None)
    versions = ", ".join(f"{k} {v}" for k, v in prov["versions"].items() if v)
    now = date_time(dt.datetime.now(dt.UTC).replace(microsecond=0), lang)
    items = [
        (say("report.generated", lang), now),
        ("netsim", __version__),
        (say("report.seeds", lang), f"{seed}–{seed + reps - 1}"),
        (say("report.command", lang), " ".join(prov["command"])),
        (say("report.python", lang), prov["python"]),
        (say("report.platform", lang), prov["platform"]),
        (say("report.versions", lang), versions),
    ]
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def build_report(
    runs: Sequence[Sequence[RunResult]],
    *,
    seed: int,
    lang: str = "en",
    command: Sequence[str] | None = None,
) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    runs : sequence of sequence of RunResult
        Per scenario (the first is the reference) its replications, replication ``r`` run
        with seed ``seed + r`` (:func:`netsim.study.runner.replicate`).
    seed : int
        Seed of the first replication.
    lang : {"en", "da"}
    command : sequence of str, optional
        The command line, for the provenance.

    Returns
    -------
    str
        A self-contained HTML document: no scripts, and nothing it loads from elsewhere.
    """
    check_lang(lang)
    if not runs or any(not r for r in runs):
        raise NetsimError("a report needs at least one replication of each scenario")
    lists: list[list[RunResult]] = [list(r) for r in runs]
    reps = min(len(r) for r in runs)
    scenarios = [r[0].scenario for r in runs]
    names = [sc.name for sc in scenarios]
    table = comparison_frame([[r.summary for r in reps] for reps in runs], names, reference_ci=True)
    years = scenarios[0].horizon_days / scenarios[0].simulation.days_per_year

    plain = []
    for r in runs:
        plain.append("<p>" + " ".join(esc(s) for s in headline(r, lang)) + "</p>")
    said = []
    for title, lines in _said(table, lang):
        items = "".join(f"<li>{esc(line)}</li>" for line in lines)
        said.append(f"<h3>{esc(title)}</h3><ul>{items}</ul>")
    others = [m for m in NUMERIC if m not in TABLE_METRICS]
    note = say("report.comparison_note", lang) if len(runs) > 1 else say("report.single_note", lang)
    lede = say(
        "report.lede",
        lang,
        names=" · ".join(names),
        reps=reps,
        s0=seed,
        s1=seed + reps - 1,
        years=number(years, lang, digits=1),
        version=__version__,
    )
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="netsim {esc(__version__)}">
<title>{esc(say("report.title", lang))}: {esc(" · ".join(names))}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>{esc(say("report.title", lang))}</h1>
<p class="lede">{esc(lede)}</p>
<section id="headline" class="headline">
<h2>{esc(say("report.plain", lang))}</h2>
{"".join(plain)}
</section>
{"".join(said)}
<section id="comparison">
<h2>{esc(say("report.comparison", lang))}</h2>
{_table(table, TABLE_METRICS, lang)}
<p class="note">{esc(note)}</p>
<details><summary>{esc(say("report.all_metrics", lang))}</summary>
{_table(table, others, lang)}
</details>
</section>
<section id="figures">
<h2>{esc(say("report.figures", lang))}</h2>
{_figure_section(lists, table, lang)}
</section>
<section id="parameters">
<h2>{esc(say("report.parameters", lang))}</h2>
{_parameters(scenarios, lang)}
</section>
<section id="provenance">
<h2>{esc(say("report.provenance", lang))}</h2>
{_provenance(seed, reps, command, lang)}
</section>
</main>
</body>
</html>
"""
