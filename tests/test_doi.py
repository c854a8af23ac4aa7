"""DOI syntax: every written form, every kind of damage, and no false alarms."""

import re
from pathlib import Path

import pytest

from reflint.doi import PROBLEMS, canonical, find_dois, invisible_repair, is_valid, junk_removal_joins, normalise

SEEDLIKE = Path(__file__).resolve().parent / "data" / "seedlike"  # the seeds' reference lists
SICI = "10.1002/(SICI)1097-4636(199706)35:4<415::AID-JBM1>3.0.CO;2-H"
SICI_ESCAPED = "10.1002/(SICI)1097-4636(199706)35:4%3C415::AID-JBM1%3E3.0.CO;2-H"

# (text, raw as written, cleaned doi, problems) for the single mention in text
CASES = [
    # sound forms
    ("doi:10.1234/abc", "10.1234/abc", "10.1234/abc", ()),
    ("DOI: 10.1234/abc", "10.1234/abc", "10.1234/abc", ()),
    ("doi 10.1234/abc", "10.1234/abc", "10.1234/abc", ()),
    ("https://doi.org/10.1234/abc", "10.1234/abc", "10.1234/abc", ()),
    ("HTTPS://DOI.ORG/10.1234/ABC", "10.1234/ABC", "10.1234/ABC", ()),
    ("see 10.1234/abc today", "10.1234/abc", "10.1234/abc", ()),
    ("see 10.1000.10/abc today", "10.1000.10/abc", "10.1000.10/abc", ()),
    ("doi:10.1/x", "10.1/x", "10.1/x", ()),
    ("[paper](https://doi.org/10.1/x)", "10.1/x", "10.1/x", ()),
    ("<https://doi.org/10.1/x>", "10.1/x", "10.1/x", ()),
    ('<a href="https://doi.org/10.1/x">paper</a>', "10.1/x", "10.1/x", ()),
    ("<p>https://doi.org/10.1/x</p>", "10.1/x", "10.1/x", ()),
    ("doi = {10.2519/jospt.2017.7096},", "10.2519/jospt.2017.7096", "10.2519/jospt.2017.7096", ()),
    # a BibTeX value broken over a line (real, epiverse-trace blog): the closing brace is markup
    (
        "doi={\nhttps://doi.org/10.48550/arXiv.2405.08841}\n}",
        "10.48550/arXiv.2405.08841",
        "10.48550/arXiv.2405.08841",
        (),
    ),
    ("doi:10.1016/S0140-6736(20)30183-5 shows", "10.1016/S0140-6736(20)30183-5", "10.1016/S0140-6736(20)30183-5", ()),
    (
        "(https://doi.org/10.1016/S0140-6736(20)30183-5)",
        "10.1016/S0140-6736(20)30183-5",
        "10.1016/S0140-6736(20)30183-5",
        (),
    ),
    (f"doi:{SICI} next", SICI, SICI, ()),
    (
        "https://doi.org/10.1016/S0140-6736%2820%2930183-5",
        "10.1016/S0140-6736%2820%2930183-5",
        "10.1016/S0140-6736(20)30183-5",
        (),
    ),
    # sentence punctuation and closing markup stay outside the DOI, and are not junk
    ("As shown (doi:10.1234/abc).", "10.1234/abc", "10.1234/abc", ()),
    ("See doi:10.1234/abc.", "10.1234/abc", "10.1234/abc", ()),
    ("See https://doi.org/10.1234/abc.", "10.1234/abc", "10.1234/abc", ()),
    ("doi:10.1234/abc, 2019", "10.1234/abc", "10.1234/abc", ()),
    ('He cited "doi:10.1234/abc".', "10.1234/abc", "10.1234/abc", ()),
    ("**doi:10.1234/abc**", "10.1234/abc", "10.1234/abc", ()),
    ("(see doi:10.1234/abc.)", "10.1234/abc", "10.1234/abc", ()),
    ("see doi:10.1234/abc\u2014it is open", "10.1234/abc", "10.1234/abc", ()),
    # missing-prefix: only after a label or doi.org
    ("doi:2147/JPR.S154728", "2147/JPR.S154728", "10.2147/JPR.S154728", ("missing-prefix",)),
    ("https://doi.org/1136/bmj.m1", "1136/bmj.m1", "10.1136/bmj.m1", ("missing-prefix",)),
    # truncated
    ("doi:10.1016/", "10.1016/", None, ("truncated",)),
    ("doi:10.1016", "10.1016", None, ("truncated",)),
    ("doi:10.1016.", "10.1016", None, ("truncated",)),
    ("doi:10.", "10.", None, ("truncated",)),
    ("https://doi.org/10.1016/", "10.1016/", None, ("truncated",)),
    ("doi:10.1016/\n\nHu, H-T. et al. Title.", "10.1016/", None, ("truncated",)),
    ("doi:10.1016/ Physiotherapy 2018", "10.1016/", None, ("truncated",)),
    # malformed
    ("doi:10. 1103/PhysRevD.1.1", "10. 1103/PhysRevD.1.1", "10.1103/PhysRevD.1.1", ("malformed",)),
    (
        "doi={http://dx.doi.org/10.1136/ bmj-2022-073153}",
        "10.1136/ bmj-2022-073153",
        "10.1136/bmj-2022-073153",
        ("malformed", "noncanonical"),
    ),
    ("10.1136/\nbmj-2022-073153 reported", "10.1136/\nbmj-2022-073153", "10.1136/bmj-2022-073153", ("malformed",)),
    (
        "doi:10.1136/bmj\u20102022\u2013073153",
        "10.1136/bmj\u20102022\u2013073153",
        "10.1136/bmj-2022-073153",
        ("malformed",),
    ),
    (
        "doi:10.1136/bmj\u20142022\u2212073153",
        "10.1136/bmj\u20142022\u2212073153",
        "10.1136/bmj-2022-073153",
        ("malformed",),
    ),
    # an escaped space inside a DOI URL (seen in real blog metadata) is damage, not encoding
    (
        "https://doi.org/10.1136/%20bmj-2022-073153",
        "10.1136/%20bmj-2022-073153",
        "10.1136/bmj-2022-073153",
        ("malformed",),
    ),
    ("doi:10.1000%2F182", "10.1000%2F182", "10.1000/182", ("malformed",)),
    # in a URL, an unescaped ? starts the query and # the fragment (publishers' links carry
    # tracking parameters); & ends a DOI that is itself a query value; outside a URL, ? stays
    (
        "https://journals.sagepub.com/doi/full/10.1177/0363546518762335?casa_token=abcDEF123",
        "10.1177/0363546518762335",
        "10.1177/0363546518762335",
        (),
    ),
    (
        "https://www.tandfonline.com/doi/full/10.1080/02640414.2019.1234567#abstract",
        "10.1080/02640414.2019.1234567",
        "10.1080/02640414.2019.1234567",
        (),
    ),
    (
        "https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0046041&type=printable",
        "10.1371/journal.pone.0046041",
        "10.1371/journal.pone.0046041",
        (),
    ),
    ("https://doi.org/10.2519/jospt.2017.7096?download=true", "10.2519/jospt.2017.7096", "10.2519/jospt.2017.7096", ()),
    ("https://doi.org/10.1000/abc%3Fdef", "10.1000/abc%3Fdef", "10.1000/abc?def", ()),
    ("doi:10.1000/a?b", "10.1000/a?b", "10.1000/a?b", ()),
    # Markdown's backslash escapes (what editors and converters write) show as the bare character
    ("doi:10.1016/S0140-6736\\(20\\)30183-5", "10.1016/S0140-6736\\(20\\)30183-5", "10.1016/S0140-6736(20)30183-5", ()),
    ("https://doi.org/10.1111/jocn\\_12345", "10.1111/jocn\\_12345", "10.1111/jocn_12345", ()),
    # a publisher's page for the DOI (Wiley's /full, /abstract, /epdf, Frontiers' /full,
    # Springer's .pdf) is not part of it; in a doi.org link or after doi: every character is
    (
        "https://onlinelibrary.wiley.com/doi/10.1111/j.1365-2648.2010.05346.x/full",
        "10.1111/j.1365-2648.2010.05346.x",
        "10.1111/j.1365-2648.2010.05346.x",
        (),
    ),
    (
        "https://www.cochranelibrary.com/cdsr/doi/10.1002/14651858.CD004376.pub3/epdf/full",
        "10.1002/14651858.CD004376.pub3",
        "10.1002/14651858.CD004376.pub3",
        (),
    ),
    (
        "(https://www.frontiersin.org/articles/10.3389/fpsyg.2020.01234/full).",
        "10.3389/fpsyg.2020.01234",
        "10.3389/fpsyg.2020.01234",
        (),
    ),
    (
        "https://link.springer.com/content/pdf/10.1007/s40279-019-01234-5.pdf",
        "10.1007/s40279-019-01234-5",
        "10.1007/s40279-019-01234-5",
        (),
    ),
    # bioRxiv's and medRxiv's pages add a version and a view; Research Square's /v1 is in its DOIs
    (
        "https://www.medrxiv.org/content/10.1101/2020.04.14.20062463v1.full.pdf",
        "10.1101/2020.04.14.20062463",
        "10.1101/2020.04.14.20062463",
        (),
    ),
    ("https://www.biorxiv.org/content/10.1101/123456v2", "10.1101/123456", "10.1101/123456", ()),
    # OUP's article number, BMC's and Springer's figure pages, Cochrane's translations, a trailing
    # slash; a JSTOR DOI is digits after its slash, and stays whole
    (
        "https://academic.oup.com/cid/advance-article/doi/10.1093/cid/ciaa1234/5899999",
        "10.1093/cid/ciaa1234",
        "10.1093/cid/ciaa1234",
        (),
    ),
    ("https://www.jstor.org/stable/10.2307/1234567", "10.2307/1234567", "10.2307/1234567", ()),
    (
        "https://bmcmedicine.biomedcentral.com/articles/10.1186/s12916-020-01234-5/figures/2",
        "10.1186/s12916-020-01234-5",
        "10.1186/s12916-020-01234-5",
        (),
    ),
    (
        "https://www.cochranelibrary.com/cdsr/doi/10.1002/14651858.CD012345.pub2/full/es",
        "10.1002/14651858.CD012345.pub2",
        "10.1002/14651858.CD012345.pub2",
        (),
    ),
    ("https://onlinelibrary.wiley.com/doi/abs/10.1002/ejp.1234/", "10.1002/ejp.1234", "10.1002/ejp.1234", ()),
    ("https://genome.cshlp.org/content/10.1101/gr.123456.111", "10.1101/gr.123456.111", "10.1101/gr.123456.111", ()),
    (
        "https://www.researchsquare.com/article/10.21203/rs.3.rs-123456/v1",
        "10.21203/rs.3.rs-123456/v1",
        "10.21203/rs.3.rs-123456/v1",
        (),
    ),
    ("https://doi.org/10.1002/pri.1234/abstract", "10.1002/pri.1234/abstract", "10.1002/pri.1234/abstract", ()),
    ("doi:10.1002/pri.1234/full", "10.1002/pri.1234/full", "10.1002/pri.1234/full", ()),
    (
        "doi:10.1016/S0140-6736%2820%2930183-5",
        "10.1016/S0140-6736%2820%2930183-5",
        "10.1016/S0140-6736(20)30183-5",
        ("malformed",),
    ),
    ("doi:10.1234/ab\u200bc", "10.1234/ab\u200bc", "10.1234/abc", ("malformed",)),
    # cut by a space or a line break after a dot that ends no DOI (real PLOS reference)
    (
        "doi:10.1371/journal. pbio.0060118",
        "10.1371/journal. pbio.0060118",
        "10.1371/journal.pbio.0060118",
        ("malformed",),
    ),
    (
        "doi:10.1016/j.\ncell.2019.01.001 x",
        "10.1016/j.\ncell.2019.01.001",
        "10.1016/j.cell.2019.01.001",
        ("malformed",),
    ),
    # ... but a complete DOI, or a next word that is no suffix part, is never joined
    ("doi:10.1038/nature11690. pbio.0060118", "10.1038/nature11690", "10.1038/nature11690", ()),
    ("doi:10.5061/dryad. NCT01234567 is the trial", "10.5061/dryad", "10.5061/dryad", ()),
    ("doi:10.5061/dryad. pmid:18494561", "10.5061/dryad", "10.5061/dryad", ()),
    ("doi:10.5061/dryad. e1001234", "10.5061/dryad", "10.5061/dryad", ()),
    # a page range glued on: damaged, and what the DOI was cannot be told offline
    (
        "doi:10.1371/journal.pgen.10013731100\u20131104",
        "10.1371/journal.pgen.10013731100\u20131104",
        "10.1371/journal.pgen.10013731100-1104",
        ("malformed",),
    ),
    # escapes: correct inside any URL, damage in a DOI name
    (f"Available: https://onlinelibrary.wiley.com/doi/abs/{SICI_ESCAPED} today", SICI_ESCAPED, SICI, ()),
    (f"[text](http://example.org/full/{SICI_ESCAPED})", SICI_ESCAPED, SICI, ()),
    (f"doi: {SICI_ESCAPED}", SICI_ESCAPED, SICI, ("malformed",)),
    (f"see {SICI_ESCAPED} today", SICI_ESCAPED, SICI, ("malformed",)),
    # emphasis around the DOI, opened right before it or earlier in the paragraph
    ("See _doi:10.1016/j.foo.2019.01.001_.", "10.1016/j.foo.2019.01.001", "10.1016/j.foo.2019.01.001", ()),
    ("See _10.1016/j.foo.2019.01.001_.", "10.1016/j.foo.2019.01.001", "10.1016/j.foo.2019.01.001", ()),
    ("_Smith J. Foo. doi:10.1/abc_", "10.1/abc", "10.1/abc", ()),
    ("**Smith J. Foo. doi:10.1/abc.**", "10.1/abc", "10.1/abc", ()),
    ("**a** and doi:10.1/abc**", "10.1/abc**", "10.1/abc", ("trailing-junk",)),
    ("my_var is at doi:10.1/abc_ now", "10.1/abc_", "10.1/abc", ("trailing-junk",)),
    # trailing-junk: punctuation or markup captured into the DOI
    ("[paper](https://doi.org/10.1234/abc.)", "10.1234/abc.", "10.1234/abc", ("trailing-junk",)),
    ("<https://doi.org/10.1234/abc;>", "10.1234/abc;", "10.1234/abc", ("trailing-junk",)),
    ('<a href="https://doi.org/10.1234/abc.">x</a>', "10.1234/abc.", "10.1234/abc", ("trailing-junk",)),
    ("[paper](https://doi.org/10.1234/abc</a>)", "10.1234/abc</a>", "10.1234/abc", ("trailing-junk",)),
    ('doi = "10.1234/abc.",', "10.1234/abc.", "10.1234/abc", ("trailing-junk",)),
    ("doi:10.1234/abc.,", "10.1234/abc.", "10.1234/abc", ("trailing-junk",)),
    ("see 10.1234/abc). Next", "10.1234/abc)", "10.1234/abc", ("trailing-junk",)),
    ("doi:10.1234/abc]", "10.1234/abc]", "10.1234/abc", ("trailing-junk",)),
    ('doi:10.1234/abc" and', '10.1234/abc"', "10.1234/abc", ("trailing-junk",)),
    ("doi:10.1234/abc** and", "10.1234/abc**", "10.1234/abc", ("trailing-junk",)),
    ("doi:10.1234/abc_ and", "10.1234/abc_", "10.1234/abc", ("trailing-junk",)),
    ("doi:10.1234/abc;;", "10.1234/abc;", "10.1234/abc", ("trailing-junk",)),
    # noncanonical URL forms
    ("http://dx.doi.org/10.1234/abc", "10.1234/abc", "10.1234/abc", ("noncanonical",)),
    ("https://dx.doi.org/10.1234/abc", "10.1234/abc", "10.1234/abc", ("noncanonical",)),
    ("http://doi.org/10.1234/abc", "10.1234/abc", "10.1234/abc", ("noncanonical",)),
    ("https://www.doi.org/10.1234/abc", "10.1234/abc", "10.1234/abc", ("noncanonical",)),
    ("see doi.org/10.1234/abc", "10.1234/abc", "10.1234/abc", ("noncanonical",)),
    ("[x](http://dx.doi.org/10.1234/abc.)", "10.1234/abc.", "10.1234/abc", ("trailing-junk", "noncanonical")),
]


