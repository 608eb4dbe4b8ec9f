"""The ``[organisation]`` table: roles, sizes, wages, ties, and the files it may name.

Part of the scenario schema (:mod:`netsim.scenario.schema` re-exports everything here): the
organisation is generated from a few numbers, or read from an HR export, in which case the
loader (:mod:`netsim.scenario.load`) fills in what the files decide through the ``fill``
function of the validation context (:data:`Fill`). This module reads no file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from netsim.scenario.problems import consistency

if TYPE_CHECKING:
    from netsim.scenario.roster import Roster

__all__ = [
    "DEFAULT_DEPARTMENTS",
    "EDGE_LIST_SUFFIXES",
    "EMPLOYEE_FIELDS",
    "FROM_FILE",
    "MAX_HOURLY_DKK",
    "ROLES",
    "Fill",
    "Model",
    "Organisation",
    "Role",
    "RoleValues",
    "Ties",
    "resolve_path",
]

#: File name endings of an edge list (``organisation.graph`` with ``employees_csv``).
EDGE_LIST_SUFFIXES = (".edgelist", ".edges")

#: The highest hourly cost of an employee (bounds keep costs finite).
MAX_HOURLY_DKK = 100_000

#: The columns of an employees file, by netsim's names: the first four required
#: (:mod:`netsim.scenario.roster`). ``[organisation.columns]`` may give each another name.
EMPLOYEE_FIELDS: tuple[str, ...] = (
    "id",
    "department",
    "unit",
    "role",
    "specialty",
    "hourly_cost_dkk",
)

Role = Literal["executive", "head", "leader", "specialist", "employee"]
#: The roles, in the order of every per-role table and role index.
ROLES: tuple[str, ...] = ("executive", "head", "leader", "specialist", "employee")

#: What the loader hands the organisation validator in the validation context (``"fill"``):
#: given the organisation validated without the fields its files decide, and the table as
#: written, the filled-in fields and the files' :class:`~netsim.scenario.roster.Roster`.
Fill = Callable[["Organisation", Mapping[str, Any]], tuple[dict[str, Any], "Roster"]]


class Model(BaseModel):
    """The base of every scenario table: unknown keys refused, frozen, finite numbers."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False
    )


class RoleValues(Model):
    """One number per role."""

    executive: float = Field(ge=0)
    head: float = Field(ge=0)
    leader: float = Field(ge=0)
    specialist: float = Field(ge=0)
    employee: float = Field(ge=0)

    def as_tuple(self) -> tuple[float, ...]:
        """Values in the order of :data:`~netsim.scenario.organisation.ROLES`."""
        return tuple(getattr(self, r) for r in ROLES)


class Ties(Model):
    """How the informal tie graph is generated."""

    within_unit_prob: float = Field(0.5, ge=0, le=1, description="Tie probability per pair.")
    within_department_degree: float = Field(
        2.0, ge=0, le=50, description="Mean ties per person to others of the department."
    )
    cross_department_degree: float = Field(
        0.3, ge=0, le=50, description="Mean ties per person to other departments."
    )
    strength_min: float = Field(0.1, gt=0, le=1)
    strength_max: float = Field(0.6, gt=0, le=1)

    @model_validator(mode="after")
    def _order(self) -> Ties:
        if self.strength_min > self.strength_max:
            raise consistency(
                "strength_min",
                f"must not exceed strength_max = {self.strength_max} (got {self.strength_min})",
            )
        return self


DEFAULT_DEPARTMENTS = (
    "central",
    "children",
    "schools",
    "elderly",
    "social",
    "health",
    "technical",
    "culture",
    "employment",
    "environment",
    "finance",
    "citizens",
)


