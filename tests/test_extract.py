"""Extraction: reference lists, in-text citations, DOI mentions, BibTeX entries, hostile input.

Reference strings are bibliographic facts from the seed articles; the prose is made up.
"""

from __future__ import annotations

import random
from array import array

import pytest

from reflint import documents
from reflint.extract import extract
from reflint.models import Document

GATTIE = (
    "Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling for "
    "musculoskeletal conditions by physical therapists: a systematic review and meta-analysis. "
    "J Orthop Sports Phys Ther. 2017;47(3):133-149. doi:10.2519/jospt.2017.7096"
)
PYNE = (
    "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. " "doi:1093/rheumatology/ken161"
)
MEAKINS = (
    "Meakins A. Acupuncture: what's the point? Br J Sports Med. 2017;51(6):484-484. " "doi:1136/bjsports-2016-096248"
)
HU = (
    "Hu, H-T. et al. Is dry needling effective for low back pain?: A systematic review and "
    "PRISMA-compliant meta-analysis. Medicine (Baltimore). 2018;97(26):e11225. "
    "doi:10.1097/MD.0000000000011225"
)
HALL = (
    "Hall, ML, Mackie, AC & Cury Ribeiro, D. Effects of dry needling trigger point therapy in the "
    "shoulder region on patients with upper extremity pain and dysfunction: a systematic review "
    "with meta-analysis. Physiotherapy. 2018;104:167-177. doi:10.1016/"
)
CUSHMAN = (
    "Cushman, DM. et al. Postrace Dry Needling Does Not Reduce Subsequent Soreness and "
    "Cramping-A Randomized Controlled Trial. Clin J Sport Med. 2021;31(3):225-231. "
    "doi:10.1097/JSM.0000000000000794"
)

PROSE = (
    "Dry needling places a thin filament into a tight band of muscle. Patients often report "
    "soreness (24–48 hours) afterwards, and the evidence is mixed.\n\n"
)


def md(text: str, kind: str = "markdown") -> Document:
    return Document(path="x.md", text=text, kind=kind)


def entries(doc: Document) -> list[str]:
    return [doc.text[r.start : r.end] for r in extract(doc).references]


# --- reference lists -------------------------------------------------------------------------


def test_seed_style_reference_heading_with_bullets():
    text = (
        PROSE + "< Recommendation by Our Experts>\n\n✔ Combine needling with exercise\n"
        "✔ Expect mild soreness\n\n< Reference >\n\n" + "".join(f"  • {e}\n" for e in (PYNE, MEAKINS, GATTIE))
    )
    doc = md(text, "text")
    found = extract(doc)
    assert found.has_reference_list
    assert entries(doc) == [PYNE, MEAKINS, GATTIE]
    assert [r.label for r in found.references] == [None, None, None]
    assert [r.kind for r in found.references] == ["list-entry"] * 3
    assert [[doc.text[m.start : m.end] for m in r.dois] for r in found.references] == [
        ["doi:1093/rheumatology/ken161"],
        ["doi:1136/bjsports-2016-096248"],
        ["doi:10.2519/jospt.2017.7096"],
    ]
    assert [m.raw for m in found.dois] == [
        "1093/rheumatology/ken161",
        "1136/bjsports-2016-096248",
        "10.2519/jospt.2017.7096",
    ]


def test_headless_trailing_paragraphs_stop_before_the_author_bio():
    bio = (
        "About Dr. Alex Example\n\nExample A, an emergency physician, has raced since 2005 and "
        "writes about training and coaching for runners and triathletes.\n"
    )
    text = (
        PROSE * 3
        + "Train hard, recover well.\n\n\n"
        + "\n\n".join([GATTIE, HALL, HU, CUSHMAN])
        + "\n\nAvatar1573582516 7\n"
        + bio
    )
    doc = md(text, "text")
    assert entries(doc) == [GATTIE, HALL, HU, CUSHMAN]
    assert extract(doc).has_reference_list


def test_headless_list_does_not_swallow_a_trailing_remark():
    text = PROSE + GATTIE + "\n\n" + HU + "\n\nThanks for reading, and see you next week.\n"
    assert entries(md(text)) == [GATTIE, HU]


def test_numbered_list_with_wrapped_entries():
    text = (
        PROSE + "## References\n\n"
        "1. Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry\n"
        "   needling for musculoskeletal conditions. J Orthop Sports Phys Ther.\n"
        "   2017;47(3):133-149.\n"
        "2) Pyne D, Shenker NG. Demystifying acupuncture.\n"
        "Rheumatology. 2008;47(8):1132-1136.\n"
        "[3] Meakins A. Acupuncture: what's the point? Br J Sports Med. 2017;51(6):484.\n"
    )
    doc = md(text)
    refs = extract(doc).references
    assert [r.label for r in refs] == ["1", "2", "3"]
    assert refs[0].text == (
        "Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry "
        "needling for musculoskeletal conditions. J Orthop Sports Phys Ther. "
        "2017;47(3):133-149."
    )
    assert doc.text[refs[0].start : refs[0].end].startswith("Gattie E")
    assert doc.text[refs[0].start : refs[0].end].endswith("2017;47(3):133-149.")
    assert refs[1].text == "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136."
    assert doc.text[refs[2].start : refs[2].end].startswith("Meakins A.")
    assert extract(doc).citations == []  # "[3]" labels an entry, it does not cite one


