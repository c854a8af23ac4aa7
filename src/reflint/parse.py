"""Reference string -> :class:`Fields`, with a CRF sequence labeller (as AnyStyle and GROBID do).

A CRF labels each token (``reflint.crf``); consecutive tokens with one label form segments
with exact offsets. Rules correct it where it is most often wrong: two for Vancouver/AMA,
the style of health content, and four for titles in books and chapters (Chicago's
``Family, Given.``, a year range ending a title, a subtitle after ``?:``, a book's title vs
a chapter's container). ``reflint.parse_fields`` then turns the segments into fields.

The model is trained by ``scripts/train_parser.py``; accuracy is measured by
``benchmarks/parse_accuracy.py`` on data it was never trained on.
"""

from __future__ import annotations

import re
from importlib import resources
from itertools import compress, islice
from operator import ne

from reflint.crf import numbering_end, tokenize
from reflint.models import Fields
from reflint.names import PARTICLES as _PARTICLES
from reflint.parse_blocks import author_date, corporate_first_block, title_after_authors
from reflint.parse_fields import YEAR, Segment, run_span, to_fields
from reflint.names import split_authors  # noqa: F401  (part of this module's interface)

_model = None  # the Decoder of the model in use


def use_model(path: str | None = None) -> None:
    """Tag with the model file at ``path`` (default: the shipped ``data/parser.crfsuite``)."""
    from reflint import crfsuite_model
    from reflint.decoder import Decoder

    global _model
    if path is None:
        with resources.as_file(resources.files("reflint") / "data" / "parser.crfsuite") as shipped:
            return use_model(str(shipped))
    _model = Decoder(crfsuite_model.read(path))


def _get_model():
    """Load the model once per process (loading costs more than tagging)."""
    if _model is None:
        use_model()
    return _model


# Rules on top of the CRF for Vancouver/AMA, the house style of health content:
# "Gattie E, Cleland JA. Title. Journal. 2017 Mar;47(3):133-149." The CRF, trained mostly
# on physics references, sometimes runs a Title-Case title into such an author list, or a
# journal into the title. Both shapes below are distinctive enough to trust over it.
# (benchmarks/parse_accuracy.py prints the CRF-only figures next to these.)
_NAMES = re.compile(r"[^.:;]+(?=[.:]\s)")
_NOT_VANCOUVER = re.compile(r"\.\s*(?:and\b|&|,)|\.\s+[A-Z][\w'’-]*(?:[.,]|\s+and\b)")
_ETAL = re.compile(r"\.?\s*et al\b\.?")
_TRAILING_ETAL = re.compile(r",?\s+et al$")
_COMMA = re.compile(r",\s*")
_CAPITALS = re.compile(r"[A-Z]{1,3}")
_AMA_ANCHOR = re.compile(
    r"(?<=[.?!])\s*(?P<date>(?:1[5-9]|20)\d\d(?:\s[A-Z][a-z]{2}(?:\s\d{1,2})?)?)\s*;\s*"
    r"(?:Volume\s+)?(?P<volume>\w+)(?:\s*\((?P<issue>[^()]{1,20})\))?"
    r"(?:\s*:\s*(?P<pages>\w+(?:\s*[-‐–]\s*\w+)?))?"
)


def _vancouver_names_end(text: str, start: int) -> int | None:
    """End of a leading Vancouver author list (``Gattie E, Mayoral Del Moral O, et al``).

    Not ``Sarita V. Adve.`` or ``John G. Cleary, ...``: there the "initials" are a middle
    name and the word after them is a family name; nor ``Pahor S. and Strnad J.``, which
    goes on after the period.
    """
    m = _NAMES.match(text, start)
    if not m or _NOT_VANCOUVER.match(text, m.end()):
        return None
    for part in _COMMA.split(_TRAILING_ETAL.sub("", m.group().strip())):
        words = part.split()
        if (
            len(words) < 2
            or not _CAPITALS.fullmatch(words[-1])
            or not all(w[0].isupper() or w in _PARTICLES for w in words[:-1])
        ):
            return None
    etal = _ETAL.match(text, m.end())  # "Adriani O. et al."
    return etal.end() if etal else m.end()


def _ama(text: str, skip: int, segs: list[Segment]) -> list[Segment] | None:
    """Re-read title and journal around a Vancouver/AMA "Journal. 2017;47(3):1-9" anchor:
    the journal is the block just before it, the title what lies between it and the authors."""
    anchor = _AMA_ANCHOR.search(text, skip) if ";" in text else None  # (its pattern opens with a lookbehind)
    if not anchor:
        return None
    span = author_span(segs)
    head_start = span[1] if span else skip
    head = text[head_start : anchor.start()]
    cut = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
    if cut < 0:
        return None
    parts = [("author", *span)] if span else []
    title = re.match(r"[\s.:]*(.*\S)", head[: cut + 1])
    if title:
        parts.append(("title", head_start + title.start(1), head_start + title.end(1)))
    parts.append(("container", head_start + cut + 2, anchor.start() - 1))
    parts += [(k, anchor.start(k), anchor.end(k)) for k in ("date", "volume", "issue", "pages") if anchor[k]]
    return [Segment(label, a, b, text[a:b]) for label, a, b in parts] + [s for s in segs if s.start >= anchor.end()]


_GIVEN = re.compile(  # ", Charles." / ", Marie-Luise von." / ", J. Gerald." after "Family"
    r",\s*((?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]\.)(?:\s(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)*|[A-Z]\."
    r"|(?:%s)\b))*?)\.\s+(?=\S)" % "|".join(sorted(_PARTICLES))
)


_ONE_FAMILY_NAME = re.compile(r"(?:(?:%s)\s)*[^\W\d_][\w'’-]*" % "|".join(_PARTICLES))  # "von Goethe"


def _inverted_given_name(text: str, tokens: list, labels: list[str]) -> None:
    """Chicago/MLA ``Rzepka, Charles. Detective Fiction.``: when the author run is one
    family name and the CRF starts the title at the given name after its comma, the given
    name joins the author (first author only, as those styles invert only the first)."""
    first = next((i for i, lab in enumerate(labels) if lab != "other"), None)
    if first is None or labels[first] != "author":
        return
    last = first
    while last + 1 < len(labels) and labels[last + 1] == "author":
        last += 1
    family = text[tokens[first][1] : tokens[last][2]]
    if not _ONE_FAMILY_NAME.fullmatch(family):
        return
    m = _GIVEN.match(text, tokens[last][2])
    if not m:
        return
    for i in range(last + 1, len(tokens)):
        a = tokens[i][1]
        if a >= m.end(1):
            if a < m.end() and text[a] == ".":
                labels[i] = "other"
            break
        if a >= m.start(1) and labels[i] not in ("title", "other"):
            return  # only where the CRF read the given name as the title's start
    else:
        return
    for i in range(last + 1, len(tokens)):
        if tokens[i][1] >= m.end(1):
            break
        if tokens[i][1] >= m.start(1):
            labels[i] = "author"


_RANGE = re.compile(r"(?:1[5-9]|20)\d\d\s*[-–—]\s*\d{2,4}")


def _year_range_in_title(tokens: list, labels: list[str]) -> None:
    """``The Black Image in the White Mind ..., 1817-1914. New York: Harper, 1971.``: a
    year range right after the title (only a comma between) that the CRF read as a date
    or as pages belongs to the title when the string has a publication year besides."""
    title_end = None
    for i, lab in enumerate(labels):
        if lab == "title":
            title_end = i
        elif title_end is not None and lab != "other":
            break
    if title_end is None or title_end + 4 >= len(tokens) or tokens[title_end + 1][0] != ",":
        return
    j = k = title_end + 2
    while (
        k < len(tokens) and labels[j] in ("date", "pages") and labels[k] == labels[j] and tokens[k][0] not in ",.;:()"
    ):
        k += 1
    rng = " ".join(t for t, _, _ in tokens[j:k])
    if k == j or not _RANGE.fullmatch(rng.replace(" ", "")):
        return
    if not any(lab == "date" and YEAR.fullmatch(tokens[i][0][:4]) and not j <= i < k for i, lab in enumerate(labels)):
        return
    for i in range(title_end + 1, k):
        labels[i] = "title"


def segment(text: str, rules: bool = True) -> list[Segment]:
    """Labelled segments, offsets into ``text``; leading list numbering is skipped.

    ``rules=False`` gives the CRF's reading alone (the benchmark's baseline).
    """
    return segment_many([text], rules)[0]


def segment_many(texts: list[str], rules: bool = True) -> list[list[Segment]]:
    """``segment`` of each text; the CRF tags them all in one batch (much faster)."""
    skips = [numbering_end(text) for text in texts]
    tokens = [tokenize(text, skip) for text, skip in zip(texts, skips)]
    labels = iter(_get_model().tag_many([(text, toks) for text, toks in zip(texts, tokens) if toks]))
    return [
        _segments(text, skip, toks, next(labels), rules) if toks else []
        for text, skip, toks in zip(texts, skips, tokens)
    ]


