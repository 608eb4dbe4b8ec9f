"""Output that is safe to open: CSV cells no spreadsheet runs as formulas, and strict JSON.

Below every wing, like :mod:`netsim.errors`: whatever writes a CSV or JSON file a user opens
goes through these two functions.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

__all__ = ["csv_safe", "json_strict"]

#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a formula in a spreadsheet.

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
    a leading ``'`` (the OWASP rule); numbers, and text that starts otherwise, are kept.

    Examples
    --------
    >>> f = pd.DataFrame({"name": ["=1+2", "-x", "ok", "@A1"], "n": [-1, 2, 3, 4]})
    >>> csv_safe(f).to_dict(orient="list")
    {'name': ["'=1+2", "'-x", 'ok', "'@A1"], 'n': [-1, 2, 3, 4]}
    """

    def cell(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value

    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column].dtype):
            out[column] = out[column].map(cell, na_action="ignore")
    return out


def json_strict(obj: Any) -> str:
    """``obj`` as strict JSON (indented by 2): NaN becomes ``null``, numpy scalars numbers.

    Infinity has no JSON form and never stands for "undefined": it raises ``ValueError``.

    Examples
    --------
    >>> print(json_strict({"a": float("nan"), "b": [1.5]}))
    {
      "a": null,
      "b": [
        1.5
      ]
    }
    """
    return json.dumps(_plain(obj), indent=2, allow_nan=False)


def _plain(obj: Any) -> Any:
    if hasattr(obj, "item") and not isinstance(obj, dict | list | tuple):  # numpy scalar
        obj = obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj
