"""The words of the show wing: every message in both languages with the same fields."""

from __future__ import annotations

import pytest

from netsim.errors import NetsimError
from netsim.show import texts


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
    words = texts.section("teach", "da")
    for name in ("week", "blind", "working_week", "per_member", "total", "participants"):
        assert name in words
    assert words["total"] == "i alt {hours} timer om året"
