"""Generate the "Parameters" tables of docs/model.md from the scenario schema.

Run ``python docs/gen_parameters.py`` after changing :mod:`netsim.scenario.schema` (a
default, a limit, a field). It walks the pydantic models (``Scenario`` and everything nested
in it, including ``Network`` and ``Selector``) and rewrites the part of ``docs/model.md``
between the markers ``<!-- parameters:start -->`` and ``<!-- parameters:end -->``: one
Markdown table per section
of a scenario file, with the field path, the default, what is allowed and a description.

``tests/test_docs.py`` renders the tables in memory and fails when the document differs, so
the tables cannot drift from the code's defaults.

Descriptions come from the schema (``Field(description=...)``). For fields that have none,
:data:`NOTES` below supplies one; a field's own description always wins, and a note for a
field that does not exist is an error.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal

import annotated_types as at
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from netsim.scenario.schema import Scenario

__all__ = ["END", "NOTES", "START", "render", "rows", "split", "update"]

DOC = Path(__file__).resolve().parent / "model.md"
START = "<!-- parameters:start -->"
END = "<!-- parameters:end -->"
NETWORK = "networks.<name>"

#: Descriptions of fields whose schema gives none, by field path. No numbers here: defaults
#: and limits come from the code.
NOTES: dict[str, str] = {
    "name": "Scenario name, reported as `scenario` in the summary; a file's stem by default.",
    "description": "Free text; not used by the model.",
    "organisation.employees": "Employees in total, executives included.",
    "organisation.specialties": "Specialty names; each is also a knowledge topic.",
    "organisation.hourly_cost_dkk.executive": "Hourly cost of an executive (DKK).",
    "organisation.hourly_cost_dkk.head": "Hourly cost of a head (DKK).",
    "organisation.hourly_cost_dkk.leader": "Hourly cost of a leader (DKK).",
    "organisation.hourly_cost_dkk.specialist": "Hourly cost of a specialist (DKK).",
    "organisation.hourly_cost_dkk.employee": "Hourly cost of an employee (DKK).",
    "organisation.ties.strength_min": "Lower end of the uniform initial strength of a tie.",
    "organisation.ties.strength_max": "Upper end of the uniform initial strength; formal "
    "(hierarchy) ties get this strength.",
    "time_pressure.mean_by_role.executive": "Mean pressure level of an executive.",
    "time_pressure.mean_by_role.head": "Mean pressure level of a head.",
    "time_pressure.mean_by_role.leader": "Mean pressure level of a leader.",
    "time_pressure.mean_by_role.specialist": "Mean pressure level of a specialist.",
    "time_pressure.mean_by_role.employee": "Mean pressure level of an employee.",
    "time_pressure.busy_period_weeks": "Length of one busy period.",
    "attendance.intercept": "b0 of the attendance decision; calibrated to the article's 35 "
    "hours (experiments/calibrate_attendance.py).",
    "attendance.value_weight": "bv: weight of `vhat`, the hours a member expects a meeting to "
    "save them per hour it costs them.",
    "attendance.obligation_weight": "bo: weight of the felt obligation `o`.",
    "attendance.room_weight": "bs: weight of the previous meeting's attendance rate `a`.",
    "attendance.pressure_weight": "bp: weight of the time pressure `p`.",
    "attendance.obligation.automatic": "Obligation at the start, automatic enrollment.",
    "attendance.obligation.invitation": "Obligation at the start, invitation.",
    "attendance.obligation.voluntary": "Obligation at the start, voluntary enrollment.",
    "attendance.obligation_fade_per_meeting": "Obligation is multiplied by this at every "
    "meeting day of the network.",
    "attendance.prior_value_sd": "Spread of the prior expectation between people.",
    "attendance.leave_threshold": "A member whose `vhat` is below this (1: not worth the "
    "hours) counts a low meeting.",
    "attendance.leave_after_meetings": "Consecutive low meetings after which a voluntary or "
    "invited member leaves.",
    "attendance.join_threshold": "A voluntary candidate joins when `vhat` is above this.",
    "learning.base_efficiency": "Meeting efficiency with no goal and no facilitation.",
    "learning.clarity_efficiency": "Efficiency added per unit of goal clarity.",
    "learning.facilitation_efficiency": "Efficiency added by professional facilitation.",
    f"{NETWORK}.kind": "Only sponsored networks' topics count in `knowledge_gain`.",
    f"{NETWORK}.purpose": "Fixes the network's topics unless `topics` is given.",
    f"{NETWORK}.select": "Who the network is for.",
    f"{NETWORK}.select.roles": "Only these roles (empty: any).",
    f"{NETWORK}.select.specialties": "Only specialists of these specialties (empty: any).",
    f"{NETWORK}.select.departments": "Only these departments (empty: any).",
    f"{NETWORK}.select.ids": "Only these employee ids (empty: any).",
    f"{NETWORK}.enrollment": "Who is a member at the start, and the starting obligation.",
    f"{NETWORK}.max_size": "Largest group; a larger target group is split.",
    f"{NETWORK}.split": "`mixed`: every group mixes departments; `department`: groups "
    "within departments.",
    f"{NETWORK}.goal_clarity": "Raises learning efficiency, and the precision of the "
    "sponsor's measurement.",
    f"{NETWORK}.facilitation": "`professional` adds `learning.facilitation_efficiency`.",
    f"{NETWORK}.interval_weeks": "Weeks between meetings.",
    f"{NETWORK}.duration_hours": "Length of a meeting.",
    f"{NETWORK}.prep_hours": "Preparation per attendee and meeting.",
    f"{NETWORK}.travel_hours": "Travel per attendee and meeting.",
    f"{NETWORK}.organiser_role": "Role whose wage prices the organiser's follow-up hours.",
    f"{NETWORK}.quorum": "Fewer attendees than this and the meeting is cancelled.",
    f"{NETWORK}.start_week": "Week of the first meeting.",
    f"{NETWORK}.end_week": "No meetings from this week on (not set: until the horizon).",
}

_HEADER = "| field | default | allowed | description |\n| --- | --- | --- | --- |\n"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model a field holds directly, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _model_values(annotation: Any) -> type[BaseModel] | None:
    """The model of a ``dict[str, Model]`` field (a table of named tables), if it is one."""
    if typing.get_origin(annotation) is dict:
        return _model_in(typing.get_args(annotation)[1])
    return None


def _is_optional(annotation: Any) -> tuple[bool, Any]:
    """(True, inner type) for ``X | None``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) < len(typing.get_args(annotation)) and len(args) == 1:
            return True, args[0]
    return False, annotation


