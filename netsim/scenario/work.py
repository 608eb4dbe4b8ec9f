"""The ``[work]`` table: the problems of daily work the networks exist to help (docs/model.md,
"Value in hours"): how many each employee meets, on which kinds of topic, and how long they
take."""

from __future__ import annotations

from pydantic import Field, model_validator

from netsim.scenario.organisation import ROLES, Model
from netsim.scenario.problems import consistency

__all__ = ["PROBLEMS_PER_DAY", "ProblemMix", "TopicShares", "Work"]

#: Problems per working day per employee at the defaults: the problem-load calibration
#: (``experiments/calibrate_problem_load.py``, docs/calibration.md).
PROBLEMS_PER_DAY = 1.9


class TopicShares(Model):
    """The share of an employee's problems on each kind of topic (the shares sum to 1)."""

    specialty: float = Field(0.0, ge=0, le=1, description="Their specialty (specialists).")
    leadership: float = Field(0.0, ge=0, le=1, description="Leading people and units.")
    strategy: float = Field(0.0, ge=0, le=1, description="The organisation's strategy.")
    own_practice: float = Field(0.0, ge=0, le=1, description="Their department's practice.")
    partner_practice: float = Field(
        0.0, ge=0, le=1, description="The practice of one other department their cases touch."
    )

    @model_validator(mode="after")
    def _sum(self) -> TopicShares:
        total = sum(self.as_tuple())
        if abs(total - 1.0) > 1e-9:
            raise consistency("", f"the shares must sum to 1 (got {total:g})")
        return self

    def as_tuple(self) -> tuple[float, ...]:
        """Shares in the order of :data:`netsim.sim.work.KINDS`."""
        return (
            self.specialty,
            self.leadership,
            self.strategy,
            self.own_practice,
            self.partner_practice,
        )


class ProblemMix(Model):
    """Per role, the kinds of topic its problems are on."""

    executive: TopicShares = Field(
        default_factory=lambda: TopicShares(
            leadership=0.2, strategy=0.5, own_practice=0.15, partner_practice=0.15
        )
    )
    head: TopicShares = Field(
        default_factory=lambda: TopicShares(
            leadership=0.3, strategy=0.3, own_practice=0.25, partner_practice=0.15
        )
    )
    leader: TopicShares = Field(
        default_factory=lambda: TopicShares(
            leadership=0.4, strategy=0.1, own_practice=0.35, partner_practice=0.15
        )
    )
    specialist: TopicShares = Field(
        default_factory=lambda: TopicShares(specialty=0.6, own_practice=0.25, partner_practice=0.15)
    )
    employee: TopicShares = Field(
        default_factory=lambda: TopicShares(own_practice=0.8, partner_practice=0.2)
    )

    def as_array(self) -> list[tuple[float, ...]]:
        """(roles, kinds) shares in the order of :data:`~netsim.scenario.organisation.ROLES`."""
        return [getattr(self, r).as_tuple() for r in ROLES]


class Work(Model):
    """The work the networks exist to help: problems in each employee's daily work, and the
    hours they take (``h(K) = solve_hours_max (1 - K)^solve_exponent + solve_hours_min``)."""

    problems_per_day: float = Field(
        PROBLEMS_PER_DAY,
        gt=0,
        le=100,
        description="Problems per working day per employee; calibrated so that solving and "
        "searching take 19 % of working time at the start (docs/calibration.md).",
    )
    problems_sd: float = Field(
        0.5,
        ge=0,
        le=3,
        description="Spread of each employee's problem load: a log-normal multiplier of "
        "median 1 with this SD of its log (some jobs meet many more problems than others).",
    )
    solve_hours_max: float = Field(
        1.5, ge=0, le=100, description="Hours a problem takes with no knowledge, above the least."
    )
    solve_hours_min: float = Field(
        0.25, ge=0, le=100, description="Hours a problem takes with full knowledge."
    )
    solve_exponent: float = Field(
        2.0, gt=0, le=10, description="How fast the hours fall as knowledge grows."
    )
    ask_hours: float = Field(
        0.1, ge=0, le=100, description="What asking a colleague adds to their solving time."
    )
    mix: ProblemMix = Field(default_factory=ProblemMix)
    value_every_weeks: int = Field(
        13, ge=1, le=52, description="Weeks between two measurements of the hours saved."
    )
