"""Text helpers every rule leans on: folding for comparison, blanking that keeps offsets."""

from __future__ import annotations

import pytest

from reflint.text import blank, fold


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Gattie, E.", "gattie e"),
        ("Müller-Lüdenscheidt", "muller ludenscheidt"),
        ("Ｆｕｌｌｗｉｄｔｈ ﬁne", "fullwidth fine"),  # compatibility forms and ligatures
        ("Straße &amp; Söhne", "strasse sohne"),  # casefold, entities
        ("Effect of “dry” needling – a trial", "effect of dry needling a trial"),
        ("Ελληνικά κείμενα", "ελληνικα κειμενα"),  # other scripts stay, accents go
        ("COVID-19: 2nd wave", "covid 19 2nd wave"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_makes_two_spellings_compare_equal(text, folded):
    assert fold(text) == folded


def test_blank_keeps_offsets_and_line_breaks():
    text = "keep <!-- a\r\nhidden --> this"
    out = blank(text, [(5, 24), (6, 8)])
    assert len(out) == len(text) and out.index("this") == text.index("this")
    assert out == "keep " + " " * 7 + "\n" + " " * 11 + "this"
