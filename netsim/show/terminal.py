"""What ``netsim run``, ``compare``, ``results`` and ``explain --list`` print: rich tables
in the report's words.

Every measure is shown by the label the report gives it (``metric.*`` in ``texts.toml``),
not its summary name, with the direction that is better (``↑ higher``, ``↓ lower``; nothing
where neither is, such as the number of employees); a comparison says of each difference
whose confidence interval excludes zero whether it is better or worse. Tables come with the
report's headline in plain words (:func:`netsim.show.report.headline`). The machine names
stay in ``--format json``.

Examples
--------
>>> label("total_hours_year", "en"), better("cost_dkk_year"), better("employees")
('network hours a year, in all', -1, 0)
>>> value("share_worth_it", 0.4567, "en"), value("members", 12.0, "en")
('45.7%', '12')
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
from babel.numbers import format_decimal
from rich.markup import escape
from rich.table import Table

from netsim.scenario.schema import Scenario
from netsim.show.page import LOCALES, number, percent, significant
from netsim.show.report import headline
from netsim.show.tables import CEILING_COLUMNS, SHARES, WHOLE, ceiling_cells
from netsim.show.texts import catalogue, say, term
from netsim.study.experiment import HEADLINE

__all__ = [
    "BETTER",
    "COUNTS",
    "SHARES",
    "better",
    "ceiling_table",
    "comparison_headline",
    "comparison_table",
    "headline_first",
    "label",
    "members_table",
    "one_line",
    "results_table",
    "run_table",
    "value",
]

#: Measures that count things: whole numbers in one run.
COUNTS: frozenset[str] = frozenset(
    {
        "seed",
        "employees",
        "networks",
        "groups",
        "members",
        "bridging_ties",
        "meetings_held",
        "meetings_cancelled",
        "groups_below_quorum",
        "members_left",
        "networks_closed",
        "false_closures",
        "false_keeps",
    }
)

#: Which way is better: +1 higher, -1 lower; measures not here (what a run is, how many
#: meetings were held, time spent on problems of the day anyway) have no better direction.
BETTER: dict[str, int] = {
    "total_hours_year": -1,
    "cost_dkk_year": -1,
    "hours_per_member_year": -1,
    "hours_per_leader_year": -1,
    "participant_hours_saved_year": 1,
    "sponsor_hours_saved_year": 1,
    "nonmember_hours_saved_year": 1,
    "net_hours_year": 1,
    "participant_return_per_hour": 1,
    "sponsor_return_per_hour": 1,
    "hours_saved_per_leader_year": 1,
    "participant_dkk_saved_year": 1,
    "sponsor_dkk_saved_year": 1,
    "net_dkk_year": 1,
    "share_worth_it": 1,
    "attendance_first_quarter": 1,
    "attendance_last_quarter": 1,
    "attendance_decay": 1,
    "knowledge_gain": 1,
    "knowledge_gain_all_topics": 1,
    "nonmember_knowledge_gain": 1,
    "isolated_specialist_gain": 1,
    "connected_specialist_gain": 1,
    "bridging_ties": 1,
    "meetings_cancelled": -1,
    "groups_below_quorum": -1,
    "members_left": -1,
    "false_closures": -1,
    "false_keeps": -1,
}

#: What a run is (its seed, horizon, size): said before any measure.
_IDENTITY = ("seed", "years", "employees", "networks", "groups", "members")


def label(name: str, lang: str) -> str:
    """A measure's label as the report says it; the name itself where there is none."""
    forms = catalogue().get(f"metric.{name}")
    return forms[lang] if forms is not None else name


def better(name: str) -> int:
    """+1 where higher is better, -1 where lower is, 0 where neither (:data:`BETTER`)."""
    return BETTER.get(name, 0)


def _direction(name: str, lang: str) -> str:
    way = better(name)
    return say("terminal.higher" if way > 0 else "terminal.lower", lang) if way else ""


def value(name: str, x: Any, lang: str, *, mean: bool = False) -> str:
    """One value of a measure in the language's style: shares as percentages, counts as
    whole numbers (a mean of counts with one decimal), hours and money of the organisation
    whole, the rest to three significant figures; ``–`` where undefined."""
    if x is None or isinstance(x, str):
        return "–" if x is None else x
    x = float(x)
    if not math.isfinite(x):
        return "–"
    if name in SHARES:
        return percent(x, lang, digits=1)
    if name in COUNTS:
        return number(x, lang, digits=1 if mean and not x.is_integer() else 0)
    if name in WHOLE:
        return number(x, lang)
    if name == "years" or name.startswith(("hours_per", "hours_saved_per")):
        return number(x, lang, digits=1)
    return significant(x, lang)