@pytest.mark.parametrize("text, raw, doi, problems", CASES)
def test_mention(text, raw, doi, problems):
    (m,) = find_dois(text)
    assert (m.raw, m.doi, m.problems) == (raw, doi, problems)
    assert text[m.doi_start : m.doi_end] == m.raw and m.end == m.doi_end
    assert set(m.problems) <= set(PROBLEMS)
    junk = text[m.junk_start : m.doi_end]
    assert bool(junk) == ("trailing-junk" in problems)
    if doi and "trailing-junk" in problems and "malformed" not in problems:
        assert text[m.doi_start : m.junk_start] == doi  # stripping the junk is the whole fix


@pytest.mark.parametrize(
    "text, form, written, url_prefix",
    [
        ("Read doi:10.1234/abc now", "label", "doi:10.1234/abc", None),
        ("Read DOI: 10.1234/abc now", "label", "DOI: 10.1234/abc", None),
        ("Read http://dx.doi.org/10.1234/abc now", "url", "http://dx.doi.org/10.1234/abc", "http://dx.doi.org/"),
        ("Read doi.org/10.1234/abc now", "url", "doi.org/10.1234/abc", "doi.org/"),
        ("Read 10.1234/abc now", "bare", "10.1234/abc", None),
    ],
)
def test_form_and_span(text, form, written, url_prefix):
    (m,) = find_dois(text)
    assert (m.form, text[m.start : m.end], m.url_prefix) == (form, written, url_prefix)


