"""The row types of a run's tables, each defined once: its columns, in order, with their dtypes.

The recorder builds every table of a :class:`~netsim.sim.result.RunResult` through these
definitions, and :meth:`~netsim.sim.result.RunResult.read` reads the written files back
through the same ones, so a table read back equals the table written, dtypes included.

A dtype of ``"str"`` is pandas' string dtype, inferred from the values (so an empty column of
it stays ``object``, as pandas makes it); ``"object"`` is kept as plain Python objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "ATTENDANCE",
    "BRIDGING_TIE",
    "DECISIONS",
    "EMPLOYEE",
    "KNOWLEDGE",
    "MEETING",
    "MEETING_COLUMNS",
    "RECORDS",
    "REVIEW",
    "TRACE_COLUMNS",
    "WEEKLY",
    "MeetingOutcome",
    "Record",
]

#: The sponsor's decisions at a review, as the review log names them.
DECISIONS: tuple[str, ...] = ("continue", "transform", "close")


@dataclass(frozen=True)
class Record:
    """One row type: its columns in order, each with its dtype.

    Parameters
    ----------
    name : str
        The table's attribute on :class:`~netsim.sim.result.RunResult`.
    file : str
        The file it is written to in a run's directory.
    dtypes : mapping of str to str
        Column -> dtype, in the table's order.
    prefix : tuple of (str, str), optional
        Columns that follow the fixed ones, named ``prefix + NAME`` (one per network), and
        their dtype.
    empty : {"typed", "untyped", "bare"}
        The table without rows: its columns with their dtypes, all columns of ``object``
        dtype, or no columns at all (how each table has always been, so no file changes).
    """

    name: str
    file: str
    dtypes: Mapping[str, str]
    prefix: tuple[str, str] | None = None
    empty: Literal["typed", "untyped", "bare"] = "typed"

    @property
    def columns(self) -> tuple[str, ...]:
        """The fixed columns, in order."""
        return tuple(self.dtypes)

    def dtype(self, column: str) -> str:
        """The dtype of ``column`` (a fixed one, or one named with ``prefix``)."""
        if column in self.dtypes:
            return self.dtypes[column]
        if self.prefix is not None and column.startswith(self.prefix[0]):
            return self.prefix[1]
        raise KeyError(f"{self.name} has no column {column!r}")

    def empty_arrays(self) -> dict[str, np.ndarray]:
        """One empty array per fixed column, of the column's numpy dtype."""
        return {c: np.empty(0, dtype=_numpy_dtype(t)) for c, t in self.dtypes.items()}

    def frame(self, columns: Mapping[str, np.ndarray | pd.Series]) -> pd.DataFrame:
        """The table of ``columns`` (column -> values, in the table's order), each column of
        its dtype. (A table that recorded nothing at all is :meth:`empty_frame`.)"""
        return pd.DataFrame(
            {
                c: pd.Series(np.asarray(v), dtype=_pandas_dtype(self.dtype(c)))
                for c, v in columns.items()
            }
        )

    def empty_frame(self) -> pd.DataFrame:
        """The table without rows."""
        if self.empty == "bare":
            return pd.DataFrame()
        if self.empty == "untyped":
            return pd.DataFrame(columns=list(self.columns))
        return self.frame(self.empty_arrays())


def _numpy_dtype(dtype: str) -> str:
    return "object" if dtype == "str" else dtype


def _pandas_dtype(dtype: str) -> str | None:
    # None lets pandas infer its string dtype from the values, as it does for any table.
    return None if dtype == "str" else dtype


_FLOAT = "float64"

#: The meeting log: one row per meeting (held or cancelled).
MEETING = Record(
    "meetings",
    "meetings.csv",
    {
        "network": "object",  # the network (as named in the scenario)
        "group": "object",  # the group: network name, or name/k when split
        "day": "int64",
        "week": "int64",
        "invited": "int64",  # members at the time of the meeting
        "attended": "int64",  # members who turned up (for a cancelled meeting: who would have)
        "left": "int64",  # members who left the group so far: absent, in attendance rates
        "held": "bool",
        "hours": _FLOAT,  # attendee hours (if held) plus organiser follow-up
        "cost_dkk": _FLOAT,
        "participant_value": _FLOAT,  # hours it saves its attendees over the year ahead
        "sponsor_value": _FLOAT,  # of which on the sponsor's topics (no hours-equivalents)
        "knowledge_gain": _FLOAT,  # sum over attendees of their mean gain on the network's topics
        "bridging_gain": _FLOAT,  # strength gained by new cross-department ties (each tie once)
        "cross_tie_gain": _FLOAT,  # strength gained by all cross-department ties (each tie once)
    },
)