def _difference(name: str, x: float, lang: str) -> str:
    if not math.isfinite(x):
        return "–"
    if name in SHARES:
        text = say("report.points_short", lang, text=number(100 * x, lang, digits=1))
    elif name in COUNTS:
        text = number(x, lang, digits=1)
    else:
        text = value(name, x, lang)
    return text if text.startswith("-") or x == 0 else f"+{text}"


def headline_first(names: Sequence[str]) -> list[str]:
    """``names`` in the order a planner reads them: what the run is, then the headline
    (hours spent and saved, net hours, returns per hour), then every other measure."""
    first = [n for n in _IDENTITY if n in names] + [n for n in HEADLINE if n in names]
    return first + [n for n in names if n not in first]


def one_line(text: str) -> str:
    r"""``text`` on one line: control characters (a line break in a name a user wrote) shown
    as their escapes; spaces of every kind (Babel's no-break spaces) kept.

    Examples
    --------
    >>> one_line("4.4 million\xa0DKK"), one_line("a\nb")
    ('4.4 million\xa0DKK', 'a\\nb')
    """
    return "".join(
        c.encode("unicode_escape").decode()
        if unicodedata.category(c)[0] in "C" or c in "\u2028\u2029"
        else c
        for c in text
    )


def run_table(summaries: Sequence[Mapping[str, Any]], names: Sequence[str], lang: str) -> Table:
    """The run summaries side by side: a row per measure, in :func:`headline_first` order.

    Parameters
    ----------
    summaries : sequence of mapping
        Run summaries (:data:`netsim.SUMMARY_NAMES`), one per scenario.
    names : sequence of str
        The measures to show.
    lang : {"en", "da"}
    """
    table = Table(title=say("terminal.run_title", lang))
    table.add_column(say("terminal.measure", lang), overflow="fold")
    table.add_column(say("terminal.better", lang), no_wrap=True)
    for s in summaries:
        # A scenario's name is the user's text: never rich markup ("[/]" would raise).
        table.add_column(escape(one_line(str(s["scenario"]))), justify="right", no_wrap=True)
    for name in headline_first(names):
        cells = [value(name, s.get(name), lang) for s in summaries]
        table.add_row(label(name, lang), _direction(name, lang), *cells)
    return table


def comparison_table(frame: pd.DataFrame, lang: str) -> Table:
    """A paired comparison (:func:`netsim.study.analysis.compare`) as a table: means, each
    difference against the first scenario with its 95 % CI and, where the CI excludes zero
    and the measure has a better direction, whether it is better or worse."""
    names = list(dict.fromkeys(frame["scenario"]))
    table = Table(title=say("terminal.compare_title", lang))
    table.add_column(say("terminal.measure", lang), overflow="fold")
    table.add_column(say("terminal.better", lang), no_wrap=True)
    for name in names:
        table.add_column(escape(one_line(str(name))), justify="right", no_wrap=True)
    for name in names[1:]:
        head = say("terminal.difference", lang, a=names[0], b=name)
        table.add_column(escape(one_line(head)), justify="right", overflow="fold")
    parts = dict(list(frame.groupby("metric", sort=False)))
    for metric in headline_first([str(m) for m in parts]):
        part = parts[metric]
        cells = [value(metric, v, lang, mean=True) for v in part["mean"]]
        for _, row in part.iloc[1:].iterrows():
            cells.append(_difference_cell(str(metric), row, lang))
        table.add_row(label(str(metric), lang), _direction(str(metric), lang), *cells)
    return table


def _difference_cell(metric: str, row: pd.Series, lang: str) -> str:
    if not math.isfinite(row["diff"]):
        return "–"
    lo, hi = row["ci_low"], row["ci_high"]
    text = f"{_difference(metric, row['diff'], lang)} [{_difference(metric, lo, lang)}, "
    text += f"{_difference(metric, hi, lang)}]"
    way = better(metric)
    if way and math.isfinite(lo) and math.isfinite(hi):
        if lo > 0 or hi < 0:
            good = (lo > 0) == (way > 0)
            word = say("terminal.improves" if good else "terminal.worsens", lang)
            text += f" [{'green' if good else 'red'}]{escape(word)}[/]"
        elif row["diff"] != 0:
            text += f" [dim]{escape(say('terminal.unclear', lang))}[/]"
    return text


@dataclass(frozen=True)
class _Means:
    """A scenario's mean summary in the shape :func:`netsim.show.report.headline` reads."""

    scenario: Scenario
    summary: dict[str, float]


