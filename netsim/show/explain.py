"""Decision traces in plain sentences: why one person came to a meeting, or did not.

``netsim explain SCENARIO --employee ID`` runs the scenario with the decision trace and says,
for every meeting the person was invited to, whether they came, how likely that was, and
what made it likely or unlikely; ``--list`` says whom it is worth asking about (per network,
the members who kept coming and those who stopped). Ids are the organisation's own: the
employee numbers of the HR file where the organisation came from one, else netsim's.

Coming is a draw (docs/model.md, "The attendance decision")::

    P(attend) = sigmoid(b0 + bv * vhat + bo * o + bs * a - bp * p - bc * h)

so an explanation never tells a threshold story ("came: expected it to be worth it" one week,
"stayed away: expected too little" another, at the same expectation). It says the chance of
coming and the terms of the logit that raised and lowered it, each with its contribution to
the log-odds, read off the same inputs whichever way the draw went; the draw itself is "as
was likely" or "against the odds". Only overload is not a draw: above
``time_pressure.overload`` operations come first, whatever the odds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import pandas as pd

from netsim.errors import NetsimError
from netsim.scenario.schema import Scenario
from netsim.show.page import number, percent
from netsim.show.texts import check_lang, say, term
from netsim.sim.result import RunResult
from netsim.sim.summary import WORTH_IT

__all__ = [
    "KEPT_AFTER",
    "REASONS",
    "TERMS",
    "Explanation",
    "decision_terms",
    "employee_position",
    "explain",
    "explain_text",
    "who_is_worth_explaining",
]

#: The terms of the attendance decision's logit, as ``Explanation.terms`` names them.
TERMS: tuple[str, ...] = ("value", "obligation", "room", "pressure", "hours")

#: Reason codes: overload, or the term that did most towards the likelier outcome.
REASONS: tuple[str, ...] = ("overloaded", *TERMS)

#: Contributions to the log-odds smaller than this are not worth a word.
_NEGLIGIBLE = 0.05

#: ``--list``: a member kept coming who came to each of their last this many meetings.
KEPT_AFTER = 3


@dataclass(frozen=True)
class Explanation:
    """One invitation: the meeting, the decision, the chance and what moved it, the gain.

    ``terms`` holds each logit term's contribution to the log-odds of coming (empty when
    overloaded, where the odds did not count); ``reason`` is ``"overloaded"`` or the term
    that did most towards the likelier outcome (:data:`REASONS`).
    """

    day: int
    week: int
    network: str
    group: str
    came: bool
    held: bool
    reason: str
    probability: float
    value: float
    sentence: str
    terms: dict[str, float] = field(default_factory=dict)


def decision_terms(row: pd.Series, sc: Scenario, hours_day: float) -> dict[str, float]:
    """Each term's contribution to the log-odds of coming (:data:`TERMS`; the intercept is
    the rest), from one row of the decision trace.

    Examples
    --------
    >>> from netsim.scenario.load import parse_scenario
    >>> sc = parse_scenario({"organisation": {"employees": 100}})
    >>> row = pd.Series({"expected_value": 0.2, "obligation": 1.0, "room": 0.5,
    ...                  "pressure": 0.5})
    >>> {k: round(v, 2) for k, v in decision_terms(row, sc, 0.5).items()}
    {'value': 0.3, 'obligation': 1.0, 'room': 0.5, 'pressure': -1.0, 'hours': -0.5}
    """
    a = sc.attendance
    return {
        "value": a.value_weight * float(row["expected_value"]),
        "obligation": a.obligation_weight * float(row["obligation"]),
        "room": a.room_weight * float(row["room"]),
        "pressure": -a.pressure_weight * float(row["pressure"]),
        "hours": -a.hours_weight * hours_day,
    }


def _reason(terms: dict[str, float], probability: float) -> str:
    """The term that did most towards the likelier outcome: the largest push up when coming
    was likely, the largest push down when it was not."""
    if probability >= 0.5:
        return max(terms, key=lambda k: terms[k])
    return min(terms, key=lambda k: terms[k])


def _term_words(name: str, row: pd.Series, c: float, hours: float, lang: str) -> str:
    signed = number(c, lang, digits=2)
    signed = signed if signed.startswith("-") else f"+{signed}"
    signed = signed.replace("-", "−", 1)
    if name == "value":
        v = float(row["expected_value"])
        key = "value_ok" if v >= WORTH_IT else "value_low"
        return say(
            f"explain.term.{key}",
            lang,
            v=number(v, lang, digits=2),
            thr=number(WORTH_IT, lang, digits=0),
            c=signed,
        )
    values = {
        "obligation": {"o": number(float(row["obligation"]), lang, digits=2)},
        "room": {"room": percent(float(row["room"]), lang)},
        "pressure": {"p": number(float(row["pressure"]), lang, digits=2)},
        "hours": {"hours": number(hours, lang, digits=1)},
    }[name]
    return say(f"explain.term.{name}", lang, c=signed, **values)


def _odds_words(row: pd.Series, terms: dict[str, float], hours: float, lang: str) -> str:
    prob = float(row["probability"])
    likely = (prob >= 0.5) == bool(row["came"])
    outcome = say("explain.as_likely" if likely else "explain.against_odds", lang)
    words = say("explain.chance", lang, outcome=outcome, prob=percent(prob, lang))
    up = sorted((k for k in terms if terms[k] >= _NEGLIGIBLE), key=lambda k: -terms[k])[:2]
    down = sorted((k for k in terms if terms[k] <= -_NEGLIGIBLE), key=lambda k: terms[k])[:2]
    if "value" not in up:
        # What they expect is what they learn (the model's feedback loop): always said, even
        # where it adds little to the odds ("expecting 0.15 hours ... below the 1").
        up.append("value")
    parts = []
    for key, names in (("explain.rose", up), ("explain.fell", down)):
        if names:
            said = [_term_words(k, row, terms[k], hours, lang) for k in names]
            listed = ", ".join(said[:-1]) + say("explain.and", lang) if len(said) > 1 else ""
            parts.append(say(key, lang, terms=listed + said[-1]))
    return words + (": " + "; ".join(parts) if parts else "")


def employee_position(result: RunResult, employee: str | int) -> int:
    """The position (row) of the employee whose id is ``employee``: the HR file's id where
    the organisation came from one, else netsim's 0 to N-1.

    Raises
    ------
    NetsimError
        No such employee; the message names the argument and the ids allowed, never the
        file's contents.
    """
    ids = result.employees["employee_id"].astype(str).tolist()
    wanted = str(employee).strip()
    roster = result.scenario.organisation.roster
    if roster is None and wanted.lstrip("-").isdigit():
        k = int(wanted)
        if 0 <= k < len(ids):
            return k
    elif wanted in ids:
        return ids.index(wanted)
    if roster is None:
        raise NetsimError(f"--employee: no employee {wanted} (ids are 0 to {len(ids) - 1})")
    raise NetsimError(
        f"--employee: no employee {wanted!r} in {roster.employees_file} (the ids of its "
        "'id' column)"
    )


def _where(result: RunResult, position: int) -> str:
    """The unit and department of an employee as the organisation names them; a generated
    organisation's units have no names, so there only the department."""
    emp = result.employees.iloc[position]
    roster = result.scenario.organisation.roster
    if roster is None:
        return str(emp["department"])
    return f"{roster.unit_names[int(emp['unit'])][1]}, {emp['department']}"


