"""Decision traces in plain sentences: why one person came to a meeting, or did not.

``netsim explain SCENARIO --employee ID`` runs the scenario with the decision trace and says,
for every meeting the person was invited to, whether they came and why, and what they got.
The reasons are read off the inputs of the attendance decision (docs/model.md, "The
attendance decision") and the scenario's coefficients::

    logit = b0 + bv * vhat + bo * o + bs * a - bp * p - bc * h

- *overloaded by operations*: pressure above ``time_pressure.overload``; nothing else counts;
- *obliged*: they came, and without the obligation term the odds would have been against it;
- *expected it to be worth it*: they came, and without their expectation the odds would have
  been against it;
- *expected too little*: they stayed away with an expectation below
  ``attendance.valuable_threshold``;
- *empty room*: they stayed away, and a full room at the last meeting would have tipped the
  odds towards coming;
- *busy*: they stayed away, and their time pressure cost more than the hours did;
- otherwise the odds decided: a likely decision is "the odds", an unlikely one "chance".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from netsim.errors import NetsimError
from netsim.scenario.schema import Scenario
from netsim.show.page import number, percent
from netsim.sim.result import RunResult

__all__ = ["REASONS", "Explanation", "explain", "explain_text"]

#: Reason codes, in the order they are considered.
REASONS: tuple[str, ...] = (
    "overloaded",
    "obliged",
    "expected_value",
    "odds",
    "chance",
    "expected_too_little",
    "empty_room",
    "busy",
)

_TEXT = {
    "en": {
        "header": "Employee {id} ({role}, {department}) was invited to {n} meetings and came to "
        "{came}; {hours} hours in all.",
        "never": "Employee {id} ({role}, {department}) was never invited to a meeting.",
        "meeting": "Week {week}, {group}: ",
        "came": "came",
        "absent": "did not come",
        "overloaded": "overloaded by operations (time pressure {p} above the limit {limit})",
        "obliged": "felt obliged (without that the chance would have been {alt})",
        "expected_value": "expected it to be worth it (expected value {v})",
        "odds": "the odds were for it ({prob})",
        "chance": "against the odds (chance of coming {prob})",
        "chance_absent": "other things came first, although the chance of coming was {prob}",
        "expected_too_little": "expected too little (expected value {v}, below the {thr} that "
        "makes a network worth it)",
        "empty_room": "the room was emptying: only {room} came last time (with a full room the "
        "chance would have been {alt})",
        "busy": "busy (time pressure {p})",
        "cancelled": "; the meeting was cancelled — too few came",
        "gained": "; gained {value} in value ({knowledge} knowledge, {ties} tie strength across "
        "departments)",
        "nothing": "; got nothing out of it",
    },
    "da": {
        "header": "Medarbejder {id} ({role}, {department}) blev inviteret til {n} møder og kom "
        "til {came}; {hours} timer i alt.",
        "never": "Medarbejder {id} ({role}, {department}) blev aldrig inviteret til et møde.",
        "meeting": "Uge {week}, {group}: ",
        "came": "kom",
        "absent": "kom ikke",
        "overloaded": "for travl med driften (travlhed {p} over grænsen {limit})",
        "obliged": "følte sig forpligtet (ellers havde chancen været {alt})",
        "expected_value": "regnede med at få noget ud af det (forventet værdi {v})",
        "odds": "oddsene talte for det ({prob})",
        "chance": "mod oddsene (chancen for at komme var {prob})",
        "chance_absent": "andet kom i vejen, selvom chancen for at komme var {prob}",
        "expected_too_little": "forventede for lidt (forventet værdi {v}, under de {thr}, der "
        "gør et netværk værd at gå til)",
        "empty_room": "lokalet var ved at blive tomt: kun {room} kom sidst (med fuldt lokale "
        "havde chancen været {alt})",
        "busy": "travlt (travlhed {p})",
        "cancelled": "; mødet blev aflyst — for få kom",
        "gained": "; fik {value} i værdi ({knowledge} viden, {ties} styrke i bånd på tværs af "
        "afdelinger)",
        "nothing": "; fik intet ud af det",
    },
}


@dataclass(frozen=True)
class Explanation:
    """One invitation: the meeting, the decision, its reason and the gain."""

    day: int
    week: int
    network: str
    group: str
    came: bool
    held: bool
    reason: str  # one of REASONS
    probability: float
    value: float
    sentence: str


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


def _reason(row: pd.Series, sc: Scenario, hours_day: float) -> tuple[str, dict[str, float]]:
    a = sc.attendance
    if row["overloaded"]:
        return "overloaded", {}
    terms = {
        "b0": a.intercept,
        "value": a.value_weight * row["expected_value"],
        "obligation": a.obligation_weight * row["obligation"],
        "room": a.room_weight * row["room"],
        "pressure": -a.pressure_weight * row["pressure"],
        "hours": -a.hours_weight * hours_day,
    }
    logit = sum(terms.values())
    prob = float(row["probability"])
    if row["came"]:
        if terms["obligation"] > 0 and logit - terms["obligation"] < 0:
            return "obliged", {"alt": _sigmoid(logit - terms["obligation"])}
        if terms["value"] > 0 and logit - terms["value"] < 0:
            return "expected_value", {}
        return ("odds" if prob >= 0.5 else "chance"), {}
    if prob >= 0.5:
        return "chance", {}
    if row["expected_value"] < a.valuable_threshold:
        return "expected_too_little", {}
    full_room = logit + a.room_weight * (1.0 - row["room"])
    if row["room"] < 1.0 and full_room >= 0:
        return "empty_room", {"alt": _sigmoid(full_room)}
    if -terms["pressure"] > -terms["hours"]:
        return "busy", {}
    return "odds", {}


def explain(result: RunResult, employee: int, *, lang: str = "en") -> list[Explanation]:
    """Every invitation of ``employee`` in a traced run, with its reason in words.

    Parameters
    ----------
    result : RunResult
        From ``simulate(..., trace=True)``.
    employee : int
        Employee id.
    lang : {"en", "da"}

    Returns
    -------
    list of Explanation
        In meeting order.
    """
    if result.attendance is None:
        raise NetsimError("explain needs a traced run: simulate(..., trace=True)")
    if lang not in _TEXT:
        raise NetsimError(f"--lang: must be one of {', '.join(_TEXT)} (got {lang!r})")
    n = len(result.employees)
    if not 0 <= employee < n:
        raise NetsimError(f"--employee: no employee {employee} (ids are 0 to {n - 1})")
    t = _TEXT[lang]
    sc = result.scenario
    att = result.attendance
    rows = att[att["employee"] == employee].sort_values(["day", "network"], kind="stable")
    out = []
    for _, row in rows.iterrows():
        spec = sc.networks[row["network"]]
        hours_day = spec.hours_per_attendee() / sc.simulation.hours_per_day
        reason, extra = _reason(row, sc, hours_day)
        prob = float(row["probability"])
        template = t["chance_absent"] if reason == "chance" and not row["came"] else t[reason]
        words = template.format(
            p=number(row["pressure"], lang, digits=2),
            limit=number(sc.time_pressure.overload, lang, digits=2),
            v=number(row["expected_value"], lang, digits=2),
            thr=number(sc.attendance.valuable_threshold, lang, digits=2),
            prob=percent(prob, lang),
            room=percent(row["room"], lang),
            alt=percent(extra.get("alt", math.nan), lang),
        )
        week = int(row["day"]) // sc.simulation.days_per_week
        sentence = t["meeting"].format(week=week, group=row["group"])
        sentence += f"{t['came'] if row['came'] else t['absent']}: {words}"
        if row["came"] and not row["held"]:
            sentence += t["cancelled"]
        elif row["came"]:
            if row["value"] > 0:
                sentence += t["gained"].format(
                    value=number(row["value"], lang, digits=3),
                    knowledge=f"+{number(row['knowledge_gain'], lang, digits=3)}",
                    ties=f"+{number(row['bridging_gain'], lang, digits=3)}",
                )
            else:
                sentence += t["nothing"]
        out.append(
            Explanation(
                day=int(row["day"]),
                week=week,
                network=str(row["network"]),
                group=str(row["group"]),
                came=bool(row["came"]),
                held=bool(row["held"]),
                reason=reason,
                probability=prob,
                value=float(row["value"]),
                sentence=sentence + ".",
            )
        )
    return out


def explain_text(result: RunResult, employee: int, *, lang: str = "en") -> str:
    """A header line about the person, then one sentence per invitation."""
    items = explain(result, employee, lang=lang)
    t = _TEXT[lang]
    emp = result.employees.iloc[employee]
    who = {"id": employee, "role": emp["role"], "department": emp["department"]}
    if not items:
        return t["never"].format(**who)
    header = t["header"].format(
        **who,
        n=len(items),
        came=sum(e.came for e in items),
        hours=number(float(emp["hours"]), lang, digits=1),
    )
    return "\n".join([header, *(f"- {e.sentence}" for e in items)])