class Organisation(Model):
    """The organisation: generated from a few numbers, or loaded from CSV files.

    A generated organisation has departments split into units, each with a leader. With
    ``employees_csv`` the file says who works where in which role; ``employees``,
    ``departments``, ``department_names`` and ``specialties`` are then filled in from it.
    """

    employees: int = Field(2000, ge=20, le=2_000_000)
    departments: int = Field(
        7, ge=0, le=200, description="Service departments, besides the central administration."
    )
    department_names: list[str] | None = Field(
        None, description="Names, the central administration first (departments + 1 names)."
    )
    unit_size: int = Field(15, ge=2, le=500, description="Employees per unit, leader included.")
    executives: int = Field(4, ge=1, le=50, description="Members of the executive board.")
    specialist_share: float = Field(
        0.03, ge=0, le=1, description="Share of staff who are specialists."
    )
    specialties: list[str] = Field(
        default_factory=lambda: [
            "project_management",
            "lean",
            "documentation",
            "digitalisation",
            "finance",
            "hr",
        ],
        min_length=1,
    )
    career_motive_mean: float = Field(
        0.5, gt=0, lt=1, description="Mean of the Beta(4) career motive."
    )
    hourly_cost_dkk: RoleValues = Field(
        default_factory=lambda: RoleValues(
            executive=800, head=650, leader=550, specialist=450, employee=400
        )
    )
    ties: Ties = Field(default_factory=Ties)
    employees_csv: str | None = Field(
        None,
        description="Load the employees from this CSV file (columns id, department, unit, role; "
        "optional specialty, hourly_cost_dkk) instead of generating them; a path relative to "
        "the scenario file. Then employees, departments, department_names and specialties are "
        "filled in from the file, and unit_size, executives and specialist_share are not used.",
    )
    ties_csv: str | None = Field(
        None,
        description="Known informal ties (columns a, b: employee ids; optional strength, empty: "
        "ties.strength_max), with employees_csv. The other ties are generated as usual, within "
        "the file's units and departments.",
    )
    graph: str | None = Field(
        None,
        description="Load the employees and all their informal ties from this graph file "
        "(GraphML .graphml or GEXF .gexf; nodes with department, unit, role, optional "
        "specialty; edges with strength) instead of generating them; or, with employees_csv "
        "as its node table, all the ties from an edge list (.edgelist or .edges: lines "
        "'a b [strength]'); a path relative to the scenario file. No tie is drawn. Then "
        "employees, departments, department_names and specialties are filled in from the "
        "graph, as with employees_csv.",
    )
    role_map: dict[str, Role] = Field(
        default_factory=dict,
        description="Job title -> role, for titles in the role column of employees_csv other "
        "than the role names and direktør, fagchef, leder, afdelingsleder, medarbejder (case "
        "is ignored); the title `*` stands for every other title.",
    )
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="The employees_csv's own names of netsim's columns, where they differ: "
        "netsim's name (id, department, unit, role, specialty, hourly_cost_dkk) -> the "
        'column\'s header in the file, e.g. id = "Medarbejdernr", role = "Stilling" (case '
        "is ignored). A column not given here is looked for by netsim's name.",
    )
    _roster: Roster | None = PrivateAttr(None)

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for ours, theirs in value.items():
            if ours not in EMPLOYEE_FIELDS:
                raise consistency(
                    ours,
                    f"not a column of the employees file; give one of "
                    f"{', '.join(EMPLOYEE_FIELDS)} (netsim's name) = the name in your file",
                )
            key = " ".join(theirs.split()).casefold()
            if not key:
                raise consistency(ours, "empty; give the name of the column in your file")
            if key in seen:
                raise consistency(
                    ours, f"the file's column {theirs!r} is given for {seen[key]} already"
                )
            seen[key] = ours
        return value

    @field_validator("hourly_cost_dkk")
    @classmethod
    def _wages(cls, value: RoleValues) -> RoleValues:
        for role, cost in zip(ROLES, value.as_tuple(), strict=True):
            if cost > MAX_HOURLY_DKK:
                raise consistency(role, f"must be at most {MAX_HOURLY_DKK:,} (got {cost})")
        return value

    @field_validator("employees_csv", "ties_csv", "graph")
    @classmethod
    def _absolute(cls, value: str | None, info: ValidationInfo) -> str | None:
        return resolve_path(value, info)

    @model_validator(mode="wrap")
    @classmethod
    def _from_files(
        cls, data: Any, handler: ModelWrapValidatorHandler[Organisation], info: ValidationInfo
    ) -> Organisation:
        """Fill in what ``employees_csv`` (and ``ties_csv``), or ``graph``, decide, with the
        loader's help.

        Validates twice: first without the fields the file decides (so the paths are resolved
        and the role map checked), then with them filled in by the ``fill`` function of the
        validation context (:mod:`netsim.scenario.load` gives one; it reads the files and
        returns the filled fields and the :class:`Roster`, kept with the model, so a run never
        reads a file). Without one, the organisation is what its table says.
        """
        given = (info.context or {}).get("graph") is not None  # a graph passed in Python
        if not isinstance(data, dict):
            return handler(data)
        if given or data.get("graph") is not None:
            source, what = "graph", "graph"
        elif data.get("employees_csv") is not None:
            source, what = "employees_csv", "file"
        else:
            out = handler(data)
            for name in ("ties_csv", "role_map", "columns"):
                if out.employees_csv is None and getattr(out, name):
                    raise consistency(name, "only used with employees_csv")
            return out
        first = handler({k: v for k, v in data.items() if k not in FROM_FILE})
        edge_list = (
            first.graph is not None and Path(first.graph).suffix.lower() in EDGE_LIST_SUFFIXES
        )
        if edge_list:
            if first.employees_csv is None:
                raise consistency(
                    "graph",
                    "an edge list needs employees_csv, its node table (or give a GraphML or "
                    "GEXF file, whose nodes say who works where)",
                )
            if first.ties_csv is not None:
                raise consistency(
                    "ties_csv", "not used with graph, whose edges are all the ties; leave it out"
                )
        elif source == "graph":
            for name in ("employees_csv", "ties_csv", "role_map"):
                if getattr(first, name):
                    raise consistency(
                        name,
                        "not used with graph, whose nodes and edges are the organisation; "
                        "leave it out",
                    )
        titles: dict[str, str] = {}
        for title, role in first.role_map.items():
            key = " ".join(title.split()).casefold()
            if titles.get(key, role) != role:
                raise consistency("role_map", f"{title!r} is given twice with different roles")
            titles[key] = role
        for name in ("unit_size", "executives", "specialist_share"):
            default = cls.model_fields[name].default
            if name in data and data[name] != default:
                raise consistency(
                    name,
                    f"not used with {source}, where the {what} says who works where in "
                    f"which role; leave it out (got {data[name]!r})",
                )
        fill: Fill | None = (info.context or {}).get("fill")
        if fill is None:
            return handler(data)
        filled, roster = fill(first, data)
        out = handler({**data, **filled})
        out._roster = roster
        return out

    @model_validator(mode="after")
    def _names(self, info: ValidationInfo) -> Organisation:
        if self.department_names is not None:
            if len(self.department_names) != self.departments + 1:
                raise consistency(
                    "department_names",
                    f"needs departments + 1 = {self.departments + 1} names, the central "
                    f"administration first (got {len(self.department_names)})",
                )
            if len(set(self.department_names)) != len(self.department_names):
                raise consistency("department_names", "names must be distinct")
        if len(set(self.specialties)) != len(self.specialties):
            raise consistency("specialties", "names must be distinct")
        needed = self.executives + self.departments + 1 + 2 * (self.departments + 1)
        given = (info.context or {}).get("graph") is not None
        from_file = self.employees_csv is not None or self.graph is not None or given
        if not from_file and self.employees < needed:
            raise consistency(
                "employees",
                f"too few for {self.departments + 1} departments and {self.executives} "
                f"executives: at least {needed} (got {self.employees})",
            )
        return self

    @property
    def roster(self) -> Roster | None:
        """What ``employees_csv`` and ``ties_csv``, or the graph, say, as read when the scenario
        was loaded (``None`` for a generated organisation, or one validated without the
        loader)."""
        return self._roster

    def names(self) -> list[str]:
        """Department names, the central administration first."""
        if self.department_names is not None:
            return list(self.department_names)
        n = self.departments + 1
        if n <= len(DEFAULT_DEPARTMENTS):
            return list(DEFAULT_DEPARTMENTS[:n])
        return ["central", *(f"department_{k}" for k in range(1, n))]

    def topics(self) -> list[str]:
        """Topics: one per specialty, leadership, strategy, one practice per department."""
        return [
            *self.specialties,
            "leadership",
            "strategy",
            *(f"practice:{d}" for d in self.names()),
        ]


#: Organisation fields that a CSV organisation takes from its employees file.
FROM_FILE = ("employees", "departments", "department_names", "specialties")


def resolve_path(value: str | None, info: ValidationInfo) -> str | None:
    """A file named in a scenario, made absolute (no file is read).

    Relative paths are relative to the ``base_dir`` of the validation context (the scenario
    file's directory, for :func:`~netsim.scenario.load.load_scenario`), else to the working
    directory. The
    scenario keeps the absolute path, so a resolved scenario written elsewhere still finds it.
    """
    if value is None:
        return None
    if not value.strip():
        raise PydanticCustomError("path", "must name a file")
    base = (info.context or {}).get("base_dir") or "."
    return os.path.abspath(os.path.join(base, os.path.expanduser(value)))
