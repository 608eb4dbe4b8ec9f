"""The sponsor's review policy: measure each group's value per hour, then continue, transform
or close it.

:func:`review_process` is the SimPy process (a plain generator taking ``env`` first);
:func:`review` one review of a network's groups; ``_decide`` the policy itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import simpy

from netsim.scenario.schema import Evaluation
from netsim.sim.meeting import meeting_days
from netsim.sim.records import DECISIONS

if TYPE_CHECKING:
    from netsim.sim.metrics import Recorder
    from netsim.sim.state import Batch, State

__all__ = [
    "CLOSE",
    "CONTINUE",
    "DECISIONS",
    "REVIEW_OFFSET",
    "TRANSFORM",
    "review",
    "review_process",
]

#: When in a meeting day (``day + 0.6``, after the meetings) the sponsor reviews.
REVIEW_OFFSET = 0.6
#: Indices into :data:`netsim.sim.records.DECISIONS`, the names the review log uses.
CONTINUE, TRANSFORM, CLOSE = 0, 1, 2


def review_process(env: simpy.Environment, state: State, batch: Batch, rec: Recorder):
    """The sponsor's evaluation of one network's groups, every ``every_meetings`` meetings."""
    for day in meeting_days(batch, state.scenario):
        yield env.timeout(day + REVIEW_OFFSET - env.now)
        ev = state.scenario.evaluation
        if ev is None or not batch.spec.reviewed or batch.spec.kind != "sponsored":
            continue
        if batch.meetings_since_review >= ev.every_meetings:
            review(state, batch, day, ev, rec)


def _decide(value: np.ndarray, transformed: np.ndarray, ev: Evaluation) -> np.ndarray:
    """:data:`CONTINUE`, :data:`TRANSFORM` or :data:`CLOSE`: the policy applied to a value
    per hour (a group is transformed at most once)."""
    out = np.where(value < ev.close_below, CLOSE, CONTINUE)
    if ev.transform_below is not None:
        out = np.where(
            (out == CONTINUE) & (value < ev.transform_below) & ~transformed, TRANSFORM, out
        )
    return out


def review(state: State, batch: Batch, day: int, ev: Evaluation, rec: Recorder) -> None:
    """Measure each reviewed group's sponsor value per hour (with noise) and act on it.

    The decision the sponsor would take on the true value is recorded beside the one it
    takes on the measured value: a group closed though the true decision was not to close is
    a false closure, one kept though it should have been closed a false keep.
    """
    true = np.where(
        batch.window_hours > 0, batch.window_value / np.maximum(batch.window_hours, 1e-300), 0.0
    )
    # One draw per group, reviewed or not, keeps the stream aligned across designs.
    z = state.streams.measurement.standard_normal(batch.groups)
    # Without a clear goal there is nothing to measure against: the noise grows as it blurs.
    sd = ev.measurement_noise * (1.0 + ev.unclear_goal_noise * (1.0 - batch.spec.goal_clarity))
    measured = true * np.exp(sd * z)  # log-normal, unbiased in the median
    reviewed = ~batch.closed & (batch.window_meetings > 0)
    correct = _decide(true, batch.transformed, ev)
    decision = _decide(measured, batch.transformed, ev)
    close = reviewed & (decision == CLOSE)
    transform = reviewed & (decision == TRANSFORM)
    batch.closed |= close
    batch.participation[transform] = ev.transform_participation
    batch.facilitated[transform] = True
    batch.transformed |= transform
    rec.review(batch, day, reviewed, true, measured, decision, correct)
    batch.window_value[reviewed] = 0.0
    batch.window_hours[reviewed] = 0.0
    batch.window_meetings[reviewed] = 0
    batch.meetings_since_review = 0