#: The organisation at the end of each week; then ``attendance:NAME`` per network that met.
WEEKLY = Record(
    "weekly",
    "weekly.csv",
    {
        "week": "int64",
        "day": "int64",
        "mean_pressure": _FLOAT,
        "share_overloaded": _FLOAT,
        "knowledge_specialty": _FLOAT,
        "knowledge_leadership": _FLOAT,
        "knowledge_strategy": _FLOAT,
        "knowledge_practice": _FLOAT,
        "bridging_ties": "int64",
        "members": _FLOAT,
    },
    prefix=("attendance:", _FLOAT),
    empty="bare",
)

REVIEW = Record(
    "reviews",
    "reviews.csv",
    {
        "day": "int64",
        "network": "str",
        "group": "str",
        "true_value_per_hour": _FLOAT,
        "measured_value_per_hour": _FLOAT,
        "decision": "str",  # one of DECISIONS
        "true_decision": "str",
    },
    empty="untyped",
)

#: The decision trace (``simulate(..., trace=True)``): one row per invited member per meeting.
ATTENDANCE = Record(
    "attendance",
    "attendance.csv",
    {
        "day": "int64",
        "network": "str",
        "group": "str",
        "employee": "int64",
        "pressure": _FLOAT,
        "overloaded": "bool",
        "expected_value": _FLOAT,
        "obligation": _FLOAT,
        "room": _FLOAT,
        "probability": _FLOAT,
        "came": "bool",
        "held": "bool",
        "value": _FLOAT,
        "knowledge_gain": _FLOAT,
        "bridging_gain": _FLOAT,
    },
    empty="untyped",
)

EMPLOYEE = Record(
    "employees",
    "employees.csv",
    {
        "id": "int64",
        "employee_id": "str",  # the organisation's own ids (an HR export's), or id as text
        "department": "str",
        "unit": "int64",
        "role": "str",
        "specialty": "str",  # empty for no specialty
        "isolated": "bool",
        "member": "bool",
        "invited": "int64",
        "attended": "int64",
        "hours": _FLOAT,
        "cost_dkk": _FLOAT,
    },
)

KNOWLEDGE = Record(
    "knowledge",
    "knowledge.csv",
    {"week": "int64", "topics": "str", "members": _FLOAT, "others": _FLOAT},
)

BRIDGING_TIE = Record(
    "bridging", "bridging_ties.csv", {"a": "int64", "b": "int64", "strength": _FLOAT}
)

#: Every table a run's directory holds, by its attribute on the result.
RECORDS: dict[str, Record] = {
    r.name: r for r in (MEETING, WEEKLY, EMPLOYEE, REVIEW, KNOWLEDGE, BRIDGING_TIE, ATTENDANCE)
}

MEETING_COLUMNS: tuple[str, ...] = MEETING.columns
TRACE_COLUMNS: tuple[str, ...] = ATTENDANCE.columns


@dataclass(frozen=True, eq=False)
class MeetingOutcome:
    """What happened at one meeting day of a network, as ``(group, slot)`` arrays."""

    day: int
    invited: np.ndarray  # bool: member of an open group
    pressure: np.ndarray
    probability: np.ndarray
    vhat_before: np.ndarray
    obligation_before: np.ndarray
    room_before: np.ndarray  # (G,)
    came: np.ndarray  # bool: turned up (also where the meeting was then cancelled)
    held: np.ndarray  # (G,) bool
    attended: np.ndarray  # bool: came to a meeting that was held
    value: np.ndarray  # participant value u
    knowledge_gain: np.ndarray  # mean gain over the network's topics
    bridging_gain: np.ndarray
    cross_tie_gain: np.ndarray  # strength gained on all cross-department ties
    sponsor_value: np.ndarray  # (G,) hours the meeting saves the sponsor (year ahead)
    participant_hours: np.ndarray  # (G, S) hours it saves each attendee (year ahead)
    gone: np.ndarray  # (G, S) bool: members who left an open group, counted absent