@pytest.mark.parametrize(
    "heading",
    [
        "## References",
        "# Bibliography",
        "**References**",
        "References:",
        "REFERENCES",
        "< Reference >",
        "### Works cited",
        "Sources",
        "Further reading",
        "<h2>References</h2>",
        "Literature",
        "References and further reading",
        "6. References",
    ],
)
def test_reference_headings(heading):
    text = PROSE + heading + "\n\n- " + PYNE + "\n- " + MEAKINS + "\n\n## About the author\n\n- Runs in 2024\n"
    assert entries(md(text)) == [PYNE, MEAKINS]


def test_list_under_heading_ends_at_a_non_reference_paragraph():
    text = (
        "## References\n\n- " + PYNE + "\n- Personal communication, see our website\n\n"
        "About the author\n\nJane has treated runners since 2009 (https://example.org).\n"
    )
    assert entries(md(text)) == [PYNE, "Personal communication, see our website"]


def test_one_reference_per_line_without_markers():
    text = PROSE + "References\n" + GATTIE + "\n" + HU + "\n" + CUSHMAN + "\n"
    assert entries(md(text, "text")) == [GATTIE, HU, CUSHMAN]


@pytest.mark.parametrize(
    "text",
    [
        PROSE,
        PROSE + "Gattie et al. (2017) found that needling helped in 2017, as did later work.\n\n"
        "Hu et al. (2018) found the same for low back pain in 2018, with caveats.\n",
        PROSE + "- Stretch daily in 2024\n- Rest 2 days\n",
        "```\n## References\n- " + PYNE + "\n```\n",
        "<!-- References\n- " + PYNE + "\n-->\n" + PROSE,
    ],
)
def test_no_reference_list(text):
    found = extract(md(text))
    assert not found.has_reference_list
    assert found.references == []


def test_crlf_spans_exclude_line_endings():
    text = (PROSE + "## References\n\n- " + PYNE + "\n- " + MEAKINS + "\n").replace("\n", "\r\n")
    assert entries(md(text)) == [PYNE, MEAKINS]


# --- in-text citations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "prose, expected",
    [
        ("as shown (Gattie et al. 2017).", [("Gattie et al. 2017", ["Gattie"], "2017")]),
        ("as shown (Gattie et al., 2017).", [("Gattie et al., 2017", ["Gattie"], "2017")]),
        (
            "mixed (Smith & Jones, 2019; Lee 2020).",
            [("Smith & Jones, 2019", ["Smith", "Jones"], "2019"), ("Lee 2020", ["Lee"], "2020")],
        ),
        ("mixed (Smith and Jones 2019).", [("Smith and Jones 2019", ["Smith", "Jones"], "2019")]),
        ("Gattie et al. (2017) found", [("Gattie et al. (2017)", ["Gattie"], "2017")]),
        ("In a trial, Cotchett et al. (2014) found", [("Cotchett et al. (2014)", ["Cotchett"], "2014")]),
        ("As Smith (2019a) notes", [("Smith (2019a)", ["Smith"], "2019a")]),
        ("Smith and Jones (2019) note", [("Smith and Jones (2019)", ["Smith", "Jones"], "2019")]),
        ("pain (Fernández-de-las-Peñas 2019).", [("Fernández-de-las-Peñas 2019", ["Fernández-de-las-Peñas"], "2019")]),
        ("pain (see Lee 2020).", [("Lee 2020", ["Lee"], "2020")]),
        ("pain (e.g., Lee 2020, p. 5).", [("Lee 2020", ["Lee"], "2020")]),
        ("pain (Lee 2020: 45-47).", [("Lee 2020", ["Lee"], "2020")]),
        (
            "pain (Gattie et al. 2017; Dunning et al., 2014, pp. 252–265).",
            [("Gattie et al. 2017", ["Gattie"], "2017"), ("Dunning et al., 2014", ["Dunning"], "2014")],
        ),
        ("In their review, Gattie et al. (2017, p. 140) found", [("Gattie et al. (2017, p. 140)", ["Gattie"], "2017")]),
        ("pain (van Hoek et al. 2024).", [("van Hoek et al. 2024", ["van Hoek"], "2024")]),
        (
            "pain (World Health Organization, 2020).",
            [("World Health Organization, 2020", ["World Health Organization"], "2020")],
        ),
        ("pain (Smith 2019, 2020).", [("Smith 2019", ["Smith"], "2019"), ("2020", ["Smith"], "2020")]),
        ("pain (Smith, Jones, & Lee, 2019).", [("Smith, Jones, & Lee, 2019", ["Smith", "Jones", "Lee"], "2019")]),
    ],
)
def test_author_year_citations(prose, expected):
    doc = md(prose)
    cites = extract(doc).citations
    assert [(doc.text[c.start : c.end], c.authors, c.year) for c in cites] == expected
    assert {c.style for c in cites} == {"author-year"}


@pytest.mark.parametrize(
    "prose",
    [
        "platelet-rich plasma (PRP) injections",
        "soreness (24–48 hours) afterwards",
        "the (“Qi”) concept",
        "a nodule (the so-called trigger point) forms",
        "a review (2017) found",
        "(2017) was a good year",
        "in 40 patients (n = 40) and",
        "significant (p < 0.05) results",
        "during the pandemic (COVID-19) clinics",
        "since the change (March 2020) clinics",
        "the study (in 2019) found",
        "published in Lancet Global Health (2020) was",
        "a range (1999–2019) of",
    ],
)
def test_ordinary_parentheses_are_not_citations(prose):
    assert extract(md(prose)).citations == []


@pytest.mark.parametrize(
    "prose, numbers",
    [
        ("helps [1].", [[1]]),
        ("helps [2-4].", [[2, 3, 4]]),
        ("helps [2–4].", [[2, 3, 4]]),
        ("helps [1, 3].", [[1, 3]]),
        ("helps [1,3-5] and [7].", [[1, 3, 4, 5], [7]]),
        ("a link [1](https://example.org) here", []),
        ("[1]: https://example.org\n", []),
        ("- [x] done\n- [ ] todo\n", []),
        ("![1](fig.png)", []),
        ("see `[1]` in code", []),
    ],
)
def test_numeric_citations(prose, numbers):
    cites = extract(md(prose)).citations
    assert [c.numbers for c in cites] == numbers
    assert all(c.style == "numeric" for c in cites)


def test_numeric_citations_with_a_numbered_list():
    doc = md("Needling helps [1] and hurts [2].\n\n## References\n\n1. " + PYNE + "\n2. " + MEAKINS + "\n")
    found = extract(doc)
    assert [(doc.text[c.start : c.end], c.numbers) for c in found.citations] == [("[1]", [1]), ("[2]", [2])]
    assert [r.label for r in found.references] == ["1", "2"]


@pytest.mark.parametrize(
    "prose, keys",
    [
        ("helps [@gattie2017].", [["gattie2017"]]),
        ("helps [@smith2019; @lee2020, p. 3].", [["smith2019", "lee2020"]]),
        ("helps [@charniga2024best;@park2024estimating].", [["charniga2024best", "park2024estimating"]]),
        ("helps [see -@smith2019].", [["smith2019"]]),
        ("@gattie2017 says so.", [["gattie2017"]]),
        ("mail me at someone@example.org or [a@b.c]", []),
        ("see [@user](https://social.example/@user)", []),
    ],
)
def test_pandoc_citations(prose, keys):
    cites = extract(md(prose)).citations
    assert [c.keys for c in cites] == keys
    assert all(c.style == "pandoc" for c in cites)


def test_bare_pandoc_keys_only_in_markdown():
    assert extract(md("@gattie2017 says so.", "text")).citations == []


def test_doi_link_citation():
    text = "as [a trial](https://doi.org/10.1016/S2214-109X(20)30074-7) showed."
    doc = md(text)
    found = extract(doc)
    assert [(c.style, doc.text[c.start : c.end]) for c in found.citations] == [
        ("doi-link", "[a trial](https://doi.org/10.1016/S2214-109X(20)30074-7)")
    ]
    assert [doc.text[m.start : m.end] for m in found.dois] == ["https://doi.org/10.1016/S2214-109X(20)30074-7"]


def test_citations_are_not_read_from_code_comments_or_the_reference_list():
    text = (
        "Text (Lee 2020).\n\n```\nx = f(Smith 2019) [1]\n```\n\n"
        "<!-- reflint: ignore RL401 (Jones 2018) -->\n\n## References\n\n1. " + PYNE + "\n"
    )
    doc = md(text)
    assert [doc.text[c.start : c.end] for c in extract(doc).citations] == ["Lee 2020"]


# --- DOI mentions ----------------------------------------------------------------------------


def test_dois_anywhere_index_the_source_text():
    text = "Front doi:1179/jmt.2006.14.4.70E and https://doi.org/10.2519/jospt.2017.7096.\n"
    doc = md(text, "text")
    dois = extract(doc).dois
    assert [doc.text[m.start : m.end] for m in dois] == [
        "doi:1179/jmt.2006.14.4.70E",
        "https://doi.org/10.2519/jospt.2017.7096",
    ]
    assert (
        [doc.text[m.doi_start : m.doi_end] for m in dois]
        == [m.raw for m in dois]
        == ["1179/jmt.2006.14.4.70E", "10.2519/jospt.2017.7096"]
    )


