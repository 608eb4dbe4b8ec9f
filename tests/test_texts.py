"""The words of the show wing: every message in both languages with the same fields, and
numbers, money and shares written as English and Danish readers expect (Babel's CLDR formats)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.numbers import format_compact_decimal, format_decimal, format_percent

from netsim.errors import NetsimError
from netsim.show import page, texts


def test_every_message_has_both_languages_with_the_same_fields():
    catalogue = texts.catalogue()
    assert len(catalogue) > 150
    for key, forms in catalogue.items():
        assert set(forms) == set(texts.LANGUAGES), key
        assert all(forms[lang].strip() for lang in texts.LANGUAGES), key
        assert texts.fields(forms["en"]) == texts.fields(forms["da"]), key


def test_messages_fill_their_fields_by_name():
    assert texts.say("report.against", "en", a="A", b="B") == "B against A"
    assert texts.say("report.against", "da", a="A", b="B") == "B mod A"
    assert texts.term("role", "organisers", "da") == "arrangører"
    assert texts.term("role", "someone", "da") == "someone"
    with pytest.raises(NetsimError, match=r"--lang: must be one of en, da \(got 'fr'\)"):
        texts.check_lang("fr")


def test_the_teaching_page_script_gets_every_word_it_uses():
    from importlib import resources

    script = resources.files("netsim.show").joinpath("assets/teach.js").read_text("utf-8")
    used = set(re.findall(r"\bW\.(\w+)", script))
    assert {"week", "play", "pause", "missing"} <= used
    for lang in texts.LANGUAGES:
        words = texts.section("teach", lang)
        assert used <= set(words), used - set(words)
    assert texts.section("teach", "da")["week"] == "uge"
    assert texts.say("teach.of", "da", n="3", target="41") == "3 af 41"


def test_danish_numbers_are_babels_da_dk_formats():
    assert page.number(1234.5, "da", digits=1) == format_decimal(1234.5, locale="da_DK")
    assert page.number(1234.5, "da", digits=1) == "1.234,5"  # the reader's view of it
    assert page.number(1234.5, "en", digits=1) == "1,234.5"
    assert page.number(-0.001, "da") == "0"
    assert page.number(float("nan"), "da") == "–"


def test_danish_money_is_said_in_millions_of_kroner():
    text = page.money(2.5e6, "da")
    millions = format_compact_decimal(2.5e6, format_type="long", locale="da_DK", fraction_digits=1)
    assert text.startswith(millions) and text.endswith("kr.")
    assert text.startswith("2,5 mio") or text.startswith("2,5 million")
    assert page.money(2.5e6, "en").replace("\xa0", " ") == "2.5 million DKK"
    assert page.money(45_049.0, "da").replace("\xa0", " ") == "45.000 kr."
    assert page.money_short(2.5e6, "da").startswith("2,5")


def test_danish_percent_is_babels_with_its_space():
    assert page.percent(0.15, "da") == format_percent(0.15, locale="da_DK")
    assert page.percent(0.15, "da").replace("\xa0", " ") == "15 %"
    assert page.percent(0.15, "en") == format_percent(0.15, locale="en_GB") == "15%"
    assert page.percent(0.153, "da", digits=1).startswith("15,3")


def test_dates_follow_the_language():
    moment = dt.datetime(2026, 12, 2, 5, 40, 36, tzinfo=dt.UTC)
    assert "december 2026" in page.date_time(moment, "da")
    assert "December 2026" in page.date_time(moment, "en")


def test_figure_axes_write_numbers_in_danish():
    import pandas as pd

    from netsim.show import plots

    data = pd.DataFrame({"network": ["a", "a"], "week": [0, 4], "mean": [0.5, 0.25]})
    ax = plots.plot_attendance(data, lang="da")
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith("\xa0%") for t in ticks)
    assert ax.get_title() == texts.say("plot.attendance.title", "da")
