"""The report's tables: each built once, as HTML for the page (numbers in the language's
words) and as a CSV to take along (numbers unrounded), embedded in the page as a download.

The CSV is in the reader's spreadsheet dialect: in Danish the one Danish Excel opens with a
double click (``;`` between fields, decimal comma, a UTF-8 byte-order mark), in English plain
RFC 4180 CSV (``,`` and decimal point, no byte-order mark) that notebooks read as it is.
Shares are fractions (0.61 is 61 %), and any text cell that a spreadsheet would run as a
formula is neutralised by :func:`netsim.safe.csv_safe`.

Examples
--------
>>> relative_change(1659.0, 4962.0, "total_hours_year", "en")
'-67%'
>>> relative_change(8.0, 0.0, "meetings_cancelled", "en")
'from 0 to 8'
>>> relative_change(0.61, 0.06, "share_worth_it", "da").replace("\\xa0", " ")
'fra 6 % til 61 %'
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from netsim.safe import csv_safe
from netsim.scenario.schema import Scenario
from netsim.show.page import esc, number, percent, significant
from netsim.show.texts import say, term

__all__ = [
    "CEILING_COLUMNS",
    "SHARES",
    "WHOLE",
    "ceiling_cells",
    "ceiling_table",
    "comparison_table",
    "csv_bytes",
    "department_name",
    "download_link",
    "format_diff",
    "format_value",
    "network_table",
    "relative_change",
]

#: Measures that are shares (0–1): said in per cent, their differences in percentage points.
SHARES = frozenset(
    {"attendance_first_quarter", "attendance_last_quarter", "problem_time_share", "share_worth_it"}
)
#: Hours a year for the organisation, and money: said in whole numbers.
WHOLE = frozenset(
    {
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
)
_PER_PERSON = ("hours_per_leader_year", "hours_per_member_year", "hours_saved_per_leader_year")

#: The largest ratio said as a percentage: three times the reference (+200 %). A fall is
#: always a percentage (at most -100 %); a larger rise, a rise from a reference that shows as
#: zero, or a change across zero reads wrong as a percentage ("+1500 %" for 0.1 to 1.6,
#: "+121 %" for -3,973 to 820) and is said as its two values instead ("from 0 to 2").
MAX_RATIO = 3.0


def format_value(metric: str, x: float, lang: str) -> str:
    """A measure's value as the report says it (per cent, whole hours, significant figures)."""
    if metric in SHARES:
        return percent(x, lang)
    if metric in WHOLE:
        return number(x, lang)
    if metric in (*_PER_PERSON, "bridging_ties"):
        return number(x, lang, digits=1)
    return significant(x, lang)


def format_diff(metric: str, x: float, lang: str, *, unit: bool = True) -> str:
    """A difference with its sign; a share's in percentage points (``unit`` says so)."""
    if not math.isfinite(x):
        return "–"
    if metric in SHARES:
        text = number(100 * x, lang)
        if unit:
            text = say("report.points", lang, n=text)
    else:
        text = format_value(metric, x, lang)
    return text if text.startswith("-") or x == 0 else f"+{text}"


def relative_change(mean: float, ref: float, metric: str, lang: str) -> str:
    """The change from ``ref`` to ``mean`` in words a board reads right.

    A percentage (``-67 %``) when both values have the same sign (or the new one is zero),
    the reference does not show as zero and the ratio is at most ``MAX_RATIO``;
    otherwise the two values, formatted as the table formats them (``from 0 to 8``,
    ``from 6 % to 61 %``).
    """
    if not (math.isfinite(mean) and math.isfinite(ref)):
        return "–"
    shown = format_value(metric, ref, lang)
    zero = not any(c in "123456789" for c in shown)
    ratio = mean / ref if ref != 0 else math.inf
    if not zero and 0 <= ratio <= MAX_RATIO:
        rel = ratio - 1
        return f"{'+' if rel > 0 else ''}{percent(rel, lang)}"
    return say("report.from_to", lang, a=shown, b=format_value(metric, mean, lang))


def department_name(scenario: Scenario, name: str, lang: str) -> str:
    """A department as the organisation names it: the names of an HR file or of the scenario
    as they are; the generated organisation's default names in the reader's language."""
    if scenario.organisation.department_names is not None:
        return name
    return term("department", name, lang)


# ------------------------------------------------------------------ CSV


