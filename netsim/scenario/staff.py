"""Who works where in which role, and who a network's selector finds there.

An organisation's *staff* is the part of it that its settings fix before anything is drawn:
the department, unit and role of every employee (and the specialty, for an organisation read
from files). A generated organisation draws its specialists for each seed, so its staff holds
them as employees still; :func:`netsim.sim.org.build_organisation` draws them and builds the
rest (knowledge, ties) on top.

The run builds its network groups with :func:`matching` and :func:`split_groups`, and the
loader checks them with :func:`network_problems` over the same staff, so a selector that finds
nobody, or fewer people than the quorum, is reported when the scenario is loaded, by the very
code that makes the groups. Nothing here draws random numbers or reads files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from netsim.scenario.schema import ROLES, Network, Organisation, Scenario, Selector

if TYPE_CHECKING:
    from netsim.scenario.roster import Roster

__all__ = [
    "ROLE_INDEX",
    "People",
    "Staff",
    "count_varies_with_seed",
    "department_sizes",
    "isolated_specialists",
    "matching",
    "network_problems",
    "size_problem",
    "split_groups",
    "staff_of",
]

ROLE_INDEX = {r: k for k, r in enumerate(ROLES)}

#: What building an organisation and its run's state needs, at its peak (measured): about 64
#: bytes for every pair of people who may be tied (every pair within a unit, and every pair
#: of executives and heads), so memory grows with the square of a unit's size; and about 24
#: bytes for every employee and topic (the knowledge levels, their copy and the daily step's
#: working arrays). Above ``MAX_BYTES`` a scenario is refused, naming the field to change.
BYTES_PER_PAIR = 64
BYTES_PER_KNOWLEDGE = 24
MAX_BYTES = 4 * 2**30
EXECUTIVE, HEAD, LEADER, SPECIALIST, EMPLOYEE = range(5)


class People(Protocol):
    """What :func:`matching` and :func:`split_groups` read of an organisation (an
    :class:`~netsim.sim.org.Org` or a :class:`Staff`)."""

    @property
    def department(self) -> np.ndarray: ...
    @property
    def unit(self) -> np.ndarray: ...
    @property
    def role(self) -> np.ndarray: ...
    @property
    def specialty(self) -> np.ndarray: ...
    @property
    def isolated(self) -> np.ndarray: ...
    @property
    def department_names(self) -> list[str]: ...
    @property
    def specialties(self) -> list[str]: ...


@dataclass(frozen=True, eq=False)
class Staff:
    """Department, unit, role and specialty of every employee, as the settings fix them.

    Attributes
    ----------
    department, unit, role, specialty : ndarray of int, shape (N,)
        Department index into ``department_names``, unit index (global), role index into
        :data:`~netsim.scenario.organisation.ROLES`, specialty index into ``specialties`` (-1 for
        none). A generated organisation's specialists are not drawn yet: they are employees.
    isolated : ndarray of bool
        Specialists with no one else of their specialty in their department.
    department_names, specialties : list of str
        The scenario's (:meth:`~netsim.scenario.organisation.Organisation.names`,
        ``Organisation.specialties``).
    """

    department: np.ndarray
    unit: np.ndarray
    role: np.ndarray
    specialty: np.ndarray
    isolated: np.ndarray
    department_names: list[str]
    specialties: list[str]

    @property
    def n(self) -> int:
        """Number of employees."""
        return int(self.department.size)


def department_sizes(staff: int, n_depts: int) -> np.ndarray:
    """Deterministic split of staff over departments; the central administration is half size.

    Examples
    --------
    >>> department_sizes(100, 3).tolist()
    [20, 40, 40]
    """
    weights = np.ones(n_depts)
    weights[0] = 0.5
    raw = staff * weights / weights.sum()
    sizes = np.floor(raw).astype(int)
    rest = staff - sizes.sum()
    sizes[np.argsort(-(raw - sizes), kind="stable")[:rest]] += 1
    return sizes


def isolated_specialists(
    department: np.ndarray, specialty: np.ndarray, n_depts: int, n_specialties: int
) -> np.ndarray:
    """(N,) bool: specialists with no one else of their specialty in their department."""
    is_spec = specialty >= 0
    key = department * n_specialties + specialty
    counts = np.bincount(key[is_spec], minlength=n_depts * n_specialties)
    return is_spec & (counts[np.where(is_spec, key, 0)] == 1)


def _generated(cfg: Organisation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Department, unit and role of a generated organisation, before specialists are drawn."""
    staff = cfg.employees - cfg.executives
    dept_sizes = department_sizes(staff, cfg.departments + 1)

    department, unit, role = [], [], []
    department.append(np.zeros(cfg.executives, dtype=np.intp))
    unit.append(np.zeros(cfg.executives, dtype=np.intp))  # unit 0: the executive board
    role.append(np.full(cfg.executives, EXECUTIVE))
    next_unit = 1
    for d, size in enumerate(dept_sizes):
        department.append(np.full(size, d, dtype=np.intp))
        rest = size - 1  # the head has a management unit of their own
        n_units = max(1, -(-rest // cfg.unit_size))
        u = next_unit + 1 + (np.arange(rest) * n_units) // max(rest, 1)
        unit.append(np.r_[next_unit, u])
        r = np.full(size, EMPLOYEE)
        r[0] = HEAD
        first = np.r_[True, u[1:] != u[:-1]] if rest else np.zeros(0, dtype=bool)
        r[1:][first] = LEADER
        role.append(r)
        next_unit += 1 + n_units
    return (
        np.concatenate(department),
        np.concatenate(unit),
        np.concatenate(role).astype(np.int8),
    )


def _from_roster(
    cfg: Organisation, roster: Roster
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Department, unit, role and specialty as the employees file gives them, indexed by the
    scenario's department names and specialties (which name the file's, maybe reordered)."""
    names = cfg.names()
    dept_pos = np.array([names.index(d) for d in roster.department_names], dtype=np.intp)
    spec_pos = np.array(
        [cfg.specialties.index(s) for s in roster.specialties] or [-1], dtype=np.intp
    )
    specialty = np.where(roster.specialty >= 0, spec_pos[np.maximum(roster.specialty, 0)], -1)
    return (
        dept_pos[roster.department],
        roster.unit.astype(np.intp),
        roster.role.astype(np.int8),
        specialty.astype(np.intp),
    )


def staff_of(cfg: Organisation) -> Staff:
    """The staff of an organisation: generated from its sizes, or as its files say.

    Examples
    --------
    >>> s = staff_of(Organisation(employees=60, departments=2))
    >>> s.n, int((s.role == LEADER).sum()), s.department_names
    (60, 5, ['central', 'children', 'schools'])
    """
    names = cfg.names()
    roster = cfg.roster
    if roster is None:
        dep, uni, rol = _generated(cfg)
        specialty = np.full(dep.size, -1, dtype=np.intp)
    else:
        dep, uni, rol, specialty = _from_roster(cfg, roster)
    return Staff(
        department=dep,
        unit=uni,
        role=rol,
        specialty=specialty,
        isolated=isolated_specialists(dep, specialty, len(names), len(cfg.specialties)),
        department_names=names,
        specialties=list(cfg.specialties),
    )


def matching(
    people: People, sel: Selector, *, within: Sequence[int] | np.ndarray | None = None
) -> np.ndarray:
    """(N,) bool: who matches every criterion a selector gives (``sample`` aside).

    ``within`` (a network's ``members_csv``) restricts the match to those employees.
    """
    n = people.department.size
    mask = np.ones(n, dtype=bool)
    if within is not None:
        mask[:] = False
        mask[np.asarray(within, dtype=np.intp)] = True
    if sel.roles:
        mask &= np.isin(people.role, [ROLE_INDEX[r] for r in sel.roles])
    if sel.specialties:
        mask &= np.isin(people.specialty, [people.specialties.index(s) for s in sel.specialties])
    if sel.departments:
        mask &= np.isin(
            people.department, [people.department_names.index(d) for d in sel.departments]
        )
    if sel.ids:
        ids = np.zeros(n, dtype=bool)
        ids[np.asarray(sel.ids, dtype=np.intp)] = True
        mask &= ids
    if sel.isolated is not None:
        mask &= (people.role == SPECIALIST) & (people.isolated == sel.isolated)
    return mask


def split_groups(people: People, members: np.ndarray, max_size: int, how: str) -> list[np.ndarray]:
    """Split a target group into groups of at most ``max_size``.

    ``mixed`` deals people out round-robin after ordering by department, so every group mixes
    departments; ``department`` keeps each department's people together.

    Examples
    --------
    >>> s = staff_of(Organisation(employees=300, departments=3))
    >>> [len(g) for g in split_groups(s, np.arange(45), 20, "mixed")]
    [15, 15, 15]
    """
    if how == "department":
        out: list[np.ndarray] = []
        for d in np.unique(people.department[members]):
            out.extend(
                split_groups(people, members[people.department[members] == d], max_size, "mixed")
            )
        return out
    order = members[np.lexsort((members, people.unit[members], people.department[members]))]
    n_groups = -(-order.size // max_size)
    return [np.sort(order[g::n_groups]) for g in range(n_groups)]


def count_varies_with_seed(cfg: Organisation, spec: Network) -> bool:
    """Whether how many people the network's selector matches can change with the seed: only
    in a generated organisation, whose executives, heads and leaders are fixed by its sizes
    but whose specialists (and so its other employees) are drawn."""
    if cfg.employees_csv is not None:
        return False
    sel = spec.select
    if sel.specialties or sel.isolated is not None:
        return True
    if sel.ids and not sel.roles:
        return False
    return not sel.roles or bool({"specialist", "employee"} & set(sel.roles))


def network_problems(scenario: Scenario) -> Iterator[tuple[str, str]]:
    """(field, message) of every network whose groups cannot meet, whatever the seed.

    A shortfall the seed cannot change is a mistake in the scenario. But a generated
    organisation draws its specialists anew for each seed: a rare specialty may have one
    specialist in one replication and eight in the next. Then the network is built with whom
    it finds, a group below the quorum never meets, and the summary counts it
    (``groups_below_quorum``), so a long comparison does not stop at an unlucky seed. The
    same holds for the smallest group when ``sample`` draws people from several departments
    that are then kept apart (``split = "department"``).

    Examples
    --------
    >>> sc = Scenario.model_validate({"organisation": {"employees": 200}, "networks": {"x": {
    ...     "purpose": "strategy", "enrollment": "automatic",
    ...     "select": {"roles": ["executive"], "departments": ["children"]}}}})
    >>> list(network_problems(sc))
    [('networks.x.select', 'matches nobody in the organisation')]
    """
    staff: Staff | None = None
    for name, spec in scenario.networks.items():
        if count_varies_with_seed(scenario.organisation, spec):
            continue
        if staff is None:
            staff = staff_of(scenario.organisation)
        found = np.flatnonzero(matching(staff, spec.select, within=scenario.members_of(name)))
        sample = spec.select.sample
        count = found.size if sample is None else min(sample, found.size)
        if count == 0:
            yield f"networks.{name}.select", "matches nobody in the organisation"
            continue
        if count < spec.quorum:
            yield (
                f"networks.{name}.quorum",
                f"the selector matches only {count} people, fewer than the quorum "
                f"(got {spec.quorum})",
            )
            continue
        if count < found.size and spec.split == "department":
            continue  # which departments the sample draws from varies with the seed
        groups = split_groups(staff, found[:count], spec.max_size, spec.split)
        smallest = min(len(g) for g in groups)
        if smallest < spec.quorum:
            yield (
                f"networks.{name}.quorum",
                f"split into groups of at most max_size = {spec.max_size}, the smallest group "
                f"has {smallest} people, fewer than the quorum (got {spec.quorum})",
            )


def size_problem(cfg: Organisation) -> tuple[str, str] | None:
    """(field, message) if building the organisation would need more memory than netsim
    allows (``MAX_BYTES``), else None.

    Examples
    --------
    >>> size_problem(Organisation(employees=2000))
    >>> size_problem(Organisation(employees=2_000_000, unit_size=500))[0]
    'organisation.unit_size'
    """
    staff = staff_of(cfg)
    sizes = np.bincount(staff.unit)
    top = int(np.isin(staff.role, (EXECUTIVE, HEAD)).sum())
    pairs = int((sizes * (sizes - 1) // 2).sum()) + top * (top - 1) // 2
    knowledge = staff.department.size * len(cfg.topics())
    need = pairs * BYTES_PER_PAIR + knowledge * BYTES_PER_KNOWLEDGE
    if need <= MAX_BYTES:
        return None
    roster = cfg.roster
    if pairs * BYTES_PER_PAIR >= knowledge * BYTES_PER_KNOWLEDGE:
        largest = int(sizes.argmax())
        if roster is not None:
            dept, unit = roster.unit_names[largest]
            where, field = f"unit {unit!r} of {dept!r}", "organisation.employees_csv"
            fix = "split the largest units in the file"
        else:
            where, field = f"unit {largest}", "organisation.unit_size"
            fix = "make unit_size or employees smaller"
        why = (
            f"every pair of people in a unit may be tied, {pairs:,} pairs in all (the largest, "
            f"{where}, has {sizes[largest]:,} people)"
        )
    else:
        field = "organisation.specialties"
        why = (
            f"{staff.department.size:,} employees each have a knowledge level for every one "
            f"of {len(cfg.topics()):,} topics (specialties, departments, leadership, strategy)"
        )
        fix = "name fewer specialties or departments"
    return field, (
        f"the organisation is too large to build: {why}, which would need about "
        f"{need / 2**30:,.1f} GiB of memory; netsim allows {MAX_BYTES / 2**30:g} GiB: {fix}"
    )