@pytest.mark.parametrize(
    "text",
    [
        "scores of 10.5/10 in version 10.2",
        "on 10.10.2020, 10/10/2020 or 2020-10-10",
        "the code 1179/jmt.2006.14.4.70E without a label",
        "write to doi@example.org or help@doi.org.",
        "reach jane.10.1234@example.com today",
        "Elsevier registers DOIs under 10.1016/ and Wiley under 10.1002/.",
        "the doi is missing, as is the https://doi.org/ link",
        "https://example.org/v10.1234/x",
    ],
)
def test_not_a_doi(text):
    assert find_dois(text) == []


def test_several_mentions_in_one_paragraph():
    text = "(see doi:10.1234/a and https://doi.org/10.1234/b) then 10.1234/c)."
    assert [(m.doi, m.problems) for m in find_dois(text)] == [
        ("10.1234/a", ()),
        ("10.1234/b", ()),
        ("10.1234/c", ("trailing-junk",)),
    ]


def test_an_invisible_character_before_another_doi_separates_the_two():
    """Deleting the zero-width space (the safe fix for one inside a DOI) would glue them."""
    for written in ("10.1234/abcd", "*10.1234/abcd*", "doi:10.1234/abcd", "https://doi.org/10.1234/abcd"):
        found = find_dois(f"A claim (doi:10.1016/\u200b{written}).")
        assert [(m.raw, m.problems) for m in found] == [("10.1016/", ("truncated",)), ("10.1234/abcd", ())]
    # inside one DOI it is damage, which the fix removes
    assert [m.doi for m in find_dois("doi:10.1016/j.\u200bpain.2014.01.002")] == ["10.1016/j.pain.2014.01.002"]


