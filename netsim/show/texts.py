"""Every sentence the show wing says, in English and Danish, looked up by message id.

The words live in one catalogue, ``texts.toml`` beside this module: one table per message,
its ``en`` and ``da`` forms side by side, so a translator reads and edits both without
touching code, and a test can check that both forms take the same named fields. Code asks
for a message by id and fills its fields by name; numbers are formatted before they are
filled in (:mod:`netsim.show.page`), so no message formats a number itself.

Examples
--------
>>> say("report.against", "da", a="A", b="B")
'B mod A'
>>> term("role", "head", "da"), term("role", "nobody", "da")
('fagchef', 'nobody')
>>> sorted(fields("{label}: {mb} against {ma}"))
['label', 'ma', 'mb']
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from netsim.errors import NetsimError

__all__ = ["LANGUAGES", "catalogue", "check_lang", "fields", "say", "section", "term"]

#: The languages every message has, in the order the command line lists them.
LANGUAGES: tuple[str, ...] = ("en", "da")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message: ``{id: {"en": text, "da": text}}``, read once from ``texts.toml``."""
    source = resources.files("netsim.show").joinpath("texts.toml").read_text(encoding="utf-8")
    out: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        if set(table) == set(LANGUAGES):
            out[prefix] = {lang: str(table[lang]) for lang in LANGUAGES}
            return
        for key, value in table.items():
            walk(f"{prefix}.{key}" if prefix else key, value)

    walk("", tomllib.loads(source))
    return out


def check_lang(lang: str) -> str:
    """``lang`` if there are words for it, else the command line's one-line error."""
    if lang not in LANGUAGES:
        raise NetsimError(f"--lang: must be one of {', '.join(LANGUAGES)} (got {lang!r})")
    return lang


def say(key: str, lang: str, /, **values: object) -> str:
    """The message ``key`` in ``lang`` with its named fields filled in.

    Parameters
    ----------
    key : str
        Message id, such as ``"report.title"``.
    lang : {"en", "da"}
    **values
        The message's fields, already formatted for the language.

    Returns
    -------
    str
    """
    text = catalogue()[key][lang]
    return text.format(**values) if values else text


def term(kind: str, value: str, lang: str) -> str:
    """A data value (a role, a topic group) in words; the value itself where none are kept."""
    forms = catalogue().get(f"{kind}.{value}")
    return forms[lang] if forms is not None else value


def section(prefix: str, lang: str) -> dict[str, str]:
    """The messages directly under ``prefix`` (``"teach"`` → ``title``, ``week``, ...)."""
    head = prefix + "."
    return {
        key.removeprefix(head): forms[lang]
        for key, forms in catalogue().items()
        if key.startswith(head) and "." not in key.removeprefix(head)
    }


def fields(text: str) -> set[str]:
    """The named fields of a message."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
