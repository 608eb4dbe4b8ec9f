"""Errors a user can cause.

Every error a user can cause by what they write or point netsim at is a :class:`NetsimError`.
Its ``str()`` is one line that names the file, the field and what is allowed; the CLI prints
it after ``netsim: error:`` and exits with status 2.
"""

from __future__ import annotations

__all__ = ["NetsimError", "ScenarioError"]


class NetsimError(Exception):
    """Base class of every error a user can cause (bad file, bad value, missing column)."""


class ScenarioError(NetsimError):
    """A scenario file (or scenario object) is not valid.

    Parameters
    ----------
    source : str
        The file the problem is in (or ``"<scenario>"`` for an object built in Python).
    field : str
        Dotted path of the offending field, e.g. ``networks.leaders.quorum``; empty when the
        problem is with the file as a whole (not found, TOML syntax).
    message : str
        What is wrong and what is allowed.

    Examples
    --------
    >>> str(ScenarioError("a.toml", "networks.x.quorum", "must be at most max_size (got 30)"))
    'a.toml: networks.x.quorum: must be at most max_size (got 30)'
    """

    def __init__(self, source: str, field: str, message: str) -> None:
        self.source = source
        self.field = field
        self.message = message
        parts = [source, field, message] if field else [source, message]
        super().__init__(": ".join(parts))

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        # Pickled with its fields, so it crosses from a worker process intact (the default
        # would call the class with the formatted message alone, and fail).
        return (type(self), (self.source, self.field, self.message))
