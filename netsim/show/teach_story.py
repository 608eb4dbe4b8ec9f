"""The teaching page's numbers and words for one design, and what the whole grid shows.

:func:`cell_numbers` reads one run of the grid (:mod:`netsim.show.teach`) and says it: a
verdict (pays off, does not pay, nobody joined, closed by the sponsor), the sentences of its
story, the numbers on the page already formatted for the language (Babel, via
:mod:`netsim.show.page`), and the raw numbers the bars are drawn from. The words are chosen
from the numbers, so they cannot disagree: a network nobody joined says so, and attendance is
said as people ("25 came to the first meeting; a year later 12 come"), not as a share of
whoever happened to be a member. :func:`findings` states, for each purpose, what the grid
of designs returns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from netsim.show.page import money, number, share_in_ten, working_time
from netsim.show.texts import say
from netsim.sim.result import RunResult

__all__ = ["HOLDS", "cell_numbers", "findings"]

#: Attendance "holds" when a year on at least this share of those at the first meeting come.
HOLDS = 0.8


def _later_window(run: RunResult) -> tuple[int, int, bool]:
    """Days ``[start, end)`` of "a year later": the quarter after the first working year,
    or the last quarter where the horizon is shorter; and whether it is a year on."""
    sim = run.scenario.simulation
    quarter = sim.days_per_year // 4
    horizon = run.scenario.horizon_days
    start = min(sim.days_per_year, horizon - quarter)
    return start, start + quarter, start == sim.days_per_year


def _closures(run: RunResult) -> dict[str, Any]:
    """What the sponsor's reviews did: groups closed (when, wrongly?), groups transformed."""
    groups = set(run.meetings["group"])
    out: dict[str, Any] = {"groups": len(groups), "closed": 0, "closed_week": None}
    out.update(false_closures=0, transformed_week=None, true_value=math.nan)
    rev = run.reviews
    if rev is None or rev.empty:
        return out
    per_week = run.scenario.simulation.days_per_week
    closed = rev[rev["decision"] == "close"]
    if not closed.empty:
        out["closed"] = int(closed["group"].nunique())
        out["closed_week"] = int(closed["day"].max()) // per_week
        wrong = closed[closed["true_decision"] != "close"]
        out["false_closures"] = len(wrong)
        if len(wrong):
            out["true_value"] = float(wrong["true_value_per_hour"].mean())
    changed = rev[rev["decision"] == "transform"]
    if not changed.empty:
        out["transformed_week"] = int(changed["day"].min()) // per_week
    return out


