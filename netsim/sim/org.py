"""The organisation: employees, departments, units, roles, knowledge and informal ties.

An organisation is generated from a few numbers, or built from what CSV files say about it
(a :class:`~netsim.scenario.roster.Roster`, read by :mod:`netsim.scenario.roster` when the
scenario is loaded):
the files fix who works where in which role, and everything else (career motives, initial
knowledge, the ties the files do not give) is drawn exactly as for a generated organisation,
by the same code.

Everything per employee is a numpy array indexed by employee id (0..N-1). The informal tie
graph is held as a symmetric ``scipy.sparse.csr_array`` of tie strengths, the form the daily
step needs; :meth:`Org.to_networkx` gives the same graph as a NetworkX ``Graph``
with node attributes, for analysis and drawing.

Why the ties are drawn with numpy rather than NetworkX generators: the structure is a block
model of thousands of small blocks (units) plus sparse random ties, and both building it with
``networkx`` generators block by block and holding a 45,000-node ``nx.Graph`` in memory cost
seconds and hundreds of MB. The graph the model uses is identical; NetworkX is used where it
earns its keep (analysis, layout).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import scipy.sparse as sp

from netsim.scenario.graph import GraphRoster
from netsim.scenario.load import parse_organisation
from netsim.scenario.schema import ROLES, Organisation, Selector
from netsim.scenario.staff import (
    EMPLOYEE,
    EXECUTIVE,
    HEAD,
    LEADER,
    ROLE_INDEX,
    SPECIALIST,
    isolated_specialists,
    matching,
    split_groups,
    staff_of,
)

if TYPE_CHECKING:
    from netsim.scenario.roster import Roster

__all__ = [
    "ROLE_INDEX",
    "Org",
    "build_organisation",
    "load_organisation",
    "select_members",
    "split_groups",
]


# Initial knowledge: uniform ranges (low, high) by situation. A specialist knows their
# specialty, a department its own practice, executives strategy; everybody else a little.
_GENERAL = (0.05, 0.2)
# Isolated specialists start from the same range as the others: what the networks give them
# is someone to ask, not a head start to catch up on (issue 16; docs/calibration.md, fact 4).
_SPECIALTY = (0.5, 0.9)
_OWN_PRACTICE = (0.4, 0.8)
_LEADERSHIP = {EXECUTIVE: (0.6, 0.9), HEAD: (0.5, 0.8), LEADER: (0.3, 0.6)}
_STRATEGY = {EXECUTIVE: (0.6, 0.9), HEAD: (0.4, 0.7), LEADER: (0.2, 0.4)}


@dataclass(eq=False)
class Org:
    """A built organisation.

    Attributes
    ----------
    department, unit, role, specialty : ndarray of int, shape (N,)
        Department index, unit index (global), role index into ``ROLES``, specialty index
        (-1 for none).
    isolated : ndarray of bool
        Specialists with no one else of their specialty in their department.
    career : ndarray of float
        Career motive in (0, 1): how much a person values new alliances.
    wage_dkk : ndarray of float
        Hourly cost by role.
    knowledge : ndarray of float, shape (N, topics)
        Initial knowledge levels in [0, 1].
    ties : scipy.sparse.csr_array, shape (N, N)
        Symmetric informal tie strengths in (0, 1].
    employee_ids : list of str, optional
        For an organisation loaded from CSV, the ``id`` of each employee in the file (employee
        ``k`` is the file's ``k``-th row), or from a graph, its node ids as text; ``None`` for
        a generated one.
    unit_names : list of str, optional
        The name of each unit, where the files or the graph name them; ``None`` for a
        generated organisation (whose units are numbers).
    """

    department: np.ndarray
    unit: np.ndarray
    role: np.ndarray
    specialty: np.ndarray
    isolated: np.ndarray
    career: np.ndarray
    wage_dkk: np.ndarray
    knowledge: np.ndarray
    ties: sp.csr_array
    department_names: list[str]
    specialties: list[str]
    topics: list[str]
    employee_ids: list[str] | None = None
    unit_names: list[str] | None = None

    @property
    def n(self) -> int:
        """Number of employees."""
        return int(self.department.size)

    def topic_index(self, names: list[str]) -> np.ndarray:
        """Column indices of the named topics."""
        pos = {t: k for k, t in enumerate(self.topics)}
        return np.array([pos[t] for t in names], dtype=np.intp)

    def to_networkx(self) -> nx.Graph:
        """The informal tie graph as a NetworkX graph with node attributes.

        Examples
        --------
        >>> from netsim.scenario.schema import Organisation
        >>> from netsim.sim.rng import Streams
        >>> cfg = Organisation(employees=60, departments=2)
        >>> org = build_organisation(cfg, rng=Streams(1).organisation)
        >>> g = org.to_networkx()
        >>> g.number_of_nodes(), g.nodes[0]["role"]
        (60, 'executive')
        """
        g = nx.from_scipy_sparse_array(self.ties, edge_attribute="weight")
        for i in range(self.n):
            g.nodes[i].update(
                department=self.department_names[self.department[i]],
                unit=int(self.unit[i]),
                role=ROLES[self.role[i]],
                specialty=self.specialties[self.specialty[i]] if self.specialty[i] >= 0 else "",
            )
            if self.employee_ids is not None:
                g.nodes[i]["employee_id"] = self.employee_ids[i]
        return g


def _pairs_of(size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(size, 1)``: every pair of ``size`` places, once; read-only for the
    small sizes that come up in every organisation built (units, specialists of a specialty
    in a department), which are kept."""
    return _small_pairs(size) if size <= _KEPT_PAIRS else np.triu_indices(size, 1)


#: Up to this many places, :func:`_pairs_of` keeps the pairs (at most 2,016 of them).
_KEPT_PAIRS = 64


@functools.lru_cache(maxsize=_KEPT_PAIRS + 1)
def _small_pairs(size: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.triu_indices(size, 1)
    a.flags.writeable = b.flags.writeable = False
    return a, b


def _unit_pairs(unit: np.ndarray, prob: float, rng: np.random.Generator) -> np.ndarray:
    """Each pair within the same unit tied with probability ``prob``; shape (E, 2)."""
    order = np.argsort(unit, kind="stable")
    u_sorted = unit[order]
    starts = np.flatnonzero(np.r_[True, u_sorted[1:] != u_sorted[:-1]])
    sizes = np.diff(np.r_[starts, unit.size])
    out = []
    for s in np.unique(sizes):
        if s < 2:
            continue
        a, b = _pairs_of(int(s))
        base = starts[sizes == s][:, None]
        out.append(np.stack([order[base + a], order[base + b]], axis=-1).reshape(-1, 2))
    if not out:
        return np.empty((0, 2), dtype=np.intp)
    pairs = np.concatenate(out)
    return pairs[rng.random(len(pairs)) < prob]


def _random_pairs(
    groups: np.ndarray, mean_degree: float, rng: np.random.Generator, *, across: bool
) -> np.ndarray:
    """Random pairs inside each group (``across=False``) or between groups (``across=True``)."""
    n = groups.size
    if across:
        # Pairs are drawn over everybody and same-group pairs dropped: draw more to match.
        share = np.bincount(groups) / n
        p_cross = 1.0 - float((share**2).sum())
        if p_cross <= 0:
            return np.empty((0, 2), dtype=np.intp)
        m = rng.poisson(mean_degree * n / 2 / p_cross)
        a, b = rng.integers(0, n, m), rng.integers(0, n, m)
        keep = groups[a] != groups[b]
        return np.stack([a[keep], b[keep]], axis=-1)
    order = np.argsort(groups, kind="stable")
    g_sorted = groups[order]
    starts = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1]])
    sizes = np.diff(np.r_[starts, n])
    m = rng.poisson(mean_degree * sizes / 2)
    start_rep, size_rep = np.repeat(starts, m), np.repeat(sizes, m)
    a = order[start_rep + (rng.random(m.sum()) * size_rep).astype(np.intp)]
    b = order[start_rep + (rng.random(m.sum()) * size_rep).astype(np.intp)]
    return np.stack([a, b], axis=-1)