def explain(result: RunResult, employee: str | int, *, lang: str = "en") -> list[Explanation]:
    """Every invitation of ``employee`` in a traced run, with the odds and what moved them.

    Parameters
    ----------
    result : RunResult
        From ``simulate(..., trace=True)``.
    employee : str or int
        The employee's id: the HR file's where the organisation came from one
        (``"1001"``), else netsim's (0 to N-1).
    lang : {"en", "da"}

    Returns
    -------
    list of Explanation
        In meeting order.
    """
    if result.attendance is None:
        raise NetsimError("explain needs a traced run: simulate(..., trace=True)")
    check_lang(lang)
    position = employee_position(result, employee)
    sc = result.scenario
    att = result.attendance
    rows = att[att["employee"] == position].sort_values(["day", "network"], kind="stable")
    out = []
    for _, row in rows.iterrows():
        spec = sc.networks[row["network"]]
        hours = spec.hours_per_attendee()
        prob = float(row["probability"])
        if row["overloaded"]:
            terms: dict[str, float] = {}
            reason = "overloaded"
            words = say(
                "explain.overloaded",
                lang,
                p=number(row["pressure"], lang, digits=2),
                limit=number(sc.time_pressure.overload, lang, digits=2),
            )
        else:
            terms = decision_terms(row, sc, hours / sc.simulation.hours_per_day)
            reason = _reason(terms, prob)
            words = _odds_words(row, terms, hours, lang)
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
                terms=terms,
            )
        )
    return out


