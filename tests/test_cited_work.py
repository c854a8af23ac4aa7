"""Which work an author-year citation names, from its paragraph (reflint.cited_work, RL401)."""

from __future__ import annotations

from reflint.cited_work import citation_match, topic_stems
from reflint.documents import from_text
from reflint.extract import extract

GATTIE = {
    "DOI": "10.2519/jospt.2017.7096",
    "type": "journal-article",
    "title": [
        "The effectiveness of trigger point dry needling for musculoskeletal conditions by "
        "physical therapists: a systematic review and meta-analysis"
    ],
    "author": [{"family": "Gattie", "given": "E.", "sequence": "first"}],
    "issued": {"date-parts": [[2017]]},
}
OTHER_GATTIE = {
    "DOI": "10.5555/gattie.other",
    "type": "journal-article",
    "title": ["Manual therapy for low back pain in older adults"],
    "author": [{"family": "Gattie", "given": "E.", "sequence": "first"}],
    "issued": {"date-parts": [[2017]]},
}


def context(page: str) -> str:
    [citation] = [c for c in extract(from_text(page, "a.md", "markdown")).citations if c.style == "author-year"]
    return citation.context


def test_short_domain_words_count_and_word_forms_meet():
    assert {"dri", "low", "hip"} <= topic_stems("Dry needling for low back and hip pain")
    assert topic_stems("effective") == topic_stems("effectiveness")
    assert "the" not in topic_stems("the of and")


def test_topic_named_a_sentence_before_the_citation():
    page = (
        "# Needling\n\nTrigger point dry needling is used by physical therapists for musculoskeletal "
        "conditions. It seems effective in the short term (Gattie et al., 2017).\n\nAnother paragraph "
        "about knee surgery.\n"
    )
    paragraph = context(page)
    assert "Trigger point" in paragraph and "knee" not in paragraph
    match = citation_match("Gattie", "2017", paragraph, [OTHER_GATTIE, GATTIE])
    assert match and match.doi == GATTIE["DOI"]
    # the citing sentence alone does not name the topic: no guess
    assert (
        citation_match(
            "Gattie", "2017", "It seems effective in the short term (Gattie et al., 2017).", [OTHER_GATTIE, GATTIE]
        )
        is None
    )


def test_wrong_year_author_or_topic_gives_nothing():
    paragraph = "Trigger point dry needling by physical therapists for musculoskeletal conditions."
    assert citation_match("Gattie", "2018", paragraph, [GATTIE]) is None
    assert citation_match("Dunning", "2017", paragraph, [GATTIE]) is None
    assert citation_match("Gattie", "2017", "Exercise for knee osteoarthritis in runners.", [GATTIE]) is None


def test_two_works_that_fit_mean_no_suggestion():
    twin = dict(
        GATTIE,
        DOI="10.5555/gattie.twin",
        title=["Trigger point dry needling for musculoskeletal conditions by physical therapists"],
    )
    paragraph = "Trigger point dry needling for musculoskeletal conditions by physical therapists is effective."
    assert citation_match("Gattie", "2017", paragraph, [GATTIE, twin]) is None
