"""The report a planner can e-mail: one self-contained HTML file.

``netsim report A.toml B.toml`` runs replication *r* of every scenario with seed ``S + r``
(common random numbers, as ``netsim compare``), and writes one HTML file holding the
headline in plain words, the paired comparison with 95 % confidence intervals, the figures
(inline SVG, the organisation's graph as an inline PNG), the scenario parameters and the
provenance. It loads nothing from anywhere: no scripts, fonts or images from the network,
so it opens offline and survives being forwarded. Texts are in English or Danish.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
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
    esc,
    money,
    number,
    percent,
    share_in_ten,
    significant,
    working_time,
)
from netsim.sim.result import RunResult, provenance
from netsim.study.experiment import NUMERIC, paired_ci

__all__ = ["TABLE_METRICS", "build_report", "comparison", "headline", "run_replications"]

#: Metrics of the report's comparison table, in order (all others are in a fold-out).
TABLE_METRICS: tuple[str, ...] = (
    "total_hours_year",
    "cost_dkk_year",
    "hours_per_leader_year",
    "hours_per_member_year",
    "attendance_first_quarter",
    "attendance_last_quarter",
    "attendance_decay",
    "share_valuing",
    "participant_value_per_hour",
    "sponsor_value_per_hour",
    "knowledge_gain",
    "nonmember_knowledge_gain",
    "isolated_specialist_gain",
    "bridging_ties",
    "meetings_held",
    "meetings_cancelled",
)

#: Metrics said in words under the headline when scenarios are compared.
SAID_METRICS: tuple[str, ...] = (
    "total_hours_year",
    "share_valuing",
    "participant_value_per_hour",
    "sponsor_value_per_hour",
    "attendance_decay",
)

_SHARES = {
    "attendance_first_quarter",
    "attendance_last_quarter",
    "share_valuing",
}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "total_hours_year": "network hours a year, in all",
        "cost_dkk_year": "cost a year (DKK)",
        "hours_per_leader_year": "hours a year per leader who is a member",
        "hours_per_member_year": "hours a year per member",
        "attendance_first_quarter": "attendance, first quarter",
        "attendance_last_quarter": "attendance, last quarter",
        "attendance_decay": "attendance kept (last ÷ first quarter)",
        "share_valuing": "share of members who find it worth it",
        "participant_value_per_hour": "participants' value per hour",
        "sponsor_value_per_hour": "sponsor's value per hour",
        "knowledge_gain": "knowledge gain on the networks' topics (everyone)",
        "nonmember_knowledge_gain": "knowledge gain of non-members",
        "isolated_specialist_gain": "isolated specialists' gain in their specialty",
        "bridging_ties": "new ties across departments",
        "meetings_held": "meetings held",
        "meetings_cancelled": "meetings cancelled",
    },
    "da": {
        "total_hours_year": "netværkstimer om året i alt",
        "cost_dkk_year": "udgift om året (kr.)",
        "hours_per_leader_year": "timer om året pr. leder, der er med",
        "hours_per_member_year": "timer om året pr. deltager",
        "attendance_first_quarter": "fremmøde, første kvartal",
        "attendance_last_quarter": "fremmøde, sidste kvartal",
        "attendance_decay": "fremmøde bevaret (sidste ÷ første kvartal)",
        "share_valuing": "andel af deltagerne, der synes, det er det værd",
        "participant_value_per_hour": "deltagernes værdi pr. time",
        "sponsor_value_per_hour": "organisationens værdi pr. time",
        "knowledge_gain": "vidensløft på netværkenes emner (alle)",
        "nonmember_knowledge_gain": "vidensløft hos ikke-deltagere",
        "isolated_specialist_gain": "isolerede specialisters løft i eget fag",
        "bridging_ties": "nye bånd på tværs af afdelinger",
        "meetings_held": "møder holdt",
        "meetings_cancelled": "møder aflyst",
    },
}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Designed networks: what they cost and what they give",
        "lede": "{names} · {reps} simulated replications per scenario (seeds {s0}–{s1}) · "
        "{years} years · netsim {version}",
        "plain": "In plain words",
        "no_networks": "{name} has no designed networks: it is the counterfactual the others "
        "are measured against.",
        "per_leader": "In {name}, each leader spends {hours} hours a year — {time} — in these "
        "networks; {valuing}.",
        "per_member": "In {name}, each member spends {hours} hours a year — {time} — in these "
        "networks; {valuing}.",
        "no_valuing": "In {name}, each member spends {hours} hours a year — {time} — in these "
        "networks.",
        "attendance_falls": "Attendance falls from {a} in the first quarter to {b} in the last.",
        "attendance_rises": "Attendance rises from {a} in the first quarter to {b} in the last.",
        "attendance_holds": "Attendance holds: {a} in the first quarter, {b} in the last.",
        "total": "In all, the networks take {hours} hours and {dkk} a year.",
        "against": "{b} against {a}",
        "said": "{label}: {mb} against {ma}, a difference of {d} (95 % CI {lo} to {hi}) — "
        "{verdict}.",
        "clear": "a clear difference",
        "chance": "this could be chance",
        "comparison": "Paired comparison",
        "comparison_note": "Replication r of every scenario runs on the same organisation with the "
        "same days of time pressure (seed S + r), so the differences are paired. Brackets: 95 % "
        "confidence interval of the mean difference; bold where it excludes zero. Value is in "
        "the model's value units: compare designs, not value with money.",
        "single_note": "Means over the replications with their 95 % confidence intervals.",
        "metric": "measure",
        "difference": "{b} − {a} [95 % CI]",
        "relative": "change",
        "mean_ci": "mean [95 % CI]",
        "all_metrics": "Every measure of the run summary",
        "figures": "Figures",
        "fig_comparison": "Each dot is a paired difference relative to {a}, with its 95 % "
        "confidence interval; right of the line is more.",
        "fig_attendance": "{name}: share of the invited who came to each meeting, mean over the "
        "replications with a 95 % confidence band.",
        "fig_ledger": "Realised hours a year by role (bars) and their cost in DKK (labels). "
        "Organisers' follow-up is in no participant's hours.",
        "fig_values": "Each network at its cost a year: the participants' value (circle) and the "
        "sponsor's (triangle).",
        "fig_knowledge": "{name}: mean knowledge on the networks' topics of members (solid) and "
        "of everybody else (dashed), who can only learn it through everyday ties.",
        "fig_graph": "{name}, replication 1: the organisation by department; circled dots are "
        "network members, orange lines the ties across departments that the networks created.",
        "parameters": "Scenario parameters",
        "organisation": "{employees} employees in {departments} departments and a central "
        "administration; units of at most {unit} people; horizon {years} years.",
        "networks_none": "No designed networks.",
        "full": "The whole scenario, every default filled in (TOML)",
        "provenance": "Provenance",
        "generated": "generated",
        "command": "command",
        "seeds": "seeds",
        "versions": "versions",
        "python": "Python",
        "platform": "platform",
        "n_network": "network",
        "n_purpose": "purpose",
        "n_who": "who",
        "n_enrollment": "enrollment",
        "n_goal": "goal clarity",
        "n_participation": "participation",
        "n_facilitation": "facilitation",
        "n_every": "every (weeks)",
        "n_hours": "hours per meeting",
        "n_groups": "group size ≤",
        "everyone": "everyone",
        "sample": "{n} drawn at random",
    },
    "da": {
        "title": "Netværk efter design: hvad de koster, og hvad de giver",
        "lede": "{names} · {reps} simulerede gentagelser pr. scenarie (seeds {s0}–{s1}) · "
        "{years} år · netsim {version}",
        "plain": "Kort fortalt",
        "no_networks": "{name} har ingen netværk: det er sammenligningsgrundlaget, de andre "
        "måles imod.",
        "per_leader": "I {name} bruger hver leder {hours} timer om året — {time} — i disse "
        "netværk; {valuing}.",
        "per_member": "I {name} bruger hver deltager {hours} timer om året — {time} — i disse "
        "netværk; {valuing}.",
        "no_valuing": "I {name} bruger hver deltager {hours} timer om året — {time} — i disse "
        "netværk.",
        "attendance_falls": "Fremmødet falder fra {a} i første kvartal til {b} i sidste.",
        "attendance_rises": "Fremmødet stiger fra {a} i første kvartal til {b} i sidste.",
        "attendance_holds": "Fremmødet holder: {a} i første kvartal, {b} i sidste.",
        "total": "I alt bruger netværkene {hours} timer og {dkk} om året.",
        "against": "{b} mod {a}",
        "said": "{label}: {mb} mod {ma}, en forskel på {d} (95 %-konfidensinterval {lo} til "
        "{hi}) — {verdict}.",
        "clear": "en tydelig forskel",
        "chance": "det kan være tilfældigt",
        "comparison": "Parvis sammenligning",
        "comparison_note": "Gentagelse r af hvert scenarie kører på den samme organisation med de "
        "samme dage med travlhed (seed S + r), så forskellene er parrede. I klammer: 95 %-"
        "konfidensinterval for den gennemsnitlige forskel; fed, hvor det ikke rummer nul. Værdi "
        "er modellens værdienheder: sammenlign design, ikke værdi med kroner.",
        "single_note": "Gennemsnit over gentagelserne med 95 %-konfidensinterval.",
        "metric": "mål",
        "difference": "{b} − {a} [95 %-KI]",
        "relative": "ændring",
        "mean_ci": "gennemsnit [95 %-KI]",
        "all_metrics": "Alle mål i kørslens opsummering",
        "figures": "Figurer",
        "fig_comparison": "Hvert punkt er en parret forskel i forhold til {a} med 95 %-"
        "konfidensinterval; til højre for stregen er mere.",
        "fig_attendance": "{name}: andelen af de inviterede, der kom til hvert møde, "
        "gennemsnit over gentagelserne med 95 %-konfidensbånd.",
        "fig_ledger": "Forbrugte timer om året pr. rolle (søjler) og deres pris i kroner "
        "(tal). Arrangørens opfølgning tælles ikke med i deltagernes timer.",
        "fig_values": "Hvert netværk ved sin årlige udgift: deltagernes værdi (cirkel) og "
        "organisationens (trekant).",
        "fig_knowledge": "{name}: gennemsnitlig viden på netværkenes emner hos deltagerne "
        "(fuldt optrukket) og hos alle andre (stiplet), som kun kan lære det gennem "
        "hverdagens kontakter.",
        "fig_graph": "{name}, gentagelse 1: organisationen afdeling for afdeling; punkter med "
        "ring er netværksdeltagere, orange streger de bånd på tværs af afdelinger, som "
        "netværkene skabte.",
        "parameters": "Scenariernes parametre",
        "organisation": "{employees} medarbejdere i {departments} afdelinger og en central "
        "administration; enheder på højst {unit} personer; tidshorisont {years} år.",
        "networks_none": "Ingen netværk.",
        "full": "Hele scenariet med alle standardværdier udfyldt (TOML)",
        "provenance": "Oprindelse",
        "generated": "dannet",
        "command": "kommando",
        "seeds": "seeds",
        "versions": "versioner",
        "python": "Python",
        "platform": "platform",
        "n_network": "netværk",
        "n_purpose": "formål",
        "n_who": "hvem",
        "n_enrollment": "tilmelding",
        "n_goal": "klart mål",
        "n_participation": "deltagelse",
        "n_facilitation": "facilitering",
        "n_every": "hver (uger)",
        "n_hours": "timer pr. møde",
        "n_groups": "gruppestørrelse ≤",
        "everyone": "alle",
        "sample": "{n} udtrukket tilfældigt",
    },
}

#: Danish for the figures' own English texts (titles, axis labels, legends).
FIGURE_DA: dict[str, str] = {
    "Attendance per network": "Fremmøde pr. netværk",
    "week": "uge",
    "attendance (came / invited)": "fremmøde (kom / inviteret)",
    "The cost ledger: realised hours (and DKK) by role": "Regnskabet: forbrugte timer (og "
    "kroner) pr. rolle",
    "hours per year": "timer om året",
    "The double value account per network": "Det dobbelte værdiregnskab pr. netværk",
    "cost per year": "udgift om året",
    "value per year (value units)": "værdi om året (værdienheder)",
    "participants' account": "deltagernes regnskab",
    "sponsor's account": "organisationens regnskab",
    "Knowledge of members and of everybody else": "Viden hos deltagere og hos alle andre",
    "mean knowledge (0–1)": "gennemsnitlig viden (0–1)",
    "sponsored: members": "netværkenes emner: deltagere",
    "sponsored: everybody else": "netværkenes emner: alle andre",
    "The organisation: informal ties, network members, new bridging ties": "Organisationen: "
    "uformelle bånd, netværksdeltagere, nye bånd på tværs",
    "new tie across departments": "nyt bånd på tværs af afdelinger",
    "employee": "medarbejder",
    "network member": "netværksdeltager",
    "Paired differences": "Parrede forskelle",
    "executive": "direktion",
    "head": "fagchef",
    "leader": "leder",
    "specialist": "specialist",
    "organisers": "arrangører",
}


# ------------------------------------------------------------------ running


def _run(scenario: Scenario, seed: int) -> RunResult:
    from netsim.sim.model import simulate

    result = simulate(scenario, seed=seed)
    result.attendance = None
    return result


def run_replications(
    scenarios: Sequence[Scenario],
    *,
    reps: int,
    seed: int,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[RunResult]]:
    """Replication ``r`` of every scenario with seed ``seed + r``; runs per scenario."""
    jobs = [(i, r) for r in range(reps) for i in range(len(scenarios))]
    out: list[list[RunResult | None]] = [[None] * reps for _ in scenarios]
    own = executor is None and (workers is None or workers > 1)
    ex = ProcessPoolExecutor(max_workers=workers) if own else executor
    try:
        if ex is None:
            for done, (i, r) in enumerate(jobs, start=1):
                out[i][r] = _run(scenarios[i], seed + r)
                if progress is not None:
                    progress(done, len(jobs))
        else:
            futures = {ex.submit(_run, scenarios[i], seed + r): (i, r) for i, r in jobs}
            for done, fut in enumerate(_as_completed(futures), start=1):
                i, r = futures[fut]
                out[i][r] = fut.result()
                if progress is not None:
                    progress(done, len(jobs))
    finally:
        if own and ex is not None:
            ex.shutdown(cancel_futures=True)
    return [[run for run in runs if run is not None] for runs in out]


def _as_completed(futures: Any) -> Any:
    from concurrent.futures import as_completed

    return as_completed(futures)


def comparison(
    runs: Sequence[Sequence[RunResult]], metrics: Sequence[str] = NUMERIC
) -> pd.DataFrame:
    """The paired comparison of :func:`netsim.compare`, from runs already made.

    Returns
    -------
    pandas.DataFrame
        ``metric``, ``scenario``, ``mean``, ``diff``, ``ci_low``, ``ci_high``,
        ``rel_change``, ``n`` as :func:`netsim.compare`; for the first scenario, ``ci_low``
        and ``ci_high`` are the CI of its mean (``compare`` leaves them empty).
    """
    rows = []
    for metric in metrics:
        values = [np.array([_num(r.summary[metric]) for r in reps]) for reps in runs]
        ref = values[0]
        base = float(np.nanmean(ref)) if np.isfinite(ref).any() else math.nan
        for i, x in enumerate(values):
            mean = float(np.nanmean(x)) if np.isfinite(x).any() else math.nan
            row: dict[str, Any] = {"metric": metric, "scenario": runs[i][0].scenario.name}
            row["mean"] = mean
            if i == 0:
                _, lo, hi, n = paired_ci(x)
                row.update(diff=math.nan, ci_low=lo, ci_high=hi, rel_change=math.nan, n=n)
            else:
                d, lo, hi, n = paired_ci(x - ref)
                rel = d / abs(base) if base and math.isfinite(base) else math.nan
                row.update(diff=d, ci_low=lo, ci_high=hi, rel_change=rel, n=n)
            rows.append(row)
    return pd.DataFrame(rows)


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


# ------------------------------------------------------------------ words


def _fmt(metric: str, x: float, lang: str) -> str:
    if metric in _SHARES:
        return percent(x, lang)
    if metric in ("total_hours_year", "cost_dkk_year", "meetings_held", "meetings_cancelled"):
        return number(x, lang)
    if metric in ("hours_per_leader_year", "hours_per_member_year", "bridging_ties"):
        return number(x, lang, digits=1)
    return significant(x, lang)


def headline(runs: Sequence[RunResult], lang: str = "en") -> list[str]:
    """Plain sentences about one scenario, from the means over its replications.

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> from netsim.sim.model import simulate
    >>> sc = parse_scenario({"name": "none", "organisation": {"employees": 100}})
    >>> headline([simulate(sc, seed=1, years=0.1)])
    ['none has no designed networks: it is the counterfactual the others are measured against.']
    """
    t = TEXT[lang]
    sc = runs[0].scenario
    name = sc.name
    if not sc.networks:
        return [t["no_networks"].format(name=name)]

    def mean(metric: str) -> float:
        x = np.array([_num(r.summary[metric]) for r in runs])
        return float(np.nanmean(x)) if np.isfinite(x).any() else math.nan

    per_leader = mean("hours_per_leader_year")
    hours = per_leader if per_leader > 0 else mean("hours_per_member_year")
    key = "per_leader" if per_leader > 0 else "per_member"
    valuing = mean("share_valuing")
    if not math.isfinite(valuing):
        key = "no_valuing"
    time = working_time(
        hours,
        lang,
        hours_per_day=sc.simulation.hours_per_day,
        days_per_week=sc.simulation.days_per_week,
    )
    out = [
        t[key].format(
            name=name,
            hours=number(hours, lang),
            time=time,
            valuing=share_in_ten(valuing, lang) if math.isfinite(valuing) else "",
        )
    ]
    a, b = mean("attendance_first_quarter"), mean("attendance_last_quarter")
    if math.isfinite(a) and math.isfinite(b):
        change = "holds" if abs(b - a) < 0.05 else ("falls" if b < a else "rises")
        out.append(t[f"attendance_{change}"].format(a=percent(a, lang), b=percent(b, lang)))
    out.append(
        t["total"].format(
            hours=number(mean("total_hours_year"), lang), dkk=money(mean("cost_dkk_year"), lang)
        )
    )
    return out


def _said(table: pd.DataFrame, lang: str) -> list[tuple[str, list[str]]]:
    t = TEXT[lang]
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
                t["said"].format(
                    label=LABELS[lang][metric][:1].upper() + LABELS[lang][metric][1:],
                    mb=_fmt(metric, row["mean"], lang),
                    ma=_fmt(metric, part.loc[names[0], "mean"], lang),
                    d=_diff(metric, row["diff"], lang),
                    lo=_diff(metric, row["ci_low"], lang, unit=False),
                    hi=_diff(metric, row["ci_high"], lang, unit=False),
                    verdict=t["clear"] if clear else t["chance"],
                )
            )
        if lines:
            out.append((t["against"].format(a=names[0], b=other), lines))
    return out


def _diff(metric: str, x: float, lang: str, *, unit: bool = True) -> str:
    if not math.isfinite(x):
        return "–"
    if metric in _SHARES:
        text = number(100 * x, lang)
        if unit:
            text += " percentage points" if lang == "en" else " procentpoint"
    else:
        text = _fmt(metric, x, lang)
    return text if text.startswith("-") or x == 0 else f"+{text}"


# ------------------------------------------------------------------ HTML


def _translate(ax: Axes, lang: str) -> Axes:
    """The figure's own texts in the page's language."""
    if lang != "da":
        return ax

    def tr(text: str) -> str:
        return FIGURE_DA.get(text, text)

    ax.set_title(tr(ax.get_title()))
    ax.set_xlabel(tr(ax.get_xlabel()))
    ax.set_ylabel(tr(ax.get_ylabel()))
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_text(tr(text.get_text()))
    for label in ax.get_yticklabels():
        label.set_text(tr(label.get_text()))
    if ax.get_yticklabels() and any(tr(x.get_text()) != x.get_text() for x in ax.get_yticklabels()):
        ax.set_yticks(ax.get_yticks(), [tr(x.get_text()) for x in ax.get_yticklabels()])
    return ax


class _Figures:
    """Numbered figures; each SVG gets its own id salt so ids never clash on the page."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.parts: list[str] = []

    def svg(self, ax: Axes, caption: str) -> None:
        salt = f"netsim-fig{len(self.parts) + 1}"
        body = figures.svg_text(_translate(ax, self.lang), salt=salt)
        self._add(body, caption)

    def png(self, ax: Axes, caption: str, alt: str) -> None:
        data = figures.png_base64(_translate(ax, self.lang), dpi=90)
        self._add(f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">', caption)

    def _add(self, body: str, caption: str) -> None:
        n = len(self.parts) + 1
        self.parts.append(
            f'<figure id="figure-{n}">{body}<figcaption>{n}. {esc(caption)}</figcaption></figure>'
        )


def _figure_section(runs: list[list[RunResult]], table: pd.DataFrame, lang: str) -> str:
    t = TEXT[lang]
    figs = _Figures(lang)
    names = [r[0].scenario.name for r in runs]
    flat = [run for reps in runs for run in reps]
    if len(runs) > 1:
        metrics = [m for m in TABLE_METRICS if m in set(table["metric"])]
        part = table[table["metric"].isin(metrics)]
        if np.isfinite(part["diff"]).any():
            ax = plots.new_axes((7.0, 5.0))
            labelled = part.assign(metric=part["metric"].map(LABELS[lang]))
            plots.plot_comparison(labelled, ax=ax)
            figs.svg(ax, t["fig_comparison"].format(a=names[0]))
    for reps in runs:
        att = figures.attendance_bands(reps)
        if not att.empty:
            ax = plots.plot_attendance(att.drop(columns="scenario"))
            figs.svg(ax, t["fig_attendance"].format(name=reps[0].scenario.name))
    ledger = figures.cost_ledger(flat)
    if not ledger.empty:
        figs.svg(plots.plot_cost_ledger(ledger), t["fig_ledger"])
    values = figures.value_accounts(flat)
    if not values.empty:
        figs.svg(plots.plot_value_accounts(values), t["fig_values"])
    for reps in runs:
        know = figures.knowledge_series(reps)
        if reps[0].scenario.networks and (know["topics"] == "sponsored").any():
            ax = plots.plot_knowledge(know.drop(columns="scenario"), topics=["sponsored"])
            figs.svg(ax, t["fig_knowledge"].format(name=reps[0].scenario.name))
    for reps in runs:
        if reps[0].scenario.networks:
            ax = plots.plot_graph(
                figures.graph_data(reps[0], max_nodes=800), ax=plots.new_axes((6.5, 6.5))
            )
            caption = t["fig_graph"].format(name=reps[0].scenario.name)
            figs.png(ax, caption, alt=caption)
    return "\n".join(figs.parts)


def _table(table: pd.DataFrame, metrics: Sequence[str], lang: str) -> str:
    t = TEXT[lang]
    names = list(dict.fromkeys(table["scenario"]))
    head = [f"<th>{esc(t['metric'])}</th>"]
    if len(names) == 1:
        head.append(f"<th>{esc(names[0])}<br>{esc(t['mean_ci'])}</th>")
    else:
        head += [f"<th>{esc(n)}</th>" for n in names]
        for other in names[1:]:
            head.append(f"<th>{esc(t['difference'].format(a=names[0], b=other))}</th>")
            head.append(f"<th>{esc(t['relative'])}</th>")
    body = []
    for metric in metrics:
        part = table[table["metric"] == metric]
        if part.empty:
            continue
        label = LABELS[lang].get(metric, metric)
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
                    text += " pp" if lang == "en" else " procentpoint"
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
    t = TEXT[lang]
    parts = [*sel.roles, *sel.specialties, *sel.departments]
    if sel.ids:
        parts.append(f"ids {', '.join(map(str, sel.ids[:8]))}{'…' if len(sel.ids) > 8 else ''}")
    if sel.isolated is not None:
        parts.append("isolated" if sel.isolated else "not isolated")
    text = ", ".join(parts) if parts else t["everyone"]
    if sel.sample is not None:
        text += "; " + t["sample"].format(n=sel.sample)
    return text


def _parameters(scenarios: Sequence[Scenario], lang: str) -> str:
    t = TEXT[lang]
    out = []
    for sc in scenarios:
        org = sc.organisation
        out.append(f"<h3>{esc(sc.name)}</h3>")
        if sc.description:
            out.append(f"<p>{esc(sc.description)}</p>")
        out.append(
            "<p>"
            + esc(
                t["organisation"].format(
                    employees=number(org.employees, lang),
                    departments=org.departments,
                    unit=org.unit_size,
                    years=number(sc.simulation.years, lang, digits=1),
                )
            )
            + "</p>"
        )
        if not sc.networks:
            out.append(f"<p>{esc(t['networks_none'])}</p>")
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
                + "".join(f"<th>{esc(t[c])}</th>" for c in cols)
                + "</tr></thead><tbody>"
                + "\n".join(rows)
                + "</tbody></table>"
            )
        out.append(
            f"<details><summary>{esc(t['full'])}</summary>"
            f"<pre>{esc(scenario_to_toml(sc))}</pre></details>"
        )
    return "\n".join(out)