def test_dois_in_code_and_comments_are_ignored_but_front_matter_counts():
    text = (
        '---\ndoi: "10.59350/ncsre-v2w98"\n---\n\nText.\n\n```\ndoi:10.1000/code\n```\n'
        "<!-- doi:10.1000/comment -->\n"
    )
    assert [m.raw for m in extract(md(text)).dois] == ["10.59350/ncsre-v2w98"]


def html_doc(chunks: list[tuple[str, str | None]]) -> Document:
    """An HTML document from (source, visible) pairs, with the plain-to-source maps by hand.

    ``visible`` None means the source is visible as is; otherwise (a tag or an entity) each
    visible character maps to the whole source chunk.
    """
    text, plain, starts, ends = "", "", array("q"), array("q")
    for source, visible in chunks:
        begin = len(text)
        text += source
        if visible is None:
            visible = source
            starts.extend(range(begin, len(text)))
            ends.extend(range(begin + 1, len(text) + 1))
        else:
            starts.extend([begin] * len(visible))
            ends.extend([len(text)] * len(visible))
        plain += visible
    return Document(path="x.html", text=text, kind="html", plain=plain, source_starts=starts, source_ends=ends)


def test_html_offsets_map_to_the_source():
    doc = html_doc(
        [
            ("<p>", "\n"),
            ("Needling helps (Gattie et al. 2017) and ", None),
            ('<a href="https://doi.org/10.1136/bjsports-2016-096248">', ""),
            ("a review", None),
            ("</a>", ""),
            (" agrees.", None),
            ("</p>", "\n"),
            ("<h2>", "\n"),
            ("References", None),
            ("</h2>", "\n"),
            ("<ul>", "\n"),
            ("<li>", "\n"),
            ("Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. doi:", None),
            ('<a href="https://doi.org/10.1093/rheumatology/ken161">', ""),
            ("10.1093/rheumatology/ken161", None),
            ("</a>", ""),
            ("</li>", "\n"),
            ("<li>", "\n"),
            ("Meakins A. Acupuncture ", None),
            ("&amp;", "&"),
            (" the point. Br J Sports Med. 2017;51(6):484.", None),
            ("</li>", "\n"),
            ("</ul>", "\n"),
        ]
    )
    found = extract(doc)
    text = doc.text
    assert [text[r.start : r.end] for r in found.references] == [
        "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. doi:"
        '<a href="https://doi.org/10.1093/rheumatology/ken161">10.1093/rheumatology/ken161',
        "Meakins A. Acupuncture &amp; the point. Br J Sports Med. 2017;51(6):484.",
    ]
    assert found.references[1].text == "Meakins A. Acupuncture & the point. Br J Sports Med. 2017;51(6):484."
    # the link text "a review" is not the DOI, so the href is scanned; the list entry's is not repeated
    assert [text[m.start : m.end] for m in found.dois] == [
        "https://doi.org/10.1136/bjsports-2016-096248",
        'doi:<a href="https://doi.org/10.1093/rheumatology/ken161">10.1093/rheumatology/ken161',
    ]
    assert (
        [text[m.doi_start : m.doi_end] for m in found.dois]
        == [m.raw for m in found.dois]
        == ["10.1136/bjsports-2016-096248", "10.1093/rheumatology/ken161"]
    )
    assert found.references[0].dois == [found.dois[1]]
    cites = [(c.style, text[c.start : c.end]) for c in found.citations]
    assert cites == [
        ("author-year", "Gattie et al. 2017"),
        ("doi-link", '<a href="https://doi.org/10.1136/bjsports-2016-096248">a review</a>'),
    ]


# --- BibTeX ----------------------------------------------------------------------------------

BIB = """% library
@article{gattie2017effectiveness,
  author  = {Gattie, Eric and Cleland, Joshua A. and Snodgrass, Suzanne},
  title   = {The {E}ffectiveness of Trigger Point Dry Needling},
  journal = {J Orthop Sports Phys Ther},
  year    = 2017,
  volume  = {47},
  number  = {3},
  pages   = {133--149},
  doi     = {10.2519/jospt.2017.7096}
}

@book{travell1983,
  author    = {Janet G. Travell and David G. Simons and {World Health Organization}},
  title     = {Myofascial Pain and Dysfunction},
  publisher = {Williams \\& Wilkins},
  year      = {1983},
}
"""


def test_bibtex_entries():
    doc = Document(path="x.bib", text=BIB, kind="bibtex")
    found = extract(doc)
    assert found.notes == [] and found.citations == []
    first, second = found.references
    assert (first.key, first.kind, second.key) == ("gattie2017effectiveness", "bibtex-entry", "travell1983")
    assert doc.text[first.start : first.end].startswith("@article{gattie2017effectiveness,")
    assert doc.text[first.start : first.end].endswith("jospt.2017.7096}\n}")
    assert doc.text[second.start : second.end].endswith("year      = {1983},\n}")
    f = first.fields
    assert [(a.family, a.given) for a in f.authors] == [
        ("Gattie", "Eric"),
        ("Cleland", "Joshua A."),
        ("Snodgrass", "Suzanne"),
    ]
    assert (f.title, f.container, f.year, f.volume, f.issue, f.pages, f.doi, f.type) == (
        "The Effectiveness of Trigger Point Dry Needling",
        "J Orthop Sports Phys Ther",
        "2017",
        "47",
        "3",
        "133-149",
        "10.2519/jospt.2017.7096",
        "article",
    )
    assert [m.doi for m in first.dois] == ["10.2519/jospt.2017.7096"]
    g = second.fields
    assert [(a.family, a.given) for a in g.authors] == [
        ("Travell", "Janet G."),
        ("Simons", "David G."),
        ("World Health Organization", ""),
    ]
    assert (g.container, g.type, second.dois) == ("Williams & Wilkins", "book", [])


def test_malformed_bibtex_is_a_note_not_a_crash():
    text = BIB + "\n@article{broken,\n  title = {Unclosed\n  year = 2019,\n\n@misc{ok, title = {Fine}}\n"
    doc = Document(path="x.bib", text=text, kind="bibtex")
    found = extract(doc)
    line = text[: text.index("@article{broken")].count("\n") + 1
    assert found.notes == [f"line {line}: malformed BibTeX entry (unbalanced braces?) - fix or remove it"]
    assert [r.key for r in found.references] == ["gattie2017effectiveness", "travell1983", "ok"]


def test_duplicate_bibtex_key_is_noted_and_kept():
    text = "@misc{a, title = {One}}\n@misc{a, title = {Two}}\n"
    found = extract(Document(path="x.bib", text=text, kind="bibtex"))
    assert found.notes == ["line 2: duplicate BibTeX key 'a' - rename or remove one of the entries"]
    assert [r.fields.title for r in found.references] == ["One", "Two"]


# --- hostile input: these must simply finish quickly ------------------------------------------


def test_ten_thousand_nested_parentheses():
    cites = extract(md("(" * 10_000 + "Smith 2019" + ")" * 10_000)).citations
    assert [(c.authors, c.year) for c in cites] == [(["Smith"], "2019")]


def test_unclosed_parentheses_and_brackets():
    found = extract(md("(" * 100_000 + "[" * 100_000 + "<!--" * 10_000 + "@" * 10_000))
    assert found.citations == [] and found.references == []


def test_two_megabyte_line():
    line = "word " * 400_000 + "(Gattie et al. 2017) [3] " + "x" * 100_000
    found = extract(md(line))
    assert [c.style for c in found.citations] == ["author-year", "numeric"]
    assert found.references == []


def test_many_short_citations():
    found = extract(md("(Smith 2019) [1] " * 20_000))
    assert len(found.citations) == 40_000


TOKENS = [
    "(",
    ")",
    "[",
    "]",
    "@",
    "Smith",
    " et al.",
    " 2019",
    "2020a",
    ";",
    ",",
    "&",
    " and ",
    "\n",
    "\n\n",
    "# References\n",
    "- ",
    "1. ",
    "[1]",
    "doi:",
    "10.1000/",
    "https://doi.org/",
    "<!--",
    "-->",
    "```",
    "`",
    '<a href="https://doi.org/10.1/x">',
    "</a>",
    "&amp;",
    "<p>",
    "Gattie E, ",
    "•",
    "\r\n",
    " ",
    "x",
    "{",
    "}",
    "@article{k,",
    "title={",
    "author = {A, B and C}",
    "---\n",
]


@pytest.mark.parametrize("kind", ["markdown", "text", "html", "bibtex"])
def test_random_input_never_crashes_and_spans_stay_in_bounds(kind):
    from reflint.html_text import visible_text

    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 60)))
        if kind == "html":
            plain, starts, ends = visible_text(text)
            doc = Document(path="x", text=text, kind=kind, plain=plain, source_starts=starts, source_ends=ends)
        else:
            doc = Document(path="x", text=text, kind=kind)
        found = extract(doc)
        for item in found.references + found.citations + found.dois:
            assert 0 <= item.start <= item.end <= len(text)
        for m in found.dois:
            assert m.start <= m.doi_start <= m.junk_start <= m.doi_end <= m.end
            assert m.raw == text[m.doi_start : m.doi_end]