def csv_bytes(frame: pd.DataFrame, lang: str) -> bytes:
    """``frame`` as CSV in the language's spreadsheet dialect, formula-free, as bytes."""
    safe = csv_safe(frame)
    if lang == "da":
        return ("\ufeff" + safe.to_csv(index=False, sep=";", decimal=",")).encode("utf-8")
    return safe.to_csv(index=False).encode("utf-8")


def download_link(frame: pd.DataFrame, stem: str, lang: str) -> str:
    """An ``<a download>`` whose ``data:`` URL holds the table as CSV: it works offline,
    needs no script, and survives the page being e-mailed."""
    data = base64.b64encode(csv_bytes(frame, lang)).decode("ascii")
    return (
        f'<p class="download"><a download="{esc(stem)}.csv" '
        f'href="data:text/csv;charset=utf-8;base64,{data}">'
        f"{esc(say('report.download', lang))}</a> "
        f'<span class="note">{esc(say("report.download_note", lang))}</span></p>'
    )


# ------------------------------------------------------------------ the comparison


def _html(head: Sequence[str], rows: Sequence[str], cls: str = "") -> str:
    """A table in a box that scrolls sideways on a narrow screen, not the page."""
    attrs = f' class="{cls}"' if cls else ""
    return (
        f'<div class="scroll"><table{attrs}><thead><tr>'
        + "".join(head)
        + "</tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table></div>"
    )


def comparison_table(table: pd.DataFrame, metrics: Sequence[str], lang: str) -> tuple[str, Any]:
    """The paired comparison of ``metrics`` as HTML and as the CSV's frame.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`netsim.study.analysis.comparison_frame` output, with the reference's CI.
    metrics : sequence of str
        The rows, in order (those absent from ``table`` are skipped).
    lang : {"en", "da"}

    Returns
    -------
    (str, pandas.DataFrame)
        The ``<table>`` (in its scrolling box) and one CSV row per measure: its name, its id,
        each scenario's mean (the reference's with its 95 % CI) and each difference with its
        95 % CI and relative change, unrounded.
    """
    names = list(dict.fromkeys(table["scenario"]))
    head = [f"<th>{esc(say('report.metric', lang))}</th>"]
    if len(names) == 1:
        head.append(f"<th>{esc(names[0])}<br>{esc(say('report.mean_ci', lang))}</th>")
    else:
        head += [f"<th>{esc(n)}</th>" for n in names]
        for other in names[1:]:
            head.append(f"<th>{esc(say('report.difference', lang, a=names[0], b=other))}</th>")
            head.append(f"<th>{esc(say('report.relative', lang))}</th>")
    body, records = [], []
    for metric in metrics:
        part = table[table["metric"] == metric]
        if part.empty:
            continue
        label = term("metric", metric, lang)
        cells = [f'<td title="{esc(metric)}">{esc(label)}</td>']
        ref = part.iloc[0]
        record: dict[str, Any] = {
            say("report.metric", lang): label,
            say("report.csv_id", lang): metric,
            say("report.csv_mean", lang, name=names[0]): ref["mean"],
            say("report.csv_low", lang, name=names[0]): ref["ci_low"],
            say("report.csv_high", lang, name=names[0]): ref["ci_high"],
        }
        if len(names) == 1:
            low, high = (
                format_value(metric, ref["ci_low"], lang),
                format_value(metric, ref["ci_high"], lang),
            )
            text = f"{format_value(metric, ref['mean'], lang)} [{low}, {high}]"
            cells.append(f"<td>{esc(text)}</td>")
        else:
            cells += [f"<td>{esc(format_value(metric, m, lang))}</td>" for m in part["mean"]]
        for other, (_, row) in zip(names[1:], part.iloc[1:].iterrows(), strict=True):
            diff = say("report.csv_diff", lang, a=names[0], b=other)
            record[say("report.csv_mean", lang, name=other)] = row["mean"]
            record[diff] = row["diff"]
            record[say("report.csv_low", lang, name=diff)] = row["ci_low"]
            record[say("report.csv_high", lang, name=diff)] = row["ci_high"]
            record[say("report.csv_rel", lang, name=diff)] = row["rel_change"]
            if not math.isfinite(row["diff"]):
                cells += ["<td>–</td>", "<td>–</td>"]
                continue
            clear = row["ci_low"] > 0 or row["ci_high"] < 0
            text = (
                f"{format_diff(metric, row['diff'], lang, unit=False)} "
                f"[{format_diff(metric, row['ci_low'], lang, unit=False)}, "
                f"{format_diff(metric, row['ci_high'], lang, unit=False)}]"
            )
            if metric in SHARES:
                text = say("report.points_short", lang, text=text)
            cls = ' class="clear"' if clear else ""
            cells.append(f"<td{cls}>{esc(text)}</td>")
            cells.append(f"<td>{esc(relative_change(row['mean'], ref['mean'], metric, lang))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
        records.append(record)
    return _html(head, body), pd.DataFrame(records)


# ------------------------------------------------------------------ the networks


def _who(sc: Scenario, sel: Any, lang: str) -> str:
    parts = [term("role", r, lang) for r in sel.roles]
    parts += [term("specialty", s, lang) for s in sel.specialties]
    parts += [department_name(sc, d, lang) for d in sel.departments]
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


_NETWORK_COLUMNS: tuple[str, ...] = (
    *("network", "purpose", "who", "enrollment", "goal", "participation"),
    *("facilitation", "every", "hours", "groups"),
)


def network_table(sc: Scenario, lang: str) -> tuple[str, pd.DataFrame]:
    """A scenario's networks, one row each, as HTML and as the CSV's frame.

    Returns
    -------
    (str, pandas.DataFrame)
        The ``<table>`` (in its scrolling box) and the same rows with numbers unrounded.
    """
    head = [f"<th>{esc(say(f'report.n_{c}', lang))}</th>" for c in _NETWORK_COLUMNS]
    rows, records = [], []
    for name, net in sc.networks.items():
        values: list[Any] = [
            name,
            term("purpose", net.purpose, lang),
            _who(sc, net.select, lang),
            term("enrollment", net.enrollment, lang),
            net.goal_clarity,
            net.participation,
            term("facilitation", net.facilitation, lang),
            net.interval_weeks,
            net.hours_per_attendee(),
            net.max_size,
        ]
        every = net.interval_weeks
        shown = [
            *values[:4],
            number(net.goal_clarity, lang, digits=1),
            number(net.participation, lang, digits=1),
            values[6],
            number(every, lang, digits=0 if every % 1 == 0 else 1),
            number(net.hours_per_attendee(), lang, digits=1),
            str(net.max_size),
        ]
        rows.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in shown) + "</tr>")
        records.append(
            dict(zip((say(f"report.n_{c}", lang) for c in _NETWORK_COLUMNS), values, strict=True))
        )
    return _html(head, rows, "compact"), pd.DataFrame(records)


