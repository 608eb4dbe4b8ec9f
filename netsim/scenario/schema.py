"""Scenario schema: what a scenario file may say, with defaults and limits.

A scenario is a TOML file validated by the pydantic models below (``extra="forbid"``, every
model frozen). Everything has a default except the networks, so a ten-line file is a valid
scenario. Names carry their units (``duration_hours``, ``interval_weeks``, ``catering_dkk``).

This module is the schema alone: it reads no file. A path it is given (``employees_csv``,
``members_csv``) is only made absolute, relative to the ``base_dir`` of the validation
context. What the files say is filled in by :mod:`netsim.scenario.load`, which hands the
organisation validator a ``fill`` function in the same context (see
``Organisation._from_files``); validated without one, a scenario is what its tables say.
The flow is Ciw's: read -> fill -> validate -> freeze, and
:func:`netsim.scenario.load.load_scenario` is where it runs and where every problem becomes a
one-line :class:`~netsim.errors.ScenarioError`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from netsim.errors import ScenarioError
from netsim.scenario.organisation import (
    DEFAULT_DEPARTMENTS,
    ROLES,
    Fill,
    Model,
    Organisation,
    Role,
    RoleValues,
    Ties,
    resolve_path,
)
from netsim.scenario.overrides import overridden
from netsim.scenario.problems import consistency, invalid_ref, scenario_error
from netsim.scenario.work import ProblemMix, TopicShares, Work

__all__ = [
    "DEFAULT_DEPARTMENTS",
    "ROLES",
    "Attendance",
    "Change",
    "Diffusion",
    "Evaluation",
    "Fill",
    "Learning",
    "Network",
    "Obligation",
    "Organisation",
    "ProblemMix",
    "Role",
    "RoleValues",
    "Scenario",
    "Selector",
    "Simulation",
    "Ties",
    "TimePressure",
    "TopicShares",
    "Work",
]


#: The longest horizon in weeks the limits of :class:`Simulation` allow (50 years of 366
#: working days, one a week): no week a scenario names can be later.
MAX_WEEKS = 50 * 366
#: Money per attendee, meeting or hour: no municipality pays more (bounds keep costs finite).
MAX_DKK = 1e7


class Simulation(Model):
    """Clock and horizon. One SimPy time unit is one working day."""

    years: float = Field(2.0, gt=0, le=50, description="Horizon in years.")
    seed: int = Field(1, ge=0, description="Default seed; `netsim run --seed` overrides it.")
    days_per_year: int = Field(220, ge=50, le=366, description="Working days per year.")
    days_per_week: int = Field(5, ge=1, le=7, description="Working days per week.")
    hours_per_day: float = Field(7.4, gt=0, le=24, description="Working hours per day.")

    @model_validator(mode="after")
    def _a_day_at_least(self) -> Simulation:
        # A run of no working day has no year to report per (the summary divides by it).
        if round(self.years * self.days_per_year) < 1:
            raise consistency(
                "years",
                f"the horizon must hold at least one working day: more than "
                f"{0.5 / self.days_per_year:.3g} years at days_per_year = {self.days_per_year} "
                f"(got {self.years})",
            )
        return self


class TimePressure(Model):
    """Mean-reverting daily AR(1) pressure with department-wide busy periods."""

    mean_by_role: RoleValues = Field(
        default_factory=lambda: RoleValues(
            executive=0.62, head=0.62, leader=0.6, specialist=0.45, employee=0.45
        )
    )
    individual_sd: float = Field(0.05, ge=0, le=1, description="Spread of personal mean levels.")
    reversion_per_day: float = Field(0.15, gt=0, le=1, description="theta of the AR(1).")
    noise_sd_per_day: float = Field(0.07, ge=0, le=1, description="sigma of the AR(1).")
    overload: float = Field(0.9, gt=0, le=1, description="Above this, nobody attends a meeting.")
    busy_periods_per_year: float = Field(1.5, ge=0, le=52, description="Per department.")
    busy_period_weeks: float = Field(4.0, gt=0, le=52)
    busy_period_raise: float = Field(0.2, ge=0, le=1, description="Added to the mean level.")


class Obligation(Model):
    """Felt obligation to attend at enrollment, by enrollment kind."""

    automatic: float = Field(1.0, ge=0, le=5)
    invitation: float = Field(0.5, ge=0, le=5)
    voluntary: float = Field(0.0, ge=0, le=5)


class Attendance(Model):
    """The attendance decision and how members learn what a network is worth.

    ``P(attend) = sigmoid(intercept + value_weight*vhat + obligation_weight*o
    + room_weight*a - pressure_weight*p - hours_weight*h)``, with ``vhat`` the hours a member
    expects a meeting to save them per hour it costs them (1: worth it, no more).
    """

    intercept: float = Field(0.58, ge=-20, le=20)
    value_weight: float = Field(
        1.5, ge=0, le=50, description="Per hour expected saved per hour spent."
    )
    obligation_weight: float = Field(1.0, ge=0, le=50)
    room_weight: float = Field(1.0, ge=0, le=50)
    pressure_weight: float = Field(2.0, ge=0, le=50)
    hours_weight: float = Field(1.0, ge=0, le=50, description="Per working day of meeting hours.")
    obligation: Obligation = Field(default_factory=Obligation)
    obligation_fade_per_meeting: float = Field(0.9, ge=0, le=1)
    prior_value: float = Field(
        1.0,
        ge=0,
        le=20,
        description="Hours expected saved per hour spent before any meeting, whatever the "
        "design: people give a network a try.",
    )
    prior_value_sd: float = Field(0.3, ge=0, le=20, description="Its spread between people.")
    value_learning_rate: float = Field(0.3, gt=0, le=1, description="eta in vhat update.")
    hearsay_weight: float = Field(0.5, ge=0, le=1, description="Absent members learn this much.")
    leave_threshold: float = Field(
        1.0, ge=0, le=20, description="Below this many hours expected per hour, members leave."
    )
    leave_after_meetings: int = Field(3, ge=1, le=100)
    join_threshold: float = Field(
        1.0, ge=0, le=20, description="Above this, word of mouth makes candidates join."
    )


class Learning(Model):
    """Learning, tie formation and value at meetings."""

    lecture_rate: float = Field(0.1, ge=0, le=1, description="Share of gap to the best closed.")
    peer_rate: float = Field(0.3, ge=0, le=1, description="Share of mean peer gap closed.")
    base_efficiency: float = Field(0.3, ge=0, le=1)
    clarity_efficiency: float = Field(0.4, ge=0, le=1)
    facilitation_efficiency: float = Field(0.2, ge=0, le=1)
    forgetting_per_year: float = Field(
        0.5, ge=0, le=50, description="Knowledge above the working level fades at this rate."
    )
    tie_rate: float = Field(0.05, ge=0, le=1, description="Tie growth per meeting, participatory.")
    lecture_tie_share: float = Field(0.2, ge=0, le=1, description="Lecture tie growth share.")
    tie_threshold: float = Field(0.05, gt=0, le=1, description="A new tie counts at or above this.")
    alliance_hours_per_tie: float = Field(
        4.0,
        ge=0,
        le=1000,
        description="Hours-equivalent a year of a full-strength new tie across departments "
        "(an alliance), times the member's career motive.",
    )
    teaching_credit: float = Field(
        0.0,
        ge=0,
        le=10,
        description="Hours-equivalent a member counts for each hour that what they taught at a "
        "meeting is expected to save the colleagues who learnt it (recognition for teaching); "
        "0, the default: none. Off in the calibrated model; a what-if (docs/model.md).",
    )


class Diffusion(Model):
    """Informal, daily knowledge diffusion over ties."""

    talk_prob_per_day: float = Field(0.2, ge=0, le=1, description="q; times (1 - pressure).")
    gap_share: float = Field(0.02, ge=0, le=1, description="alpha: share of the gap closed.")
    tie_decay_per_week: float = Field(0.02, ge=0, le=1, description="Towards the initial level.")


class Selector(Model):
    """Who a network is for; all given criteria must hold."""

    roles: list[Role] = Field(default_factory=list)
    specialties: list[str] = Field(default_factory=list)
    departments: list[str] = Field(default_factory=list)
    ids: list[int] = Field(default_factory=list)
    isolated: bool | None = Field(None, description="Only (non-)isolated specialists.")
    sample: int | None = Field(None, ge=1, le=2_000_000, description="Invite this many at random.")


Purpose = Literal["competence", "knowledge_sharing", "strategy", "leader_forum"]


class Network(Model):
    """A designed network; a large target group is split into groups of at most max_size."""

    kind: Literal["sponsored", "self_organised"] = "sponsored"
    purpose: Purpose
    topics: list[str] | None = Field(None, description="Default: fixed by purpose.")
    select: Selector
    members_csv: str | None = Field(
        None,
        description="An existing network's members (column employee_id: ids of "
        "organisation.employees_csv); the target group is the people listed who also match "
        "select (`select = {}` takes the list as it is). A path relative to the scenario file.",
    )
    enrollment: Literal["automatic", "invitation", "voluntary"]
    max_size: int = Field(20, ge=2, le=500)
    split: Literal["mixed", "department"] = "mixed"
    goal_clarity: float = Field(0.5, ge=0, le=1)
    participation: float = Field(0.5, ge=0, le=1, description="0 lecture, 1 participatory.")
    facilitation: Literal["none", "professional"] = "none"
    interval_weeks: float = Field(4.0, gt=0, le=104)
    duration_hours: float = Field(2.5, ge=0, le=24)
    prep_hours: float = Field(0.5, ge=0, le=100)
    travel_hours: float = Field(0.5, ge=0, le=24)
    followup_hours: float = Field(2.0, ge=0, le=100, description="Organiser's, per meeting.")
    organiser_role: Role = "specialist"
    catering_dkk: float = Field(75.0, ge=0, le=MAX_DKK, description="Per attendee.")
    facilitator_dkk: float = Field(
        5000.0, ge=0, le=MAX_DKK, description="Per meeting held with professional facilitation."
    )
    quorum: int = Field(3, ge=1)
    start_week: float = Field(0.0, ge=0, le=MAX_WEEKS)
    end_week: float | None = Field(None, gt=0, le=MAX_WEEKS)
    reviewed: bool = Field(
        True,
        description="Reviewed under the scenario's evaluation policy, if it has one "
        "(self-organised networks never are).",
    )

    @field_validator("members_csv")
    @classmethod
    def _absolute(cls, value: str | None, info: ValidationInfo) -> str | None:
        return resolve_path(value, info)

    @model_validator(mode="after")
    def _combinations(self) -> Network:
        if self.quorum > self.max_size:
            raise consistency(
                "quorum", f"must be at most max_size = {self.max_size} (got {self.quorum})"
            )
        if self.end_week is not None and self.end_week <= self.start_week:
            raise consistency(
                "end_week", f"must be after start_week = {self.start_week} (got {self.end_week})"
            )
        if self.purpose == "competence" and not self.topics and not self.select.specialties:
            raise consistency("topics", "a competence network needs topics or select.specialties")
        return self

    def hours_per_attendee(self) -> float:
        """Duration, travel and preparation: one attendee's hours for one meeting."""
        return self.duration_hours + self.travel_hours + self.prep_hours

    def resolved_topics(self, org: Organisation) -> list[str]:
        """The topics this network is about (explicit, or fixed by its purpose)."""
        if self.topics:
            return list(self.topics)
        match self.purpose:
            case "competence":
                return list(self.select.specialties)
            case "knowledge_sharing":
                return [f"practice:{d}" for d in org.names()]
            case "strategy":
                return ["strategy"]
            case _:
                return ["leadership", "strategy"]