def test_lists_of_a_thousand_entries_and_more_are_read_whole():
    entries = [f"{i}. Smith J{i}, Lee K. A study of thing {i}. J Test. 20{i % 20:02d};{i}:1-9." for i in range(1, 1206)]
    doc = documents.from_text(
        "Claims [1000]–[1150].\n\n## References\n\n" + "\n".join(entries) + "\n", "x.md", "markdown"
    )
    x = extract(doc)
    assert len(x.references) == 1205 and x.references[-1].label == "1205"
    assert x.citations[0].numbers == list(range(1000, 1151))


def test_a_year_starting_a_line_is_no_list_number():
    doc = documents.from_text("## References\n\n1999. Smith J. A study. J Test. 1999;1:1-9.\n", "x.md", "markdown")
    assert [r.label for r in extract(doc).references] == [None]


def test_a_ditto_mark_entry_takes_the_authors_of_the_entry_before():
    text = (
        "## Bibliography\n\n"
        "- Barth, John. The Sot-Weed Factor. New York: Grosset & Dunlap, 1966.\n"
        "- ———. Lost in the Funhouse. New York: Bantam, 1969.\n"
        "- ———. Giles Goat-Boy. New York: Doubleday, 1966.\n"
        "- Anonymous pamphlet on needling. London, 1901.\n"
        "- ---. A second pamphlet. London, 1902.\n"
    )
    refs = extract(documents.from_text(text, "b.md", "markdown")).references
    families = [[a.family for a in r.fields.authors] for r in refs]
    assert families[:3] == [["Barth"]] * 3  # a run of dittos, each from the one before
    assert refs[1].fields.authors is not refs[0].fields.authors  # a copy: a fix may edit one
    assert families[4] == families[3]  # nothing to repeat: nothing invented


def test_a_citeproc_bibliography_needs_no_heading():
    """pandoc, Quarto and Zotero write a bibliography as ``<div id="refs">`` of ``csl-entry``
    divs, and pandoc adds no heading: the element is the list, so an entry with a full given
    name and no initials ("Nichols, Bill. 1993.") is read too; a numbered style's margin box
    gives each entry its number."""
    entry = '<div class="csl-entry" role="listitem">{}</div>\n'
    texts = [
        "Cotchett, M. P., Munteanu, S. E., &amp; Landorf, K. B. (2014). Effectiveness of trigger "
        "point dry needling for plantar heel pain. <em>Physical Therapy</em>, <em>94</em>(8), 1083–1094.",
        "Nichols, Bill. 1993. “Getting to Know You: Knowledge, Power, and the Body.” In "
        "<em>Theorizing Documentary</em>, edited by Michael Renov, 174–91. New York: Routledge.",
    ]
    page = '<p>Text.</p>\n<div id="refs" class="references csl-bib-body" role="list">\n{}</div>\n'
    found = extract(documents.from_text(page.format("".join(map(entry.format, texts))), "post.html", "html"))
    assert [(r.label, r.fields.authors[0].family, r.fields.year) for r in found.references] == [
        (None, "Cotchett", "2014"),
        (None, "Nichols", "1993"),
    ]
    boxed = [
        f'<div class="csl-left-margin">[{i}] </div><div class="csl-right-inline">{t}</div>'
        for i, t in enumerate(texts, 1)
    ]
    found = extract(documents.from_text(page.format("".join(map(entry.format, boxed))), "post.html", "html"))
    assert [(r.label, r.fields.authors[0].family) for r in found.references] == [("1", "Cotchett"), ("2", "Nichols")]


def test_rendered_footnotes_that_read_as_references_are_entries():
    """Hugo's rendered footnotes: a note that reads as a reference is an entry wherever the
    section stands (one alone is enough), cited by its mark; a remark is not."""
    note = '<li id="fn:{}">\n<p>{}&#160;<a href="#fnref:{}" class="footnote-backref">&#x21a9;</a></p>\n</li>\n'
    notes = [
        "Cotchett MP, Munteanu SE, Landorf KB. Effectiveness of trigger point dry needling for "
        "plantar heel pain. Phys Ther. 2014;94(8):1083-1094.",
        "We stretched for five minutes in 2019, as the clinic does.",
    ]
    body = '<p>Needling helped.<sup id="fnref:1"><a href="#fn:1" class="footnote-ref">1</a></sup> So did rest.'
    body += '<sup id="fnref:2"><a href="#fn:2" class="footnote-ref">2</a></sup></p>\n'
    items = "".join(note.format(i, t, i) for i, t in enumerate(notes, 1))
    page = (
        body
        + f'<div class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n{items}</ol>\n</div>\n<p>Comments are closed.</p>\n'
    )
    found = extract(documents.from_text(page, "post.html", "html"))
    assert [(r.anchor, r.fields.authors[0].family, r.fields.year) for r in found.references] == [
        ("fn:1", "Cotchett", "2014")
    ]
    assert [(c.style, c.keys) for c in found.citations] == [("anchor", ["fn:1"])]