def test_seed_missing_prefixes():
    text = (SEEDLIKE / "missing-prefix.txt").read_text(encoding="utf-8")
    found = [(m.raw, m.doi, m.problems) for m in find_dois(text)]
    assert found == [
        (raw, "10." + raw, ("missing-prefix",))
        for raw in [
            "1179/jmt.2006.14.4.70E",
            "1179/106698111X13129729552065",
            "1136/bjsports-2016-096248",
            "1093/rheumatology/ken161",
            "1179/108331913X13844245102034",
            "1136/acupmed-2015-010911",
            "2147/JPR.S154728",
        ]
    ]


def test_seed_truncated_and_sound():
    text = (SEEDLIKE / "truncated.txt").read_text(encoding="utf-8")
    found = [(m.doi, m.problems) for m in find_dois(text)]
    assert found == [
        ("10.2519/jospt.2017.7096", ()),
        (None, ("truncated",)),
        ("10.1097/MD.0000000000011225", ()),
        ("10.1016/j.ctim.2017.06.003", ()),
        ("10.2519/jospt.2017.6698", ()),
        ("10.1097/JSM.0000000000000794", ()),
    ]


@pytest.mark.parametrize(
    "raw, doi",
    [
        ("10.1234/abc", "10.1234/abc"),
        (" doi:10.1/x. ", "10.1/x"),
        ("https://dx.doi.org/10.1/x", "10.1/x"),
        ("1179/jmt.2006.14.4.70E", "10.1179/jmt.2006.14.4.70E"),  # known to be a DOI field
        ("10.1136/ bmj-2022-073153", "10.1136/bmj-2022-073153"),
        ("10.1016/", None),
        ("not a doi", None),
        ("", None),
    ],
)
def test_normalise(raw, doi):
    assert normalise(raw) == doi