class Evaluation(Model):
    """The sponsor's review policy: measure, then continue, transform or close.

    Every ``every_meetings`` meetings of a reviewed network the sponsor measures each group's
    sponsor value per attendee hour since the last review, with a log-normal error of
    ``measurement_noise``, and closes the group below ``close_below``, transforms it
    (participatory, professionally facilitated; once) below ``transform_below``, and lets it
    continue otherwise.
    """

    every_meetings: int = Field(4, ge=1, le=1000, description="Meetings between reviews.")
    close_below: float = Field(
        0.5,
        ge=0,
        le=100,
        description="Close below this many hours saved on the sponsor's topics per attendee hour.",
    )
    transform_below: float | None = Field(
        1.0,
        ge=0,
        le=100,
        description="Transform below this (and at or above close_below); none: never.",
    )
    transform_participation: float = Field(
        0.9, ge=0, le=1, description="Participation after a transformation."
    )
    measurement_noise: float = Field(
        0.0,
        ge=0,
        le=10,
        description="SD of the log of measured / true value per hour with a perfectly clear goal.",
    )
    unclear_goal_noise: float = Field(
        4.0,
        ge=0,
        le=100,
        description="How the noise grows as the goal blurs: its SD is measurement_noise * "
        "(1 + unclear_goal_noise * (1 - goal_clarity)); without a clear goal there is "
        "nothing to measure against.",
    )

    @model_validator(mode="after")
    def _order(self) -> Evaluation:
        if self.transform_below is not None and self.transform_below < self.close_below:
            raise consistency(
                "transform_below",
                f"must be at least close_below = {self.close_below} (got {self.transform_below})",
            )
        return self


