"""Setting scenario values by dotted path (``networks.leaders.goal_clarity``).

Used by experiments (parameters addressed by path) and by scheduled changes during a run.
The result is validated again, so a value out of range is the same one-line error as in a
file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from netsim.errors import ScenarioError

__all__ = ["overridden", "replace_validated"]

M = TypeVar("M", bound=BaseModel)


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    node: Any = data
    parts = path.split(".")
    for depth, part in enumerate(parts):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(".".join(parts[: depth + 1]))
        if depth == len(parts) - 1:
            old = node[part]
            if isinstance(old, bool) or (not isinstance(old, int | float) and old is not None):
                if not isinstance(value, type(old)):
                    raise TypeError(f"holds {type(old).__name__}, not {type(value).__name__}")
            elif isinstance(old, int) and isinstance(value, float):
                value = round(value)  # an integer parameter sampled from bounds
            node[part] = value
        node = node[part]


def overridden(
    scenario: BaseModel, overrides: Mapping[str, Any], *, source: str = "<scenario>"
) -> dict[str, Any]:
    """The scenario's tables with values replaced at dotted paths, not validated.

    Raises
    ------
    ScenarioError
        A path that names no field, or a value of the wrong kind for it.
    """
    data = scenario.model_dump(mode="python")
    for path, value in overrides.items():
        try:
            _set_path(data, path, value)
        except KeyError as exc:
            raise ScenarioError(source, exc.args[0], "no such field in the scenario") from None
        except TypeError as exc:
            raise ScenarioError(source, path, f"{exc} (got {value!r})") from None
    return data


def replace_validated(scenario: M, values: Mapping[str, Any]) -> M:
    """The scenario with values replaced at dotted paths, *without* validating again.

    For scheduled changes during a run: the scenario's validator already applied every
    change with :func:`overridden` and validated the result when it was loaded, so the
    values are known to be valid, and this neither re-reads CSV files (which a remote
    worker may not have) nor costs a validation per change.
    """
    out = scenario
    for path, value in values.items():
        out = _replace(out, path.split("."), value)
    return out


def _replace(node: Any, parts: list[str], value: Any) -> Any:
    head, rest = parts[0], parts[1:]
    if isinstance(node, dict):
        child = node[head]
        return {**node, head: _replace(child, rest, value) if rest else value}
    child = getattr(node, head)
    return node.model_copy(update={head: _replace(child, rest, value) if rest else value})
