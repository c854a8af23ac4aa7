"""Which registered work does an author-year citation name, when the page has no reference list?

Only the first author, the year and the citing paragraph are known. The paragraph's topic
words are compared with each candidate's title after stemming (Snowball English), so
"effectiveness" meets "effective" and "needles" meets "needling"; short domain words
("dry", "low", "hip") count, only grammatical and research-generic words do not. Precision
comes first: first author and year must agree exactly, the title must share enough of its
topic stems with the paragraph (two and half, or three and a quarter), and a second candidate
that comes close means no answer (a wrong DOI in a page is worse than none).
"""

from __future__ import annotations

import re
from functools import lru_cache

from reflint.match import Match, _same_family, compare, record_fields
from reflint.models import Fields
from reflint.text import fold

# Grammatical words: never topic words, whatever their length.
_GRAMMAR = set(
    """a about above after again against all also although am among an and any are as at
be because been before being below between both but by can could did do does doing down during each
either few for from further had has have having he her here hers him his how however i if in into is
it its itself just may me might more most much must my neither no nor not now of off on once only or
other our ours out over own per same she should since so some such than that the their theirs them
then there these they this those through thus to too under until up upon us very via vs was we were
what when where whether which while who whom whose why will with within without would yet you your
et al one two three four five new""".split()
)
# Words of research writing that say nothing about a topic (compared as stems).
_GENERIC = set(
    """studi trial review research evid patient peopl result show shown found find report
use base approach method analysi analys case data paper articl work author group
investig examin assess evalu compar comparison role toward among learn
systemat meta random control cohort observ prospect retrospect cross section pilot""".split()
)
_WORD = re.compile(r"[^\W_]+")

# A title must share with the paragraph two topic stems and half of its own, or three and a
# quarter: real prose names a long title's topic with a few of its words ("needling by
# physical therapists" for a 9-stem title), a short title is named almost whole.
MIN_SHARED, MIN_COVERAGE = 2, 0.5
MORE_SHARED, LOWER_COVERAGE = 3, 0.25
TIE_MARGIN = 0.25  # the runner-up must trail the best by this much coverage


@lru_cache(maxsize=1)
def _english():
    """Loaded on first use: only online author-year matching stems, and loading takes ~15 ms."""
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _english().stemWord(word)


def topic_stems(text: str) -> set[str]:
    """Stems of the topic words of ``text``: 3+ letters (or 2+ with a digit, "h1n1", "b12"), no
    grammatical or generic research words, no bare numbers."""
    stems = set()
    for word in _WORD.findall(fold(text)):
        if word in _GRAMMAR or word.isdigit() or len(word) < 3:
            continue
        stem = _stem(word)
        if stem not in _GENERIC:
            stems.add(stem)
    return stems


def _title_forms(record: dict) -> list[set[str]]:
    """Topic stems of the title, and of the main title alone when it has three or more
    (writers drop subtitles: "Dry needling: a systematic review")."""
    titles = [t for t in record.get("title") or [] if t]
    title = re.sub(r"<[^>]+>", " ", titles[0]) if titles else ""
    forms = [topic_stems(title)]
    main = topic_stems(re.split(r"[:?]\s|\s[-\u2013\u2014]\s", title)[0])
    if len(main) >= 3 and main != forms[0]:
        forms.append(main)
    return forms


def _enough(shared: int, coverage: float) -> bool:
    return (shared >= MIN_SHARED and coverage >= MIN_COVERAGE) or (shared >= MORE_SHARED and coverage >= LOWER_COVERAGE)


def citation_match(family: str, year: str, paragraph: str, candidates: list[dict]) -> Match | None:
    """The one candidate by ``family`` in ``year`` whose title the paragraph is about, or None."""
    words = topic_stems(paragraph) - topic_stems(family)
    scored: dict[str, tuple[float, int, dict, Fields]] = {}
    for record in candidates:
        fields = record_fields(record)
        doi = (record.get("DOI") or "").lower()
        if not (doi and fields.authors and _same_family(fields.authors[0].family, family)):
            continue
        if fields.year != year[:4]:
            continue
        for title in _title_forms(record):
            common = title & words
            share = len(common) / len(title) if title else 0.0
            if share > scored.get(doi, (-1.0,))[0]:
                scored[doi] = (share, len(common), record, fields)
    ranked = sorted(scored.values(), key=lambda s: (s[0], s[1]), reverse=True)
    if not ranked:
        return None
    coverage, shared, record, fields = ranked[0]
    if not _enough(shared, coverage):
        return None
    if len(ranked) > 1 and _enough(ranked[1][1], ranked[1][0]) and coverage - ranked[1][0] < TIE_MARGIN:
        return None  # two works by this author that year fit the paragraph: a guess
    comparison = compare(Fields(authors=fields.authors[:1], year=year[:4]), record)
    return Match(record, record["DOI"], min(1.0, 0.4 + 0.6 * coverage), comparison)
