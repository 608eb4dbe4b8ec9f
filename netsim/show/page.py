"""What the HTML pages and plain-language texts share: numbers, money and time in words,
escaping, the stylesheet.

Pages are written for people who read Danish or English, so numbers, money, percentages and
dates follow the language's locale (``en_GB`` or ``da_DK``; the formats are Babel's, from the
Unicode CLDR) and durations are said in working days and weeks.

Examples
--------
>>> number(1234.5, "da", digits=1)
'1.234,5'
>>> working_time(35, "en", hours_per_day=7.4, days_per_week=5)
'about one working week'
>>> share_in_ten(0.2, "da")
'2 ud af 10 deltagere får de timer igen, de bruger'
"""

from __future__ import annotations

import datetime as dt
import html
import math

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import (
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
    get_decimal_symbol,
)

from netsim.show.texts import say

__all__ = [
    "CSS",
    "LOCALES",
    "date_time",
    "esc",
    "money",
    "money_short",
    "number",
    "percent",
    "share_in_ten",
    "significant",
    "working_time",
]

#: The locale whose formats each language's pages use.
LOCALES: dict[str, str] = {"en": "en_GB", "da": "da_DK"}

_MISSING = "–"


def esc(text: object) -> str:
    """Any value as HTML text: ``<``, ``>``, ``&`` and both quotes escaped."""
    return html.escape(str(text), quote=True)


def _missing(x: float | None) -> bool:
    return x is None or not math.isfinite(x)


def _unsigned_zero(text: str) -> str:
    """``-0`` and ``-0,0`` (a small negative rounded away) said as plain zero."""
    if text.startswith("-") and not any(c in "123456789" for c in text):
        return text[1:]
    return text


def number(x: float, lang: str, *, digits: int = 0) -> str:
    """A number with ``digits`` decimals and the language's separators; ``–`` for NaN.

    Examples
    --------
    >>> number(1234.5, "en", digits=1), number(-0.01, "da")
    ('1,234.5', '0')
    """
    if _missing(x):
        return _MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return _unsigned_zero(format_decimal(x, format=pattern, locale=LOCALES[lang]))


def significant(x: float, lang: str, *, figures: int = 3, trim: bool = False) -> str:
    """A number rounded to a few significant figures, in the language's style; ``trim``
    drops the zeros that end its decimals (``2`` for ``2.00``, as ``%g`` does)."""
    if _missing(x):
        return _MISSING
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    digits = max(0, figures - 1 - magnitude)
    text = number(x, lang, digits=digits)
    if trim and digits > 0:
        point = get_decimal_symbol(LOCALES[lang])
        text = text.rstrip("0").removesuffix(point)
    return text


def money(dkk: float, lang: str) -> str:
    """DKK said the way people say it: '2.5 million DKK', '2,5 millioner kr.', '45,000 DKK'.

    Millions are rounded to one decimal and said in words; tens of thousands to the hundred.
    """
    if _missing(dkk):
        return _MISSING
    locale = LOCALES[lang]
    if abs(dkk) >= 1e6:
        amount = format_compact_decimal(dkk, format_type="long", locale=locale, fraction_digits=1)
        return f"{amount}\xa0{get_currency_symbol('DKK', locale)}"
    amount_dkk = round(dkk, -2) if abs(dkk) >= 1e4 else dkk
    # One pattern for both languages: the amount, then the currency, as the pages say it.
    return format_currency(
        amount_dkk, "DKK", format="#,##0\xa0¤", locale=locale, currency_digits=False
    )


def money_short(dkk: float, lang: str) -> str:
    """DKK in few characters for a figure: '55k DKK', '2.5m DKK', '55 t kr.'."""
    if _missing(dkk):
        return _MISSING
    locale = LOCALES[lang]
    digits = 1 if abs(dkk) >= 1e6 else 0
    amount = format_compact_decimal(dkk, locale=locale, fraction_digits=digits)
    return f"{amount}\xa0{get_currency_symbol('DKK', locale)}"


def percent(x: float, lang: str, *, digits: int = 0) -> str:
    """A share as a percentage in the language's style: '45%' in English, '45 %' in Danish."""
    if _missing(x):
        return _MISSING
    locale = LOCALES[lang]
    pattern = Locale.parse(locale).percent_formats[None].pattern
    if digits > 0:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return _unsigned_zero(format_percent(x, format=pattern, locale=locale))


def date_time(moment: dt.datetime, lang: str) -> str:
    """A moment in UTC, as the language writes dates: '2 December 2026, 05:41:42 UTC'."""
    return format_datetime(moment, "long", tzinfo=dt.UTC, locale=LOCALES[lang])


def working_time(hours: float, lang: str, *, hours_per_day: float, days_per_week: int) -> str:
    """Hours said as working days or weeks: 'about one working week', 'cirka 3 arbejdsdage'."""
    week = hours_per_day * days_per_week
    weeks, days = hours / week, hours / hours_per_day
    if 0.85 <= weeks <= 1.2:
        return say("time.about_a_week", lang)
    if 0.7 <= weeks < 0.85:
        return say("time.nearly_a_week", lang)
    if weeks > 1.2:
        n = number(round(weeks * 2) / 2, lang, digits=0 if weeks >= 2.75 else 1)
        return say("time.weeks", lang, n=n)
    if days >= 1.5:
        return say("time.days", lang, n=number(round(days), lang))
    if days >= 0.75:
        return say("time.about_a_day", lang)
    return say("time.under_a_day", lang)


def share_in_ten(share: float, lang: str) -> str:
    """'2 in 10 members get back the hours they spend', in words a class understands; a
    share too small for tenths is said as one in so many, so the words agree with it.

    Examples
    --------
    >>> share_in_ten(0.058, "en")
    '1 in 17 members get back the hours they spend'
    >>> share_in_ten(0.61, "da")
    '6 ud af 10 deltagere får de timer igen, de bruger'
    """
    if share < 0.01:
        return say("worth.none", lang)
    if share < 0.15:
        return say("worth.one_in", lang, n=round(1 / share))
    k = round(10 * share)
    if k >= 10:
        return say("worth.all", lang)
    return say("worth.some", lang, k=k)


#: The stylesheet of the report and the teaching page: readable on screen and on paper.
CSS = """
:root { --ink: #1d2430; --muted: #5b6472; --line: #d9dde3; --accent: #1b5e8c;
        --participant: #1b7837; --sponsor: #762a83; --bg: #ffffff; --soft: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.35rem; margin: 2.25rem 0 0.5rem; border-bottom: 1px solid var(--line);
     padding-bottom: 0.25rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.4rem; }
p.lede { color: var(--muted); margin-top: 0; }
.headline { background: var(--soft); border-left: 4px solid var(--accent);
            padding: 0.75rem 1rem; margin: 1rem 0; }
.headline h2 { margin-top: 0; border: none; }
.headline p { margin: 0.35rem 0; font-size: 1.08rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums;
        font-size: 0.92rem; margin: 0.5rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: right;
         vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid var(--ink); }
td.clear { font-weight: 600; }
figure { margin: 1.25rem 0; }
figure svg, figure img { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 0.25rem; }
details { margin: 0.5rem 0; }
pre { background: var(--soft); padding: 0.75rem; overflow-x: auto; font-size: 0.8rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { color: var(--muted); }
dd { margin: 0; word-break: break-word; }
.note { color: var(--muted); font-size: 0.9rem; }
@media print { main { max-width: none; } h2 { break-after: avoid; }
               figure { break-inside: avoid; } }
"""