# ------------------------------------------------------------------ the ceiling


#: The columns of a ceiling after the scenario and the network (``ceiling.*`` texts).
CEILING_COLUMNS = ("members", "cost", "saved", "alliances", "per_hour")


def ceiling_cells(c: Any, lang: str) -> list[str]:
    """One network's ceiling (:class:`netsim.sim.ceiling.Ceiling`) in the language's words:
    the :data:`CEILING_COLUMNS` and a mark where the most per hour spent is below one."""
    per_hour = c.return_per_hour
    short = math.isfinite(per_hour) and per_hour < 1
    return [
        number(c.members, lang),
        number(c.cost_year, lang, digits=1),
        number(c.saved_year, lang, digits=1),
        number(c.alliances_year, lang, digits=1),
        number(per_hour, lang, digits=2) if math.isfinite(per_hour) else "–",
        say("ceiling.short", lang) if short else "",
    ]


def ceiling_table(rows: Sequence[tuple[str, Any]], lang: str) -> tuple[str, pd.DataFrame]:
    """Each network's ceiling (:func:`netsim.sim.ceiling.ceilings`) as HTML and as the CSV's
    frame: per scenario and network, :func:`ceiling_cells`.

    Parameters
    ----------
    rows : sequence of (scenario name, :class:`netsim.sim.ceiling.Ceiling`)
    lang : {"en", "da"}
    """
    keys = ("scenario", "network", *CEILING_COLUMNS)
    head = [f"<th>{esc(say(f'ceiling.{k}', lang))}</th>" for k in keys] + ["<th></th>"]
    body, records = [], []
    for scenario, c in rows:
        cells = [scenario, c.network, *ceiling_cells(c, lang)]
        body.append("<tr>" + "".join(f"<td>{esc(x)}</td>" for x in cells) + "</tr>")
        records.append(
            {
                "scenario": scenario,
                "network": c.network,
                "members": c.members,
                "cost_hours_year": c.cost_year,
                "saved_hours_year_at_most": c.saved_year,
                "alliance_hours_year": c.alliances_year,
                "return_per_hour_at_most": c.return_per_hour,
            }
        )
    return _html(head, body), pd.DataFrame.from_records(records)