#: What a scheduled change may set during a run: behaviour, and how networks meet.
#: Structure (organisation, membership, schedule of meetings) is fixed when a run starts.
CHANGEABLE = (
    "attendance.",
    "learning.",
    "diffusion.",
    "time_pressure.mean_by_role.",
    "time_pressure.reversion_per_day",
    "time_pressure.noise_sd_per_day",
    "time_pressure.overload",
    "time_pressure.busy_period_raise",
    "evaluation.",
)
CHANGEABLE_NETWORK_FIELDS = (
    "goal_clarity",
    "participation",
    "facilitation",
    "duration_hours",
    "prep_hours",
    "travel_hours",
    "followup_hours",
    "organiser_role",
    "catering_dkk",
    "facilitator_dkk",
    "quorum",
    "reviewed",
)


class Change(Model):
    """A change applied during the run: ``set`` maps dotted paths to new values."""

    at_week: float = Field(ge=0, le=MAX_WEEKS, description="Applied at the start of this week.")
    set: dict[str, float | int | str | bool] = Field(min_length=1)


def _first_meeting(net: Network, per_week: int) -> int:
    """The working day of a network's first meeting (as the run's meeting days have it)."""
    return round(net.start_week * per_week)


def _wrong_type(path: str, value: object) -> str | None:
    """What is wrong with ``value`` as the field at ``path`` (a changeable one), or None.

    A scheduled value is checked strictly with its field's own type and limits, as a file's
    value is: ``"0.9"`` and ``true`` are no numbers, ``2.5`` is no count.
    """
    model: type[BaseModel] = Scenario
    parts = path.split(".")
    info = None
    for k, part in enumerate(parts):
        if k == 1 and parts[0] == "networks":
            continue  # a network's name
        info = model.model_fields.get(part)
        if info is None:
            return None  # no such field: the validation of the change says so
        inner = [a for a in (info.annotation, *get_args(info.annotation)) if _is_model(a)]
        if k < len(parts) - 1:
            if not inner:
                return None
            model = inner[0]
    if info is None or any(_is_model(a) for a in (info.annotation, *get_args(info.annotation))):
        return None
    try:
        field_type: Any = Annotated[info.annotation, info]  # the type with its limits
        TypeAdapter(field_type).validate_python(value, strict=True)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"]
        return f"{msg[0].lower()}{msg[1:]} (got {value!r})"
    return None


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _changeable(path: str) -> bool:
    parts = path.split(".")
    if parts[0] == "networks":
        return len(parts) == 3 and parts[2] in CHANGEABLE_NETWORK_FIELDS
    return path.startswith(CHANGEABLE) or path in {c.rstrip(".") for c in CHANGEABLE}