def test_html_entries_apart_by_line_breaks():
    """A WordPress list: one paragraph, entries apart by ``<br />``, lines not wrapped. A
    finished entry's line break ends it, whatever the next one opens with (a full given
    name, initials first, a ditto mark)."""
    entries = [
        "Nichols, Bill. 1993. Getting to Know You: Knowledge, Power, and the Body. In Theorizing "
        "Documentary, edited by Michael Renov, 174-91. New York: Routledge.",
        "J. G. Proakis and D. K. Manolakis, Digital Signal Processing (Pearson, 2006).",
        "———. Digital Communications (McGraw-Hill, 2008).",
        "Cotchett MP, Munteanu SE, Landorf KB. Effectiveness of trigger point dry needling for "
        "plantar heel pain. Phys Ther. 2014;94(8):1083-1094.",
    ]
    page = "<p>Text.</p>\n<p><b>References:</b></p>\n<p>" + "<br />".join(entries) + "</p>\n"
    found = extract(documents.from_text(page, "post.html", "html"))
    assert [(r.fields.authors[0].family, r.fields.year) for r in found.references] == [
        ("Nichols", "1993"),
        ("Proakis", "2006"),
        ("Proakis", "2008"),
        ("Cotchett", "2014"),
    ]


def test_a_link_around_an_html_entry_gives_the_entry_its_doi():
    """A WordPress list links each entry to its paper: a doi.org link or a publisher's page
    whose URL holds the DOI. The DOI is the entry's (BibTeX and verification see it), and
    the link is not a citation in the prose that would count the entry as cited."""
    text = (
        "<p>Retractions rise with impact (Fang and Casadevall 2011); see also "
        '<a href="https://academic.oup.com/rheumatology/article/doi/10.1093/rheumatology/ken161/1788000">'
        "a review</a>.</p>\n<h2>References</h2>\n<ul>\n"
        '<li><a href="https://journals.asm.org/doi/pdf/10.1128/iai.05661-11">Fang, F.C. and Casadevall, A. 2011. '
        "Retracted science and the retraction index. Infection and Immunity 79(10):3855-3859.</a></li>\n"
        '<li><a href="https://doi.org/10.2519/jospt.2017.7096">' + GATTIE.split(" doi:")[0] + "</a></li>\n</ul>\n"
    )
    found = extract(documents.from_text(text, "post.html", "html"))
    fang, gattie = found.references
    assert [m.doi for m in fang.dois] == ["10.1128/iai.05661-11"] and fang.fields.doi == "10.1128/iai.05661-11"
    assert [m.doi for m in gattie.dois] == ["10.2519/jospt.2017.7096"]
    assert gattie.fields.doi == "10.2519/jospt.2017.7096"
    # the prose link to OUP's page is a DOI link, its article number no part of the DOI
    assert [(c.style, c.text) for c in found.citations] == [
        ("author-year", "Fang and Casadevall 2011"),
        (
            "doi-link",
            '<a href="https://academic.oup.com/rheumatology/article/doi/10.1093/rheumatology/ken161/1788000">'
            "a review</a>",
        ),
    ]
    assert [m.doi for m in found.dois] == [
        "10.1093/rheumatology/ken161",
        "10.1128/iai.05661-11",
        "10.2519/jospt.2017.7096",
    ]


def test_footnote_definitions_that_read_as_references_are_entries():
    """Markdown blogs cite with footnotes (GFM, Pandoc, Hugo, Obsidian): each definition
    that reads as a reference is an entry labelled by its footnote, wherever it stands,
    and verified like one; a footnote that is a remark is not."""
    text = (
        "Needling eased heel pain[^1].\n\n"
        "[^1]: Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136.\n\n"
        "Sham needling did nearly as well.[^gattie] We stretch too.[^note]\n\n"
        "[^gattie]: " + GATTIE + "\n"
        "[^note]: In our clinic, since 2019, a five-minute hamstring stretch.\n"
    )
    found = extract(documents.from_text(text, "post.md"))
    assert [(r.label, r.fields.authors[0].family, r.fields.year) for r in found.references] == [
        ("^1", "Pyne", "2008"),
        ("^gattie", "Gattie", "2017"),
    ]
    assert [m.doi for m in found.references[1].dois] == ["10.2519/jospt.2017.7096"]
    assert [(c.style, c.keys) for c in found.citations] == [
        ("footnote", ["1"]),
        ("footnote", ["gattie"]),
        ("footnote", ["note"]),
    ]


def test_footnote_definitions_with_given_names_first_are_entries():
    """IEEE and physics lists put initials first ("J. Reif and L. G. Valiant."); such a footnote
    definition is a reference too, so two definitions of one work are reported as duplicates."""
    reif = '[^{}]: J. Reif and L. G. Valiant. "A logarithmic time sort for linear size networks," Journal of the ACM, 1987.\n'
    text = "Sorting is fast.[^12] It was shown twice.[^13]\n\n" + reif.format(12) + reif.format(13)
    found = extract(documents.from_text(text, "post.md"))
    assert [(r.label, r.fields.authors[0].family, r.fields.year) for r in found.references] == [
        ("^12", "Reif", "1987"),
        ("^13", "Reif", "1987"),
    ]