def _type_words(annotation: Any) -> str:
    """A short, user-facing description of a type."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"table of {_type_words(key)} = {_type_words(value)}"
    if origin is list:
        (inner,) = typing.get_args(annotation)
        if typing.get_origin(inner) is Literal:
            return "list of " + ", ".join(f"`{a}`" for a in typing.get_args(inner))
        words = {str: "names", int: "integers", float: "numbers"}
        return "list of " + words.get(inner, f"`{getattr(inner, '__name__', inner)}`")
    names = {float: "number", int: "integer", str: "text", bool: "`true` or `false`"}
    return names.get(annotation, f"`{getattr(annotation, '__name__', annotation)}`")


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _bounds(metadata: list[Any]) -> str:
    """Interval notation from annotated-types constraints."""
    lo = hi = ""
    length = ""
    for m in metadata:
        if isinstance(m, at.Ge):
            lo = f"[{_number(m.ge)}"
        elif isinstance(m, at.Gt):
            lo = f"({_number(m.gt)}"
        elif isinstance(m, at.Le):
            hi = f"{_number(m.le)}]"
        elif isinstance(m, at.Lt):
            hi = f"{_number(m.lt)})"
        elif isinstance(m, at.MinLen):
            length = f"at least {m.min_length}"
    if lo and hi:
        return f"{lo}, {hi}"
    if lo:
        return ("≥ " if lo[0] == "[" else "> ") + lo[1:]
    if hi:
        return ("≤ " if hi[-1] == "]" else "< ") + hi[:-1]
    return length


def _allowed(annotation: Any, metadata: list[Any]) -> str:
    optional, inner = _is_optional(annotation)
    words = _type_words(inner)
    bounds = _bounds(metadata)
    text = f"{words}, {bounds}" if bounds else words
    return f"{text}; or not set" if optional else text


def _default(value: Any) -> str:
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "not set"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rows(model: type[BaseModel], prefix: str, instance: BaseModel | None) -> list[tuple[str, ...]]:
    """(path, default, allowed, description) of every leaf field of ``model``.

    Defaults are read from ``instance`` where one exists (a nested model built by its parent's
    ``default_factory`` carries the parent's defaults), else from the field.
    """
    out: list[tuple[str, ...]] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        sub = _model_in(field.annotation)
        if instance is not None:
            value: Any = getattr(instance, name)
        elif field.is_required():
            value = PydanticUndefined
        else:
            value = field.get_default(call_default_factory=True)
        if sub is not None:
            sub_instance = value if isinstance(value, BaseModel) else None
            if sub_instance is None:  # a required model: its fields carry their own defaults
                out.append(
                    (path, _default(value), "a table: the fields below", _describe(path, field))
                )
            out.extend(rows(sub, path, sub_instance))
            continue
        out.append(_leaf(path, field, value))
    return out


def _leaf(path: str, field: Any, value: Any) -> tuple[str, ...]:
    """One table row of a field that holds a value (not a table)."""
    return (
        path,
        _default(value),
        _allowed(field.annotation, field.metadata),
        _describe(path, field),
    )


def _describe(path: str, field: Any) -> str:
    return field.description or NOTES.get(path, "")


def _summary_line(model: type[BaseModel]) -> str:
    doc = (model.__doc__ or "").strip()
    return doc.split("\n\n")[0].replace("\n", " ")


def _sections() -> list[tuple[str, str, list[tuple[str, ...]]]]:
    """(heading, intro, rows) of every section of a scenario file."""
    defaults = Scenario()
    top: list[tuple[str, ...]] = []
    sections: list[tuple[str, str, list[tuple[str, ...]]]] = []
    for name, field in Scenario.model_fields.items():
        sub = _model_in(field.annotation)
        named = _model_values(field.annotation)
        if named is not None:
            prefix = f"{name}.<name>"
            intro = f" One table per entry; `<name>` is its name (`[{prefix}]` in TOML)."
            sections.append(
                (f"`[{prefix}]`", _summary_line(named) + intro, rows(named, prefix, None))
            )
        elif sub is not None:
            sections.append(
                (f"`[{name}]`", _summary_line(sub), rows(sub, name, getattr(defaults, name)))
            )
        else:
            top.append(_leaf(name, field, getattr(defaults, name)))
    intro = "Keys at the top of the file, outside any table."
    return [("Top level", intro, top), *sections]


def render() -> str:
    """The generated block: everything between the two markers (markers excluded)."""
    sections = _sections()
    paths = {r[0] for _, _, rs in sections for r in rs}
    unknown = sorted(set(NOTES) - paths)
    if unknown:
        raise ValueError(f"NOTES describes fields that do not exist: {', '.join(unknown)}")
    note = (
        "<!-- Generated by `python docs/gen_parameters.py` from netsim/scenario/schema.py; "
        "do not edit by hand. -->\n"
    )
    tables = []
    for heading, intro, rs in sections:
        body = "".join(f"| `{p}` | {d} | {_cell(a)} | {_cell(t)} |\n" for p, d, a, t in rs)
        tables.append(f"### {heading}\n\n{_cell(intro)}\n\n{_HEADER}{body}")
    return "\n" + "\n".join([note, *tables]) + "\n"


def split(text: str) -> tuple[str, str, str]:
    """(before, block, after) of a document around the markers."""
    try:
        head, rest = text.split(START, 1)
        block, tail = rest.split(END, 1)
    except ValueError:
        raise ValueError(f"the document needs the markers {START} and {END}") from None
    return head, block, tail


def update(path: str | Path = DOC) -> bool:
    """Rewrite the block between the markers in ``path``; True if the file changed."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    head, block, tail = split(text)
    new = render()
    if block == new:
        return False
    p.write_text(f"{head}{START}{new}{END}{tail}", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DOC
    changed = update(path)
    print(f"{path}: {'parameters updated' if changed else 'parameters already up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