def _people(run: RunResult) -> dict[str, Any]:
    """Attendance as people: per meeting day (all groups together), first and a year on."""
    m = run.meetings
    by_day = m[m["invited"] > 0].groupby("day", sort=True)["attended"].sum()
    per_week = run.scenario.simulation.days_per_week
    start, end, year_on = _later_window(run)
    window = by_day[(by_day.index >= start) & (by_day.index < end)]
    return {
        "series": [
            [int(d) // per_week, int(a)]
            for d, a in zip(by_day.index.to_numpy(), by_day.to_numpy(), strict=True)
        ],
        "first": int(by_day.iloc[0]) if len(by_day) else 0,
        "later": float(window.mean()) if len(window) else 0.0,
        "year_on": year_on,
    }


def _r(x: float, digits: int = 1) -> float | None:
    return round(float(x), digits) if math.isfinite(float(x)) else None


def cell_numbers(run: RunResult, *, target: int, purpose: str, lang: str) -> dict[str, Any]:
    """One design of the grid in numbers and words.

    Parameters
    ----------
    run : RunResult
        The cell's run (traced or not).
    target : int
        How many people the network is for (its target group).
    purpose : str
        The purpose setting of the cell (``leaders``, ``specialists``, ``practice``).
    lang : {"en", "da"}

    Returns
    -------
    dict
        ``numbers`` (raw, for tests and bars), ``shown`` (formatted strings), ``verdict``
        (``kind`` and ``text``), ``story`` (sentences) and ``attendance`` (``[week,
        people]`` per meeting day).
    """
    s, sim = run.summary, run.scenario.simulation
    members, left = int(s["members"]), int(s["members_left"])
    spent = float(s["hours_per_member_year"]) if members else 0.0
    saved = float(s["participant_hours_saved_year"]) / members if members else 0.0
    total, org_saved = float(s["total_hours_year"]), float(s["sponsor_hours_saved_year"])
    ratio = org_saved / total if total > 0 else math.nan
    people, review = _people(run), _closures(run)
    later = round(people["later"])
    holds = people["first"] > 0 and people["later"] >= HOLDS * people["first"]
    all_closed = review["closed"] > 0 and review["closed"] == review["groups"]
    who = say(f"teach_who.{purpose}", lang)

    def fmt(x: float, digits: int = 0) -> str:
        return number(x, lang, digits=digits)

    # The verdict: first what happened, then whether it paid.
    if members == 0:
        kind, verdict = "nobody", say("teach_verdict.nobody", lang)
    elif all_closed and review["closed_week"] < people_end_week(run):
        kind = "closed"
        verdict = say("teach_verdict.closed", lang, week=review["closed_week"], ratio=fmt(ratio, 1))
        verdict += " " + say(
            "teach_verdict.wrongly" if review["false_closures"] else "teach_verdict.rightly", lang
        )
    elif ratio >= 1:
        kind = "pays" if holds else "mixed"
        key = "teach_verdict.pays" if holds else "teach_verdict.pays_empties"
        verdict = say(key, lang, ratio=fmt(ratio, 1))
    else:
        kind = "fails"
        key = "teach_verdict.fails_holds" if holds else "teach_verdict.fails"
        verdict = say(key, lang, ratio=fmt(ratio, 1))

    story = []
    if members == 0:
        story.append(say("teach_story.nobody", lang, target=fmt(target), who=who))
        if total > 0:
            story.append(say("teach_story.organiser_only", lang, hours=fmt(total)))
    else:
        key = "teach_story.members_all" if members == target else "teach_story.members"
        text = say(key, lang, members=fmt(members), target=fmt(target), who=who)
        if left:
            text += say(
                "teach_story.left_all" if left == members else "teach_story.left", lang, n=fmt(left)
            )
        story.append(text + ".")
        time = working_time(
            spent, lang, hours_per_day=sim.hours_per_day, days_per_week=sim.days_per_week
        )
        story.append(say("teach_story.spends", lang, hours=fmt(spent), time=time, saved=fmt(saved)))
        when = "year" if people["year_on"] else "end"
        if later == 0:
            story.append(say(f"teach_story.coming_none_{when}", lang, first=fmt(people["first"])))
        else:
            story.append(
                say(
                    f"teach_story.coming_{when}", lang, first=fmt(people["first"]), later=fmt(later)
                )
            )
        if review["transformed_week"] is not None:
            story.append(say("teach_story.transformed", lang, week=review["transformed_week"]))
        if review["closed"]:
            story.append(
                say(
                    "teach_story.closed" if all_closed else "teach_story.closed_some",
                    lang,
                    week=review["closed_week"],
                    k=fmt(review["closed"]),
                    groups=fmt(review["groups"]),
                )
            )
        if review["false_closures"]:
            story.append(say("teach_story.false_closure", lang, value=fmt(review["true_value"], 1)))
        story.append(
            say(
                "teach_story.organisation",
                lang,
                total=fmt(total),
                saved=fmt(org_saved),
                ratio=fmt(ratio, 1),
                dkk=money(float(s["cost_dkk_year"]), lang),
            )
        )
        worth = float(s["share_worth_it"])
        if math.isfinite(worth):
            sentence = share_in_ten(worth, lang)
            story.append(sentence[:1].upper() + sentence[1:] + ".")

    coming = say("teach.of", lang, n=fmt(later), target=fmt(target)) if members else fmt(0)
    if members == 0:
        coming_note = say("teach.nobody_joined", lang)
    elif all_closed:
        coming_note = say("teach.closed_in", lang, week=review["closed_week"])
    else:
        coming_note = say("teach.first_meeting", lang, n=fmt(people["first"]))
    return {
        "numbers": {
            "members": members,
            "members_left": left,
            "target": target,
            "hours_per_member_year": _r(spent),
            "hours_saved_per_member_year": _r(saved),
            "total_hours_year": _r(total),
            "sponsor_hours_saved_year": _r(org_saved),
            "sponsor_return_per_hour": _r(ratio, 2),
            "cost_dkk_year": _r(float(s["cost_dkk_year"]), 0),
            "share_worth_it": _r(float(s["share_worth_it"]), 3),
            "first": people["first"],
            "later": _r(people["later"]),
            "closed_groups": review["closed"],
            "false_closures": review["false_closures"],
        },
        "shown": {
            "member_title": say(f"teach_member.{purpose}", lang),
            "member_spent": fmt(spent),
            "member_saved": fmt(saved),
            "member_note": (
                working_time(
                    spent, lang, hours_per_day=sim.hours_per_day, days_per_week=sim.days_per_week
                )
                if members
                else say("teach.nobody_joined", lang)
            ),
            "org_spent": fmt(total),
            "org_saved": fmt(org_saved),
            "org_note": (
                say(
                    "teach.back_per_hour",
                    lang,
                    ratio=fmt(ratio, 1),
                    dkk=money(float(s["cost_dkk_year"]), lang),
                )
                if total > 0
                else say("teach.nothing_spent", lang)
            ),
            "coming": coming,
            "coming_note": coming_note,
        },
        "verdict": {"kind": kind, "text": verdict},
        "story": story,
        "attendance": people["series"],
    }


def people_end_week(run: RunResult) -> int:
    """The last week of "a year later" (closures before it leave nobody coming then)."""
    return _later_window(run)[1] // run.scenario.simulation.days_per_week


def findings(
    cells: Mapping[str, Mapping[str, Any]], lang: str, *, blind: str | None = None
) -> list[str]:
    """What the grid shows, one sentence per purpose and one for the blind design.

    Parameters
    ----------
    cells : mapping
        :func:`cell_numbers` results keyed ``purpose|enrollment|...``.
    lang : {"en", "da"}
    blind : str, optional
        The key of the blind design, said last.

    Returns
    -------
    list of str
    """
    out = []
    purposes = list(dict.fromkeys(k.split("|")[0] for k in cells))
    for purpose in purposes:
        mine = [c for k, c in cells.items() if k.split("|")[0] == purpose]
        ratios = np.array(
            [c["numbers"]["sponsor_return_per_hour"] for c in mine if c["numbers"]["members"]],
            dtype=float,
        )
        ratios = ratios[np.isfinite(ratios)]
        pays = sum(c["verdict"]["kind"] == "pays" for c in mine)
        what = say(f"teach_setting.purpose.{purpose}", lang)
        if ratios.size == 0:
            out.append(say("teach_finding.nobody", lang, what=what))
            continue
        key = "teach_finding.range" if pays else "teach_finding.range_none"
        out.append(
            say(
                key,
                lang,
                what=what[:1].upper() + what[1:],
                lo=number(float(ratios.min()), lang, digits=1),
                hi=number(float(ratios.max()), lang, digits=1),
                k=number(pays, lang),
                n=number(len(mine), lang),
            )
        )
    if blind is not None and blind in cells:
        what = say(f"teach_setting.purpose.{blind.split('|')[0]}", lang)
        text = cells[blind]["verdict"]["text"]
        verdict = text[:1].lower() + text[1:]
        out.append(say("teach_finding.blind", lang, what=what, verdict=verdict))
    return out
