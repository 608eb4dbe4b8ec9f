"""Output that is safe to hand to other programs: strict JSON and formula-free CSV.

Every wing that writes JSON or CSV for people and their tools uses these two functions, so
the rules live in one place: JSON without the ``NaN``/``Infinity`` tokens that strict parsers
refuse, and CSV whose text cells a spreadsheet will not run as formulas (the OWASP rule for
CSV injection).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported where a frame is made safe, not at start-up
    import pandas as pd

__all__ = ["CSV_DIALECTS", "csv_safe", "json_strict"]

#: How CSV files are written (netsim.study.export): for programs, or for Danish Excel.
CSV_DIALECTS: tuple[str, ...] = ("plain", "excel-da")

#: The first characters that make a spreadsheet read a cell as a formula (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a formula.

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'``; numbers (a negative number too, whether stored as a number or as its text)
    are left as they are, so a column of numbers stays one.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"name": ["=1+1", "-2", "@SUM(A1)", "ok"], "x": [-1.5, 2, 3, 4]})
    >>> csv_safe(df).to_dict("list")
    {'name': ["'=1+1", '-2', "'@SUM(A1)", 'ok'], 'x': [-1.5, 2.0, 3.0, 4.0]}
    """
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = pd.Series([_cell(v) for v in out[column]], index=out.index, dtype=object)
    out.columns = [_cell(c) for c in out.columns]
    return out


def _finite(obj: Any) -> Any:
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):
        obj = obj.tolist()  # numpy scalars and arrays
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def json_strict(obj: Any, **kwargs: Any) -> str:
    """``obj`` as strict JSON (RFC 8259): NaN and ±Infinity become ``null``.

    Numpy scalars and arrays become Python numbers and lists; ``kwargs`` go to
    :func:`json.dumps` (``indent=2``, ``sort_keys=True``, ...).

    Examples
    --------
    >>> json_strict({"a": float("nan"), "b": [1.0, float("inf")]})
    '{"a": null, "b": [1.0, null]}'
    """
    return json.dumps(_finite(obj), allow_nan=False, **kwargs)