def _specialty_peers(dep: np.ndarray, specialty: np.ndarray) -> np.ndarray:
    """(k, 2) every pair of specialists of the same specialty in the same department.

    Examples
    --------
    >>> _specialty_peers(np.array([0, 0, 0, 1, 1]), np.array([2, 2, -1, 2, 2])).tolist()
    [[0, 1], [3, 4]]
    """
    who = np.flatnonzero(specialty >= 0)
    key = dep[who].astype(np.int64) * (int(specialty.max(initial=0)) + 1) + specialty[who]
    who = who[np.argsort(key, kind="stable")]
    key = np.sort(key, kind="stable")
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    out = [np.empty((0, 2), dtype=np.intp)]
    for lo, hi in itertools.pairwise(bounds):  # a few dozen groups: departments x specialties
        a, b = _pairs_of(int(hi - lo))
        out.append(np.stack([who[lo:hi][a], who[lo:hi][b]], axis=-1))
    return np.concatenate(out)


def _symmetric(n: int, pairs: np.ndarray, strength: np.ndarray) -> sp.csr_array:
    """Symmetric CSR of the pairs; a pair drawn twice keeps its strongest tie."""
    a, b = pairs[:, 0], pairs[:, 1]
    keep = a != b
    lo, hi, w = np.minimum(a, b)[keep], np.maximum(a, b)[keep], strength[keep]
    key = lo.astype(np.int64) * n + hi
    order = np.argsort(key)
    key, w = key[order], w[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    key, w = key[first], np.maximum.reduceat(w, first)
    lo, hi = key // n, key % n
    rows, cols = np.r_[lo, hi], np.r_[hi, lo]
    mat = sp.coo_array((np.r_[w, w], (rows, cols)), shape=(n, n)).tocsr()
    mat.sort_indices()
    return mat


def _line_pairs(dep: np.ndarray, leaders: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """Each leader with every head of their department (one in a generated organisation;
    a loaded one may have several, or none); shape (E, 2)."""
    li, hi = np.nonzero(dep[leaders][:, None] == dep[heads][None, :])
    return np.stack([leaders[li], heads[hi]], axis=-1).reshape(-1, 2)


def _with_known_ties(
    pairs: list[np.ndarray], strength: list[np.ndarray], roster: Roster, default: float, n: int
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The drawn ties with the file's known ties put in: a known pair keeps the file's
    strength (``default`` where the file gives none), whatever was drawn for it."""
    known = np.stack([roster.tie_a, roster.tie_b], axis=-1).reshape(-1, 2)
    known_strength = np.where(np.isnan(roster.tie_strength), default, roster.tie_strength)

    def key(p: np.ndarray) -> np.ndarray:
        return np.minimum(p[:, 0], p[:, 1]).astype(np.int64) * n + np.maximum(p[:, 0], p[:, 1])

    known_keys = key(known)
    keep = [~np.isin(key(p), known_keys) for p in pairs]
    return (
        [*(p[k] for p, k in zip(pairs, keep, strict=True)), known],
        [*(w[k] for w, k in zip(strength, keep, strict=True)), known_strength],
    )


def _generated_people(
    cfg: Organisation, *, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Department, unit, role and specialty of a generated organisation: the staff its sizes
    fix, with specialists drawn from the employees."""
    staff = staff_of(cfg)
    dep, uni, rol = staff.department, staff.unit, staff.role.copy()
    n = dep.size
    specialty = np.full(n, -1, dtype=np.intp)
    is_spec = (rol == EMPLOYEE) & (rng.random(n) < cfg.specialist_share)
    rol[is_spec] = SPECIALIST
    specialty[is_spec] = rng.integers(0, len(cfg.specialties), int(is_spec.sum()))
    return dep, uni, rol, specialty


def build_organisation(cfg: Organisation, *, rng: np.random.Generator) -> Org:
    """Generate an organisation from a few numbers, or build it from its CSV files.

    Who works where in which role comes from ``cfg`` (generated) or from ``cfg.roster`` (the
    scenario names ``employees_csv``, or ``graph``). The rest is drawn the same way for all:
    career motives, initial knowledge, and the informal ties within the units and
    departments, across departments and along the hierarchy; ties given by ``ties_csv``
    replace what is drawn for the same pairs. A graph gives all the ties (none is drawn),
    and the career motives and starting knowledge it gives replace what is drawn.

    Parameters
    ----------
    cfg : Organisation
        Sizes, specialties, wages and tie parameters, and the loaded files if any.
    rng : numpy.random.Generator
        The ``organisation`` stream; nothing else is drawn from it.

    Returns
    -------
    Org

    Examples
    --------
    >>> from netsim.scenario.schema import Organisation
    >>> from netsim.sim.rng import Streams
    >>> org = build_organisation(Organisation(employees=2000), rng=Streams(1).organisation)
    >>> org.n, int((org.role == LEADER).sum()), len(org.department_names)
    (2000, 135, 8)
    """
    names = cfg.names()
    n_depts = len(names)
    roster = cfg.roster
    if roster is None:
        dep, uni, rol, specialty = _generated_people(cfg, rng=rng)
    else:
        staff = staff_of(cfg)
        dep, uni, rol, specialty = staff.department, staff.unit, staff.role, staff.specialty
    n = dep.size
    is_spec = specialty >= 0
    isolated = isolated_specialists(dep, specialty, n_depts, len(cfg.specialties))

    a = cfg.career_motive_mean * 4.0
    career = rng.beta(a, 4.0 - a, n)
    wage = np.asarray(cfg.hourly_cost_dkk.as_tuple())[rol]
    if roster is not None:  # the file's hourly costs, where it gives them
        wage = np.where(np.isnan(roster.wage_dkk), wage, roster.wage_dkk)

    topics = cfg.topics()
    n_spec = len(cfg.specialties)
    know = rng.uniform(*_GENERAL, size=(n, len(topics)))
    spec_rows = np.flatnonzero(is_spec)
    level = rng.uniform(*_SPECIALTY, spec_rows.size)
    # Drawn (and not used) so that every later draw stays where it was.
    rng.uniform(*_SPECIALTY, spec_rows.size)
    know[spec_rows, specialty[spec_rows]] = level
    for col, table in ((n_spec, _LEADERSHIP), (n_spec + 1, _STRATEGY)):
        for role_k, rng_range in table.items():
            rows = np.flatnonzero(rol == role_k)
            know[rows, col] = rng.uniform(*rng_range, rows.size)
    know[np.arange(n), n_spec + 2 + dep] = rng.uniform(*_OWN_PRACTICE, n)

    if isinstance(roster, GraphRoster):
        return _from_graph(cfg, roster, dep, uni, rol, specialty, isolated, career, wage, know)

    t = cfg.ties
    pairs = [
        _unit_pairs(uni, t.within_unit_prob, rng),
        _random_pairs(dep, t.within_department_degree, rng, across=False),
        _random_pairs(dep, t.cross_department_degree, rng, across=True),
    ]
    strength = [rng.uniform(t.strength_min, t.strength_max, len(p)) for p in pairs]
    # The hierarchy: leaders with their head (a strong, working tie); heads with each other
    # and the board (they know of each other, but across departments only weakly).
    heads = np.flatnonzero(rol == HEAD)
    leaders = np.flatnonzero(rol == LEADER)
    top = np.r_[np.flatnonzero(rol == EXECUTIVE), heads]
    ta, tb = np.triu_indices(top.size, 1)
    line = _line_pairs(dep, leaders, heads)
    board = np.stack([top[ta], top[tb]], axis=-1).reshape(-1, 2)
    pairs += [line, board]
    strength += [np.full(len(line), t.strength_max), np.full(len(board), t.strength_min)]
    # Specialists of one specialty in one department know each other (that is what makes them
    # connected, and an isolated specialist isolated); drawn last, so nothing else moves.
    peers = _specialty_peers(dep, specialty)
    pairs.append(peers)
    strength.append(rng.uniform(t.strength_min, t.strength_max, len(peers)))
    if roster is not None:
        pairs, strength = _with_known_ties(pairs, strength, roster, t.strength_max, n)
    ties = _symmetric(n, np.concatenate(pairs), np.concatenate(strength))

    return Org(
        department=dep,
        unit=uni,
        role=rol,
        specialty=specialty,
        isolated=isolated,
        career=career,
        wage_dkk=wage,
        knowledge=know,
        ties=ties,
        department_names=names,
        specialties=list(cfg.specialties),
        topics=topics,
        employee_ids=None if roster is None else list(roster.ids),
        unit_names=None if roster is None else [u for _, u in roster.unit_names],
    )


def _from_graph(
    cfg: Organisation,
    roster: GraphRoster,
    dep: np.ndarray,
    uni: np.ndarray,
    rol: np.ndarray,
    specialty: np.ndarray,
    isolated: np.ndarray,
    career: np.ndarray,
    wage: np.ndarray,
    know: np.ndarray,
) -> Org:
    """An organisation whose ties are the graph's: what was drawn for career motives and
    knowledge is kept only where the graph gives none."""
    n = dep.size
    career = np.where(np.isnan(roster.career), career, roster.career)
    topics = cfg.topics()
    if roster.knowledge_topics:
        cols = np.asarray([topics.index(t) for t in roster.knowledge_topics], dtype=np.intp)
        given = roster.knowledge
        know[:, cols] = np.where(np.isnan(given), know[:, cols], given)
    pairs = np.stack([roster.tie_a, roster.tie_b], axis=-1).reshape(-1, 2)
    return Org(
        department=dep,
        unit=uni,
        role=rol,
        specialty=specialty,
        isolated=isolated,
        career=career,
        wage_dkk=wage,
        knowledge=know,
        ties=_symmetric(n, pairs, roster.tie_strength),
        department_names=cfg.names(),
        specialties=list(cfg.specialties),
        topics=topics,
        employee_ids=list(roster.ids),
        unit_names=[u for _, u in roster.unit_names],
    )


def select_members(
    org: Org,
    sel: Selector,
    *,
    rng: np.random.Generator,
    within: Sequence[int] | np.ndarray | None = None,
) -> np.ndarray:
    """Employee ids matching a selector (all given criteria), sorted.

    ``within`` (a network's ``members_csv``) restricts the match to those employees.
    ``sample`` draws that many at random (from the ``membership`` stream) when more match.
    """
    mask = matching(org, sel, within=within)
    idx = np.flatnonzero(mask)
    if sel.sample is not None and sel.sample < idx.size:
        idx = np.sort(rng.choice(idx, size=sel.sample, replace=False))
    return idx


def load_organisation(
    employees_csv: str | Path,
    ties_csv: str | Path | None = None,
    *,
    role_map: Mapping[str, str] | None = None,
    rng: np.random.Generator,
) -> Org:
    """Build an organisation from CSV files, with every other setting at its default.

    A convenience for analysis; a scenario names the same files in ``[organisation]``.

    Parameters
    ----------
    employees_csv, ties_csv, role_map
        As in :func:`netsim.scenario.roster.read_roster`.
    rng : numpy.random.Generator
        Draws career motives, initial knowledge and the ties the file does not give.

    Returns
    -------
    Org

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> rows = ["id;department;unit;role", "1;Rådhus;Direktion;Direktør"]
    >>> rows += [f"{k};Børn og Unge;Skovgården;{'Leder' if k == 2 else 'Pædagog'}"
    ...          for k in range(2, 25)]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = f"{d}/ansatte.csv"
    ...     _ = open(path, "w", encoding="utf-8-sig").write("\\n".join(rows))
    ...     org = load_organisation(path, role_map={"pædagog": "employee"},
    ...                             rng=np.random.default_rng(1))
    >>> org.n, org.department_names
    (24, ['Rådhus', 'Børn og Unge'])
    """
    cfg = parse_organisation(
        {
            "employees_csv": str(employees_csv),
            "ties_csv": None if ties_csv is None else str(ties_csv),
            "role_map": dict(role_map or {}),
        }
    )
    return build_organisation(cfg, rng=rng)