@pytest.mark.parametrize(
    "doi, valid",
    [
        ("10.2519/jospt.2017.7096", True),
        (SICI, True),
        ("10.1016/S0140-6736(20)30183-5", True),
        ("10.1234/abc.", False),
        ("10.1234/ab c", False),
        ("10.1234/ab\u2013c", False),
        ("10.1016/", False),
        ("1179/jmt", False),
        ("doi:10.1234/abc", False),
        ("https://doi.org/10.1234/abc", False),
    ],
)
def test_is_valid(doi, valid):
    assert is_valid(doi) is valid


def test_canonical():
    assert canonical("10.1/x") == "https://doi.org/10.1/x"
    assert canonical("10.1/x", "doi:") == "doi:10.1/x"
    assert canonical("10.1000/a#b?c d") == "https://doi.org/10.1000/a%23b%3Fc%20d"
    # the canonical URL reads back as the same, sound DOI
    (m,) = find_dois(canonical("10.1000/a%b#c"))
    assert (m.doi, m.problems) == ("10.1000/a%b#c", ())


@pytest.mark.parametrize(
    "text, count",
    [
        (("(Gattie et al. 2017) doi:1179/x " * 70_000)[:2_000_000], 62_500),
        ("(" * 10_000 + "doi:10.1234/abc" + ")" * 10_000, 1),
        ("doi:10.1234/" + "(" * 10_000 + ")" * 10_000, 0),  # no real DOI is that long
        ("(" * 1_000_000 + "doi:10.1/x" + ")" * 1_000_000, 1),
        ("doi:10." + "1" * 2_000_000, 0),
        ("10.1234." * 250_000, 0),
        (".doi:" * 400_000, 0),
        ("doi" + " " * 2_000_000 + "x", 0),
        ("doi:10.1/ " * 200_000, 200_000),
        ("<" * 2_000_000 + "https://doi.org/10.1/x", 1),
    ],
)
def test_linear_time_on_hostile_input(text, count):
    # each case would take minutes if scanning were quadratic
    assert len(find_dois(text)) == count


