"""The report a planner can e-mail: one self-contained HTML file.

``netsim report A.toml B.toml`` runs replication *r* of every scenario with seed ``S + r``
(common random numbers, as ``netsim compare``), and writes one HTML file holding the
headline in plain words, the paired comparison with 95 % confidence intervals (its tables
from :mod:`netsim.show.tables`, each with a CSV download in a ``data:`` URL; its figure, one
panel per unit, from :mod:`netsim.show.differences`), the other figures (inline SVG, the
organisation's graph as an inline PNG), the scenario parameters and the provenance. It
loads nothing from anywhere: no scripts, fonts or images from the network, so it opens
offline and survives being forwarded. Texts are in English or Danish, from the catalogue
of :mod:`netsim.show.texts`, numbers in the language's formats (:mod:`netsim.show.page`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from netsim._version import __version__
from netsim.errors import NetsimError
from netsim.scenario.load import scenario_to_toml
from netsim.scenario.schema import Scenario
from netsim.show import differences, figures, plots
from netsim.show.page import CSS, date_time, esc, money, number, percent, share_in_ten, working_time
from netsim.show.tables import (
    ceiling_table,
    comparison_table,
    department_name,
    download_link,
    format_diff,
    format_value,
    network_table,
)
from netsim.show.texts import check_lang, say
from netsim.sim.ceiling import ceilings
from netsim.sim.result import RunResult, provenance
from netsim.study.analysis import comparison_frame
from netsim.study.analysis import to_float as _num
from netsim.study.experiment import HEADLINE, NUMERIC

__all__ = ["TABLE_METRICS", "build_report", "headline", "report_figures"]

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

#: Page rules of the report beyond the shared stylesheet: tables scroll in their own box.
_CSS = """
.scroll { overflow-x: auto; max-width: 100%; margin: 0.5rem 0 0.25rem; }
.scroll table { margin: 0; }
table.compact { font-size: 0.85rem; }
table.compact th, table.compact td { padding: 0.25rem 0.3rem; }
p.download { margin: 0.25rem 0 1rem; font-size: 0.9rem; }
"""


# ------------------------------------------------------------------ words


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
                    mb=format_value(metric, row["mean"], lang),
                    ma=format_value(metric, part.loc[names[0], "mean"], lang),
                    d=format_diff(metric, row["diff"], lang),
                    lo=format_diff(metric, row["ci_low"], lang, unit=False),
                    hi=format_diff(metric, row["ci_high"], lang, unit=False),
                    verdict=say("report.clear", lang) if clear else say("report.chance", lang),
                )
            )
        if lines:
            out.append((say("report.against", lang, a=names[0], b=other), lines))
    return out


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------ HTML


def report_figures(
    runs: Sequence[Sequence[RunResult]], table: pd.DataFrame, lang: str = "en"
) -> list[tuple[Axes | Figure, str]]:
    """The report's figures with their captions, in the order the report shows them.

    Parameters
    ----------
    runs : sequence of sequence of RunResult
        Per scenario its replications, the reference first (as :func:`build_report`).
    table : pandas.DataFrame
        Their :func:`netsim.study.analysis.comparison_frame`.
    lang : {"en", "da"}

    Returns
    -------
    list of (Axes or Figure, str)
        The figures (drawn, not yet written) and their captions; the organisation's graph,
        last, is the one the report shows as a PNG.
    """
    out: list[tuple[Axes | Figure, str]] = []
    names = [r[0].scenario.name for r in runs]
    flat = [run for reps in runs for run in reps]
    if len(runs) > 1:
        panels = differences.difference_panels(table)
        if not panels.empty:
            fig = differences.plot_differences(panels, lang=lang)
            out.append((fig, say("report.fig_comparison", lang, a=names[0])))
    for reps in runs:
        att = figures.attendance_bands(reps)
        if not att.empty:
            ax = plots.plot_attendance(att.drop(columns="scenario"), lang=lang)
            out.append((ax, say("report.fig_attendance", lang, name=reps[0].scenario.name)))
    ledger = figures.cost_ledger(flat)
    if not ledger.empty:
        out.append((plots.plot_cost_ledger(ledger, lang=lang), say("report.fig_ledger", lang)))
    values = figures.value_accounts(flat)
    if not values.empty:
        ax = plots.plot_value_accounts(values, lang=lang)
        out.append((ax, say("report.fig_values", lang)))
    for reps in runs:
        know = figures.knowledge_series(reps)
        if reps[0].scenario.networks and (know["topics"] == "sponsored").any():
            ax = plots.plot_knowledge(
                know.drop(columns="scenario"), topics=["sponsored"], lang=lang
            )
            out.append((ax, say("report.fig_knowledge", lang, name=reps[0].scenario.name)))
    for reps in runs:
        sc = reps[0].scenario
        if sc.networks:
            graph = figures.graph_data(reps[0], max_nodes=800)
            depts = [department_name(sc, d, lang) for d in graph.nodes["department"]]
            nodes = graph.nodes.assign(department=depts)
            graph = plots.GraphData(nodes=nodes, edges=graph.edges, bridging=graph.bridging)
            ax = plots.plot_graph(graph, ax=plots.new_axes((6.5, 6.5)), lang=lang)
            out.append((ax, say("report.fig_graph", lang, name=sc.name)))
    return out


def _figure_section(runs: list[list[RunResult]], table: pd.DataFrame, lang: str) -> str:
    parts = []
    drawn = report_figures(runs, table, lang)
    graphs = sum(1 for reps in runs if reps[0].scenario.networks)
    for n, (fig, caption) in enumerate(drawn, start=1):
        if n > len(drawn) - graphs:
            data = figures.png_base64(fig, dpi=90)
            body = f'<img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
        else:
            # Each SVG its own id salt, so that ids never clash on the page.
            body = figures.svg_text(fig, salt=f"netsim-fig{n}")
        parts.append(
            f'<figure id="figure-{n}">{body}<figcaption>{n}. {esc(caption)}</figcaption></figure>'
        )
    return "\n".join(parts)


def _parameters(scenarios: Sequence[Scenario], lang: str) -> str:
    out = []
    for k, sc in enumerate(scenarios, start=1):
        org = sc.organisation
        out.append(f"<h3>{esc(sc.name)}</h3>")
        if sc.description:
            out.append(f"<p>{esc(sc.description)}</p>")
        words = say(
            "report.organisation",
            lang,
            employees=number(org.employees, lang),
            departments=org.departments,
            unit=org.unit_size,
            years=number(sc.simulation.years, lang, digits=1),
        )
        out.append(f"<p>{esc(words)}</p>")
        if not sc.networks:
            out.append(f"<p>{esc(say('report.networks_none', lang))}</p>")
        else:
            html, frame = network_table(sc, lang)
            out.append(html)
            out.append(download_link(frame, f"{say('report.file_networks', lang)}-{k}", lang))
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
    main_html, main_csv = comparison_table(table, TABLE_METRICS, lang)
    all_html, all_csv = comparison_table(table, others, lang)
    note = say("report.comparison_note", lang) if len(runs) > 1 else say("report.single_note", lang)
    at_most = [(sc.name, c) for sc in scenarios for c in ceilings(sc, seed)]
    ceiling_html, ceiling_csv = ceiling_table(at_most, lang)
    ceiling_section = (
        f"""<section id="ceiling">
<h2>{esc(say("report.ceiling", lang))}</h2>
<p>{esc(say("ceiling.caption", lang))}</p>
{ceiling_html}
{download_link(ceiling_csv, say("report.file_ceiling", lang), lang)}
</section>"""
        if at_most
        else ""
    )
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
<style>{CSS}{_CSS}</style>
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
{main_html}
{download_link(main_csv, say("report.file_comparison", lang), lang)}
<p class="note">{esc(note)}</p>
<details><summary>{esc(say("report.all_metrics", lang))}</summary>
{all_html}
{download_link(all_csv, say("report.file_all", lang), lang)}
</details>
</section>
{ceiling_section}
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