def test_hard_wrapped_text_list_splits_into_its_entries():
    """A plain-text list wrapped at 80 columns, entries apart by blank lines: a journal's
    abbreviation that looks like initials ("Biophys J. 2012") and a wrapped author list
    ("Santos" / "C, Fondevila M, et al.") continue their entry, so does "Available: http://...",
    and a work of 1813 does not end the list."""
    text = (
        "Ions cloud RNA (Kirmizialtin et al., 2012).\n\nReferences\n\n"
        "Phillips C, Fernandez-Formoso L, Gelabert-Besada M, Garcia-Magarinos M, Santos\n"
        "C, Fondevila M, et al. Development of a novel forensic STR multiplex.\n"
        "Electrophoresis. 2013;34(8):1151-62.\n\n"
        "Kirmizialtin S, Pabit SA, Meisburger SP, Pollack L, Elber R. RNA and its ionic\n"
        "cloud: Solution scattering experiments and atomically detailed simulations.\n"
        "Biophys J. 2012;102: 819-828.\n\n"
        "Fischer von Waldheim G (1813) Zoognosia tabulis synopticis illustrata. Moscow:\n"
        "NS Vsevolozsky. 605 p.\n\n"
        "Wever EG (1985) The amphibian ear. Princeton: Princeton University Press.\n\n"
        "The R Project for Statistical Computing (2015) R [computer program].\n"
        "Available: http://www.r-project.org. Accessed 8 January 2015.\n"
    )
    found = extract(documents.from_text(text, "article.txt"))
    assert [(r.fields.authors[0].family, r.fields.year) for r in found.references] == [
        ("Phillips", "2013"),
        ("Kirmizialtin", "2012"),
        ("Fischer von Waldheim", "1813"),
        ("Wever", "1985"),
        ("The R Project for Statistical Computing", "2015"),
    ]


def test_wrapped_text_list_keeps_lines_that_read_as_entries_in_their_entry():
    """Hard-wrapped entries apart by blank lines: a line that starts like an entry but is not
    one ("Damgaard, et al. (editors)" after "in P. H.", "Durley, T." after "In E. Gottheil, K.",
    a closing "Washington, D. C.") stays in its entry instead of ending the list, two wrapped
    lines with a year each are one entry, and neither "[1], 2006" nor "- fects" is a list
    marker."""
    text = (
        "References\n"
        "\n"
        'Kennedy, A. D. (1990) "The theory of hybrid stochastic algorithms", in P. H.\n'
        "Damgaard, et al. (editors) Probabilistic Methods in Quantum Field Theory and\n"
        "Quantum Gravity, New York: Plenum Press.\n"
        "\n"
        "Singh, J., & Hennessy, J. (1991). An empirical investigation of the effectiveness\n"
        "and limitations of automatic parallelization. In Proceedings of the\n"
        "International Symposium on Shared Memory Multiprocessors, Tokyo, Japan.\n"
        "\n"
        "Lefebvre, Henri. The Production of Space. 1974. Trans. Donald Nicholson-Smith.\n"
        "Cambridge, MA: Blackwell, 1991.\n"
        "\n"
        'Morag, Raya. "Not a Dirty Secret: On Some Cases of Bulimia in Cinema." Camera\n'
        "Obscura: A Journal of Feminism, Culture, and Media Studies, vol. 21, no. 61\n"
        "[1], 2006, pp. 146-182.\n"
        "\n"
        "Goodman, N. D., Tenenbaum, J. B., Griffiths, T. L., & Feldman, J. (2008).\n"
        "Compositionality in rational analysis. In Proceedings of the 30th annual\n"
        "meeting of the cognitive science society (p. 939-994).\n"
        "Washington, D. C..\n"
        "\n"
        "Jaklevic RC, Lambe J, Silver AH, Mercereau JE (1964) Quantum interference ef\n"
        "- fects in multiply connected superconductors. Phys Rev Lett 12: 159-160.\n"
        "\n"
        "Haendel, V. (1983). The motives of the will. In E. Gottheil, K.\n"
        "Durley, T. Skodola, and H. Waxman (Eds.), Etiologic aspects of alcohol and\n"
        "drug abuse. Springfield, Ill: Charles C. Thomas.\n"
    )
    found = extract(documents.from_text(text, "notes.txt"))
    assert [(r.fields.authors[0].family, r.fields.year) for r in found.references] == [
        ("Kennedy", "1990"),
        ("Singh", "1991"),
        ("Lefebvre", "1974"),
        ("Morag", "2006"),
        ("Goodman", "2008"),
        ("Jaklevic", "1964"),
        ("Haendel", "1983"),
    ]