def _segments(text: str, skip: int, tokens: list, labels: list[str], rules: bool) -> list[Segment]:
    """The CRF's labels of one text, corrected by the rules, as segments."""
    names_end = _vancouver_names_end(text, skip) if rules else None
    if names_end:  # the author list is exactly the names; what the CRF ran on joins the title
        after = next(
            (lab for (_, a, _), lab in zip(tokens, labels) if a > names_end and lab not in ("author", "other")), "title"
        )
        for i, (_, a, b) in enumerate(tokens):
            if b <= names_end:
                labels[i] = "author"
            elif a == names_end:
                labels[i] = "other"
            elif labels[i] == "author":
                labels[i] = after
            else:
                break
    if rules:
        if not author_date(text, skip, tokens, labels):
            corporate_first_block(text, skip, tokens, labels)
        title_after_authors(text, tokens, labels)
        _inverted_given_name(text, tokens, labels)
        _year_range_in_title(tokens, labels)
    # runs of one label, found in C: where a label differs from the one before it
    firsts = [0, *compress(range(1, len(labels)), map(ne, labels, islice(labels, 1, None)))]
    segs = []
    for first, last in zip(firsts, [k - 1 for k in firsts[1:]] + [len(labels) - 1]):
        start, end = tokens[first][1], tokens[last][2]
        segs.append(Segment(labels[first], start, end, text[start:end]))
    return (rules and (_ama(text, skip, segs) or _book_parts(text, _subtitle(text, segs)))) or segs


def _subtitle(text: str, segs: list[Segment]) -> list[Segment]:
    """``Is dry needling effective for low back pain?: A systematic review. Medicine, 97``:
    a container does not start with a colon; what the CRF put there, up to the container's
    last sentence break, is the title's subtitle."""
    c = next((i for i, s in enumerate(segs) if s.label == "container"), None)
    if not c or not segs[c].text.startswith(":"):
        return segs
    t = c - 1
    while t >= 0 and segs[t].label == "other":
        t -= 1
    cut = segs[c].text.rfind(". ")
    if t < 0 or segs[t].label != "title" or cut < 0:
        return segs
    end, start = segs[c].start + cut, segs[c].start + cut + 2
    return (
        segs[:t]
        + [
            Segment("title", segs[t].start, end, text[segs[t].start : end]),
            Segment("container", start, segs[c].end, text[start : segs[c].end]),
        ]
        + segs[c + 1 :]
    )


_PROCEEDINGS = re.compile(r"(?i)\b(?:proc|conference|workshop|symposium|meeting|congress)")


def _book_parts(text: str, segs: list[Segment]) -> list[Segment]:
    """Books and chapters, where the CRF mixes up title and container.

    A chapter's book, after its editors (``In E. M. Hetherington (Ed.), Handbook of child
    psychology (Vol. 4, pp. 643–691)``), read as a second title is the container. A book
    read as a container, with no title, no "In" before it and no volume or issue but a
    publisher or place (``Leviathan and the Air-Pump. Princeton, NJ: Princeton University
    Press.``), is the title, unless it reads as proceedings: a book has no container.
    """
    labels = [s.label for s in segs]
    if "container" not in labels and "editor" in labels and "title" in labels:
        first_title, editor = labels.index("title"), labels.index("editor")
        later = [
            i for i in range(editor + 1, len(segs)) if labels[i] == "title" and re.search(r"[^\W\d_]{2}", segs[i].text)
        ]
        if first_title < editor and later:
            for i in range(later[0], len(segs)):
                if labels[i] not in ("title", "other"):
                    break
                if labels[i] == "title":
                    segs[i].label = "container"
    elif "title" not in labels and "container" in labels and "editor" not in labels:
        i = labels.index("container")
        rest = set(labels[i + 1 :])
        if (
            rest & {"publisher", "location"}
            and not rest & {"volume", "issue", "container"}
            and not re.search(r"(?i)\bin:?\s*$", text[: segs[i].start])
            and not _PROCEEDINGS.search(segs[i].text)
        ):
            segs[i].label = "title"
    return segs


def author_span(segs: list[Segment]) -> tuple[int, int] | None:
    """The author list: see :func:`reflint.parse_fields.run_span`."""
    return run_span(segs, "author")


def parse_reference(text: str, *, rules: bool = True) -> Fields:
    """Parse one reference string; fields the string does not contain stay None."""
    return parse_references([text], rules=rules)[0]


def parse_references(texts: list[str], *, rules: bool = True) -> list[Fields]:
    """``parse_reference`` of each string, tagged in one batch: a document's list at once."""
    return [to_fields(text, segs) for text, segs in zip(texts, segment_many(texts, rules))]