def _provenance(seed: int, reps: int, command: Sequence[str] | None, lang: str) -> str:
    t = TEXT[lang]
    prov = provenance(seed=seed, command=list(command) if command is not None else None)
    versions = ", ".join(f"{k} {v}" for k, v in prov["versions"].items() if v)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    items = [
        (t["generated"], now),
        ("netsim", __version__),
        (t["seeds"], f"{seed}–{seed + reps - 1}"),
        (t["command"], " ".join(prov["command"])),
        (t["python"], prov["python"]),
        (t["platform"], prov["platform"]),
        (t["versions"], versions),
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
        with seed ``seed + r`` (:func:`run_replications`).
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
    if lang not in TEXT:
        raise NetsimError(f"--lang: must be one of {', '.join(TEXT)} (got {lang!r})")
    if not runs or any(not r for r in runs):
        raise NetsimError("a report needs at least one replication of each scenario")
    t = TEXT[lang]
    lists: list[list[RunResult]] = [list(r) for r in runs]
    reps = min(len(r) for r in runs)
    scenarios = [r[0].scenario for r in runs]
    names = [sc.name for sc in scenarios]
    table = comparison(runs)
    years = scenarios[0].horizon_days / scenarios[0].simulation.days_per_year

    plain = []
    for r in runs:
        plain.append("<p>" + " ".join(esc(s) for s in headline(r, lang)) + "</p>")
    said = []
    for title, lines in _said(table, lang):
        items = "".join(f"<li>{esc(line)}</li>" for line in lines)
        said.append(f"<h3>{esc(title)}</h3><ul>{items}</ul>")
    others = [m for m in NUMERIC if m not in TABLE_METRICS]
    note = t["comparison_note"] if len(runs) > 1 else t["single_note"]
    lede = t["lede"].format(
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
<title>{esc(t["title"])}: {esc(" · ".join(names))}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<h1>{esc(t["title"])}</h1>
<p class="lede">{esc(lede)}</p>
<section id="headline" class="headline">
<h2>{esc(t["plain"])}</h2>
{"".join(plain)}
</section>
{"".join(said)}
<section id="comparison">
<h2>{esc(t["comparison"])}</h2>
{_table(table, TABLE_METRICS, lang)}
<p class="note">{esc(note)}</p>
<details><summary>{esc(t["all_metrics"])}</summary>
{_table(table, others, lang)}
</details>
</section>
<section id="figures">
<h2>{esc(t["figures"])}</h2>
{_figure_section(lists, table, lang)}
</section>
<section id="parameters">
<h2>{esc(t["parameters"])}</h2>
{_parameters(scenarios, lang)}
</section>
<section id="provenance">
<h2>{esc(t["provenance"])}</h2>
{_provenance(seed, reps, command, lang)}
</section>
</main>
</body>
</html>
"""
