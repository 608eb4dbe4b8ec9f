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
- *expected too little*: they stayed away expecting less than an hour saved for every hour
  the meeting costs (:data:`netsim.sim.summary.WORTH_IT`);
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
from netsim.show.texts import check_lang, say
from netsim.sim.result import RunResult
from netsim.sim.summary import WORTH_IT

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
    if row["expected_value"] < WORTH_IT:
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
    check_lang(lang)
    n = len(result.employees)
    if not 0 <= employee < n:
        raise NetsimError(f"--employee: no employee {employee} (ids are 0 to {n - 1})")
    sc = result.scenario
    att = result.attendance
    rows = att[att["employee"] == employee].sort_values(["day", "network"], kind="stable")
    out = []
    for _, row in rows.iterrows():
        spec = sc.networks[row["network"]]
        hours_day = spec.hours_per_attendee() / sc.simulation.hours_per_day
        reason, extra = _reason(row, sc, hours_day)
        prob = float(row["probability"])
        key = "chance_absent" if reason == "chance" and not row["came"] else reason
        words = say(
            f"explain.{key}",
            lang,
            p=number(row["pressure"], lang, digits=2),
            limit=number(sc.time_pressure.overload, lang, digits=2),
            v=number(row["expected_value"], lang, digits=2),
            thr=number(WORTH_IT, lang, digits=2),
            prob=percent(prob, lang),
            room=percent(row["room"], lang),
            alt=percent(extra.get("alt", math.nan), lang),
        )
        week = int(row["day"]) // sc.simulation.days_per_week
        sentence = say("explain.meeting", lang, week=week, group=row["group"])
        sentence += f"{say('explain.came' if row['came'] else 'explain.absent', lang)}: {words}"
        if row["came"] and not row["held"]:
            sentence += say("explain.cancelled", lang)
        elif row["came"]:
            if row["value"] > 0:
                sentence += say(
                    "explain.gained",
                    lang,
                    value=number(row["value"], lang, digits=3),
                    knowledge=f"+{number(row['knowledge_gain'], lang, digits=3)}",
                    ties=f"+{number(row['bridging_gain'], lang, digits=3)}",
                )
            else:
                sentence += say("explain.nothing", lang)
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
    emp = result.employees.iloc[employee]
    who = {"id": employee, "role": emp["role"], "department": emp["department"]}
    if not items:
        return say("explain.never", lang, **who)
    header = say(
        "explain.header",
        lang,
        **who,
        n=len(items),
        came=sum(e.came for e in items),
        hours=number(float(emp["hours"]), lang, digits=1),
    )
    return "\n".join([header, *(f"- {e.sentence}" for e in items)])
