"""Problems with a scenario, as one-line messages: ``FIELD: what is wrong and what is allowed``.

The schema raises :func:`consistency` errors (a combination of fields) and
:func:`invalid_ref` errors (an unknown name) from its validators; :func:`scenario_error` turns
a pydantic :class:`~pydantic.ValidationError` into the :class:`~netsim.errors.ScenarioError`
the loader raises, naming the file, the field path and what is allowed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from netsim.errors import ScenarioError

__all__ = ["consistency", "format_error", "invalid_ref", "scenario_error"]


def consistency(field: str, message: str) -> PydanticCustomError:
    """An error about a combination of fields, reported at ``field`` of the model it is in."""
    return PydanticCustomError("combination", "{message}", {"field": field, "message": message})


def invalid_ref(field: str, got: str, allowed: set[str]) -> PydanticCustomError:
    """An unknown name at ``field``, with the closest allowed name as a hint."""
    close = difflib.get_close_matches(got, sorted(allowed), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    shown = ", ".join(sorted(allowed)[:12]) + (", ..." if len(allowed) > 12 else "")
    return consistency(field, f"unknown name; {hint}allowed: {shown} (got {got!r})")


def _fields_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Field names of the model that a validation ``loc`` points into (for "did you mean")."""
    model: Any = root
    dict_key = False
    for part in loc:
        if dict_key or not isinstance(part, str):
            # A key of a dict field (network name), whatever it is called, or a list index:
            # stay on the value model.
            dict_key = False
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        ann = field.annotation
        dict_key = get_origin(ann) is dict
        args = get_args(ann)
        candidates = [ann, *args]
        nxt = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if nxt is None:  # e.g. list[Model]
            nxt = next(
                (
                    a
                    for c in candidates
                    for a in get_args(c)
                    if isinstance(a, type) and issubclass(a, BaseModel)
                ),
                None,
            )
        if nxt is None:
            return []
        model = nxt
    return list(model.model_fields)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _part(part: int | str) -> str:
    """A part of a field path as it can be printed on one line (a TOML key may hold a line
    break, or any other control character)."""
    text = str(part)
    if text.isprintable():
        return text
    return text.encode("unicode_escape").decode("ascii")


def format_error(root: type[BaseModel], err: Mapping[str, Any]) -> tuple[str, str]:
    """One pydantic error of validating ``root`` as (field path, message)."""
    loc = tuple(err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "combination":
        return ".".join(_part(p) for p in (*loc, ctx["field"])), ctx["message"]
    path = ".".join(_part(p) for p in loc)
    if kind == "extra_forbidden":
        valid = _fields_at(root, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(valid)}"
        return path, f"unknown field; {hint}"
    if kind == "missing":
        return path, "required field is missing"
    return path, f"{err['msg'][0].lower()}{err['msg'][1:]} (got {_short(err.get('input'))})"


def scenario_error(root: type[BaseModel], exc: ValidationError, source: str) -> ScenarioError:
    """The first problem of a failed validation of ``root``, saying how many more there are."""
    errors = exc.errors()
    field, message = format_error(root, errors[0])
    if len(errors) > 1:
        message += f" [and {len(errors) - 1} more problem(s)]"
    return ScenarioError(source, field, message)