def test_offsets_survive_edits():
    """Removing every reported junk span leaves sound DOIs: the RL104 fix is exact."""
    text = "A [x](https://doi.org/10.1234/a.) B doi:10.1234/b., C 10.1234/c). D"
    for m in reversed(find_dois(text)):
        text = text[: m.junk_start] + text[m.doi_end :]
    assert all(m.problems == () for m in find_dois(text))
    assert re.findall(r"10\.1234/\w", text) == ["10.1234/a", "10.1234/b", "10.1234/c"]


@pytest.mark.parametrize(
    "written, doi, safe",
    [
        ("10.1136/ bjsports-2016-096248", "10.1136/bjsports-2016-096248", True),
        ("10. 1103/PhysRevD.1.1", "10.1103/PhysRevD.1.1", True),
        ("10.1371/journal. pbio.0060118", "10.1371/journal.pbio.0060118", True),
        ("10.1136/acupmed\u20102015\u2011010911", "10.1136/acupmed-2015-010911", True),  # drawn as "-"
        ("10.1234/ab\u200bc", "10.1234/abc", True),
        ("10.1136/%20acupmed-2015-010911", "10.1136/acupmed-2015-010911", True),  # an escaped space
        # visible changes: the result may not be the DOI the writer meant
        ("10.1371/journal.pgen.10013731100\u20131104", "10.1371/journal.pgen.10013731100-1104", False),
        ("10.1136/bmj\u20142022\u2212073153", "10.1136/bmj-2022-073153", False),
        (SICI_ESCAPED, SICI, False),
        ("10.1000%2F182", "10.1000/182", False),
    ],
)
def test_invisible_repair(written, doi, safe):
    assert invisible_repair(written, doi) is safe


@pytest.mark.parametrize(
    "text, joins",
    [
        ("See doi:10.1016/j.x.2020).next time", True),
        ("See doi:10.1016/j.x.2020}.next time", True),
        ("See doi:10.1016/j.x.2020>.next time", True),
        ("See doi:10.1016/j.x.2020)-next time", True),
        ("See <b>doi:10.1016/j.x.2020)</b>next time", True),
        ("<p>See doi:10.1016/j.x.2020).<b>next</b></p>", True),
        ("See doi:10.1016/j.x.2020). Next time", False),
        ("See doi:10.1016/j.x.2020).", False),
        ("See doi:10.1016/j.x.2020)", False),
        ("See doi:10.1016/j.x.2020).</b> next", False),
        ("[x](https://doi.org/10.1016/j.x.2020.,) next", False),
    ],
)
def test_junk_removal_joins(text, joins):
    (m,) = find_dois(text)
    assert "trailing-junk" in m.problems
    assert junk_removal_joins(text, m.doi_start, m.junk_start, m.doi_end) is joins