def explain_text(result: RunResult, employee: str | int, *, lang: str = "en") -> str:
    """A header line about the person, then one sentence per invitation."""
    items = explain(result, employee, lang=lang)
    position = employee_position(result, employee)
    emp = result.employees.iloc[position]
    who = {
        "id": emp["employee_id"],
        "role": term("role", str(emp["role"]), lang),
        "where": _where(result, position),
    }
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


def who_is_worth_explaining(result: RunResult, *, recent: int = KEPT_AFTER) -> pd.DataFrame:
    """Per network, the members who kept coming and those who stopped (``explain --list``).

    Parameters
    ----------
    result : RunResult
        From ``simulate(..., trace=True)``.
    recent : int
        A member *kept coming* who came to each of their last ``recent`` meetings (held or
        not); one *stopped* who came at least once and then to none of their last
        ``recent`` or more invitations, or came and then left the network (and so was no
        longer invited) before its last meeting.

    Returns
    -------
    pandas.DataFrame
        ``network``, ``kind`` (``"kept"`` or ``"stopped"``), ``employee_id`` (the
        organisation's id), ``position``, ``role``, ``where``, ``invited``, ``came`` and
        ``last_week`` (the week they last came); per network the kept first, each kind
        ordered by how often they came (most first), then by id.
    """
    if result.attendance is None:
        raise NetsimError("explain --list needs a traced run: simulate(..., trace=True)")
    att = result.attendance
    columns = ["network", "kind", "employee_id", "position", "role", "where"]
    columns += ["invited", "came", "last_week"]
    if att.empty:
        return pd.DataFrame(columns=columns)
    per_week = result.scenario.simulation.days_per_week
    last_day = att.groupby("group")["day"].max()
    rows = []
    for key, part in att.groupby(["network", "employee"], sort=True):
        network, position = str(key[0]), int(cast(int, key[1]))
        part = part.sort_values("day", kind="stable")
        came = part["came"].to_numpy(bool)
        if not came.any():
            continue
        tail = came[-recent:]
        after = came[int(came.nonzero()[0][-1]) + 1 :]
        # Invited no more while their group still met: they left (a closed group's last
        # meeting is its members' last invitation, so closing is not leaving).
        left_early = part["day"].iloc[-1] < last_day[part["group"].iloc[-1]]
        if len(came) >= recent and tail.all():
            kind = "kept"
        elif len(after) >= recent or (left_early and not came[-1]):
            kind = "stopped"
        else:
            continue
        emp = result.employees.iloc[position]
        rows.append(
            {
                "network": network,
                "kind": kind,
                "employee_id": str(emp["employee_id"]),
                "position": position,
                "role": str(emp["role"]),
                "where": _where(result, position),
                "invited": len(came),
                "came": int(came.sum()),
                "last_week": int(part["day"].to_numpy()[came][-1]) // per_week,
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        return frame
    frame["_order"] = frame["kind"].map({"kept": 0, "stopped": 1})
    frame = frame.sort_values(
        ["network", "_order", "came", "position"], ascending=[True, True, False, True]
    )
    return frame.drop(columns="_order").reset_index(drop=True)