class Scenario(Model):
    """A complete scenario: organisation, behaviour and the designed networks."""

    name: str = ""
    description: str = ""
    simulation: Simulation = Field(default_factory=Simulation)
    organisation: Organisation = Field(default_factory=Organisation)
    time_pressure: TimePressure = Field(default_factory=TimePressure)
    attendance: Attendance = Field(default_factory=Attendance)
    learning: Learning = Field(default_factory=Learning)
    diffusion: Diffusion = Field(default_factory=Diffusion)
    work: Work = Field(default_factory=Work)
    networks: dict[str, Network] = Field(default_factory=dict)
    evaluation: Evaluation | None = Field(
        None, description="The sponsor's review policy; none: nobody evaluates (the usual case)."
    )
    schedule: list[Change] = Field(
        default_factory=list, description="Changes applied during the run, by week."
    )
    _members: dict[str, tuple[int, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        org = self.organisation
        topics, depts, specs = set(org.topics()), set(org.names()), set(org.specialties)
        per_week = self.simulation.days_per_week
        for name, net in self.networks.items():
            where = f"networks.{name}"
            if net.interval_weeks * per_week < 1:
                raise consistency(
                    f"{where}.interval_weeks",
                    f"at most one meeting a working day: at least {1 / per_week:g} "
                    f"(got {net.interval_weeks})",
                )
            first, end = _first_meeting(net, per_week), self.horizon_days
            first_week = net.start_week
            if net.end_week is not None:
                end = min(end, round(net.end_week * per_week))
            if first >= end:
                if end < self.horizon_days:
                    field, why = (
                        "end_week",
                        f"it ends before its first meeting (week {first_week:g})",
                    )
                else:
                    field, why = (
                        "start_week",
                        (
                            f"it starts at or after the end of the horizon "
                            f"({self.horizon_days / per_week:g} weeks)"
                        ),
                    )
                raise consistency(
                    f"{where}.{field}",
                    f"the network would never meet: {why} (got {getattr(net, field)})",
                )
            for t in net.topics or []:
                if t not in topics:
                    raise invalid_ref(f"{where}.topics", t, topics)
            for d in net.select.departments:
                if d not in depts:
                    raise invalid_ref(f"{where}.select.departments", d, depts)
            for s in net.select.specialties:
                if s not in specs:
                    raise invalid_ref(f"{where}.select.specialties", s, specs)
            for i in net.select.ids:
                if not 0 <= i < org.employees:
                    raise consistency(
                        f"{where}.select.ids",
                        f"employee ids run from 0 to {org.employees - 1} (got {i})",
                    )
        return self

    @model_validator(mode="after")
    def _member_files(self) -> Scenario:
        org = self.organisation
        with_ids = org.employees_csv is not None or org.graph is not None or org.roster is not None
        for name, net in self.networks.items():
            if net.members_csv is not None and not with_ids:
                raise consistency(
                    f"networks.{name}.members_csv",
                    "needs organisation.employees_csv or organisation.graph: a member list "
                    "names ids of that file",
                )
        return self

    @model_validator(mode="after")
    def _schedule(self) -> Scenario:
        weeks = self.horizon_days / self.simulation.days_per_week
        base = self.model_copy(update={"schedule": []})
        for k, change in enumerate(self.schedule):
            where = f"schedule.{k}"
            if change.at_week >= weeks:
                raise consistency(
                    f"{where}.at_week",
                    f"must be within the horizon of {weeks:g} weeks (got {change.at_week})",
                )
            for path, value in change.set.items():
                if not _changeable(path):
                    raise consistency(
                        f"{where}.set",
                        f"{path!r} cannot change during a run; changeable: attendance.*, "
                        "learning.*, diffusion.*, evaluation.*, time pressure levels, and "
                        f"networks.NAME.{{{', '.join(CHANGEABLE_NETWORK_FIELDS)}}}",
                    )
                problem = _wrong_type(path, value)
                if problem is not None:
                    raise consistency(f"{where}.set", f"{path}: {problem}")
            # Checked by the schema alone: a change neither reads files nor reshapes groups.
            try:
                base = Scenario.model_validate(overridden(base, change.set))
            except ScenarioError as exc:
                raise consistency(f"{where}.set", f"{exc.field}: {exc.message}") from None
            except ValidationError as exc:
                err = scenario_error(Scenario, exc, "")
                raise consistency(f"{where}.set", f"{err.field}: {err.message}") from None
        return self

    def members_of(self, network: str) -> tuple[int, ...] | None:
        """Employee positions listed in a network's ``members_csv``, or ``None`` if it has none.

        Read by the loader (:mod:`netsim.scenario.load`), so a run never reads the file.
        """
        return self._members.get(network)

    @property
    def horizon_days(self) -> int:
        """Simulated working days."""
        return round(self.simulation.years * self.simulation.days_per_year)