def comparison_headline(frame: pd.DataFrame, scenarios: Sequence[Scenario], lang: str) -> list[str]:
    """The report's plain-words headline of each scenario, from a comparison's means (a
    share of members is the ratio of the means, where the report takes the mean of each
    replication's ratio)."""
    blocks = list(frame.groupby("metric", sort=False))  # one row per scenario, in order
    out = []
    for k, sc in enumerate(scenarios):
        means = {str(m): float(part["mean"].iloc[k]) for m, part in blocks}
        out.extend(headline(cast(Any, [_Means(sc, means)]), lang))
    return out


def results_table(
    table: pd.DataFrame, outcomes: Sequence[str], lang: str, *, title: str | None = None
) -> Table:
    """A sweep's per-point means with their 95 % CIs
    (:func:`netsim.study.analysis.summarise`): ``point``, replications and grid values as
    whole numbers where they are,
    every parameter's full name (wrapped, never cut)."""
    params = [c for c in table.columns if c.startswith("param:")]
    t = Table(title=title if title is not None else say("terminal.results_title", lang))
    t.add_column(say("terminal.point", lang), justify="right", no_wrap=True)
    for p in params:
        t.add_column(escape(p.removeprefix("param:")), justify="right", overflow="fold")
    t.add_column(say("terminal.n", lang), justify="right", no_wrap=True)
    for o in outcomes:
        head = f"{label(o, lang)} ({o})" if label(o, lang) != o else o
        t.add_column(escape(head), justify="right", overflow="fold")
    for _, row in table.iterrows():
        cells = [str(int(row["point"])), *(escape(_grid(row[p], lang)) for p in params)]
        cells.append(str(int(row["n"])))
        for o in outcomes:
            mean, lo, hi = row[o], row[f"{o}_ci_low"], row[f"{o}_ci_high"]
            cells.append(
                f"{value(o, mean, lang, mean=True)} "
                f"[{value(o, lo, lang, mean=True)}, {value(o, hi, lang, mean=True)}]"
            )
        t.add_row(*cells)
    return t


def _grid(x: Any, lang: str) -> str:
    """A design point's parameter value: a whole number as one, text as it is."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return one_line(str(x))
    if not math.isfinite(x):
        return "–"
    # Every digit the grid was written with, and no padding: 0.25, not 0.2500.
    return format_decimal(x, format="#,##0.########", locale=LOCALES[lang])


def members_table(frame: pd.DataFrame, lang: str, *, shown: int = 5) -> Table:
    """``explain --list``: per network, who kept coming and who stopped
    (:func:`netsim.show.explain.who_is_worth_explaining`), at most ``shown`` of each."""
    t = Table(title=say("explain.list.title", lang))
    for key in ("network", "kind", "employee", "role", "where"):
        t.add_column(say(f"explain.list.{key}", lang), overflow="fold")
    t.add_column(say("explain.list.came", lang), justify="right", no_wrap=True)
    t.add_column(say("explain.list.last", lang), justify="right", no_wrap=True)
    for (network, kind), part in frame.groupby(["network", "kind"], sort=False):
        for k, (_, row) in enumerate(part.iterrows()):
            if k == shown:
                more = say("explain.list.more", lang, n=len(part) - shown)
                t.add_row("", "", escape(more), "", "", "", "")
                break
            t.add_row(
                escape(one_line(str(network))) if k == 0 else "",
                say(f"explain.list.{kind}", lang) if k == 0 else "",
                escape(one_line(str(row["employee_id"]))),
                term("role", str(row["role"]), lang),
                escape(one_line(str(row["where"]))),
                say("explain.list.came_of", lang, came=row["came"], n=row["invited"]),
                str(row["last_week"]),
            )
        t.add_section()
    return t


def ceiling_table(rows: Sequence[tuple[str, Any]], lang: str) -> Table:
    """``netsim ceiling``: per scenario and network (:class:`netsim.sim.ceiling.Ceiling`),
    what it costs a member who comes to every meeting and the most it could give them a year,
    with a mark where even that is less than the hours it costs
    (:func:`netsim.show.tables.ceiling_cells`, as in the report).

    Parameters
    ----------
    rows : sequence of (scenario name, Ceiling)
    lang : {"en", "da"}
    """
    t = Table(title=say("ceiling.title", lang), caption=say("ceiling.caption", lang))
    t.add_column(say("ceiling.scenario", lang), overflow="fold")
    t.add_column(say("ceiling.network", lang), overflow="fold")
    for key in CEILING_COLUMNS:
        t.add_column(say(f"ceiling.{key}", lang), justify="right", no_wrap=True)
    t.add_column("", no_wrap=True)
    for scenario, c in rows:
        t.add_row(escape(one_line(scenario)), escape(one_line(c.network)), *ceiling_cells(c, lang))
    return t
