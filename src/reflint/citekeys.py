"""Citation keys as Zotero's Better BibTeX makes them: ``auth.lower + year + shorttitle(1,0)``.

``gattie2017effectiveness``: the first author's family name, the year, the first title word
that is not one of Better BibTeX's skip words, all transliterated to ASCII (anyascii:
``Ødegaard`` -> ``odegaard``, ``Straße`` -> ``strasse``, ``Đorđević`` -> ``dordevic``) and
lowercased. A key taken by a *different* work gets ``a``, ``b``, ... (Better BibTeX's
postfix); the same work cited twice keeps one key.
"""

from __future__ import annotations

import re

from anyascii import anyascii

from reflint.models import Fields, Reference
from reflint.texencode import split_suffix
from reflint.text import fold

# Better BibTeX's default skipWords preference.
SKIP_WORDS = frozenset(
    "a,ab,aboard,about,above,across,after,against,al,along,amid,among,an,and,anti,around,as,at,"
    "before,behind,below,beneath,beside,besides,between,beyond,but,by,d,da,das,de,del,dell,dello,"
    "dei,degli,della,delle,dem,den,der,des,despite,die,do,down,du,during,ein,eine,einem,einen,"
    "einer,eines,el,en,et,except,for,from,gli,i,il,in,inside,into,is,l,la,las,le,les,like,lo,los,"
    "near,nor,of,off,on,onto,or,over,past,per,plus,round,save,since,so,some,sur,than,the,through,"
    "to,toward,towards,un,una,unas,under,underneath,une,unlike,uno,unos,until,up,upon,versus,via,"
    "von,while,with,within,without,yet,zu,zum".split(","))


def ascii_word(text: str) -> str:
    """Lowercase ASCII letters and digits only, transliterated rather than dropped."""
    return re.sub(r"[^a-z0-9]", "", anyascii(text).lower())


def shorttitle(title: str | None) -> str:
    for word in (title or "").split():
        clean = ascii_word(word)
        if clean and clean not in SKIP_WORDS and ascii_word(word.split("'")[0]) not in SKIP_WORDS:
            return clean
    return ""


def citekey(fields: Fields, text: str = "") -> str:
    """``auth.lower + year + shorttitle``; an entry with no title is named by its text."""
    family = ascii_word(split_suffix(fields.authors[0])[0]) if fields.authors else ""
    year = (fields.year or "")[:4] if (fields.year or "")[:4].isdigit() else ""
    return f"{family or 'anon'}{year or 'nd'}{shorttitle(fields.title or text)}"


class Works:
    """Which key each work has: the same DOI is the same work; without two different DOIs,
    so is the same title, year and first author (a list entry that lost its DOI)."""

    def __init__(self):
        self.by_doi: dict[str, str] = {}
        self.by_work: dict[tuple, tuple[str, str | None]] = {}

    @staticmethod
    def _work(fields: Fields) -> tuple | None:
        if not fields.title:
            return None
        first = fold(split_suffix(fields.authors[0])[0]).replace(" ", "") if fields.authors else ""
        return (" ".join(fold(fields.title).split()), fields.year, first)

    def find(self, fields: Fields, doi: str | None) -> str | None:
        if doi and doi.lower() in self.by_doi:
            return self.by_doi[doi.lower()]
        work = self._work(fields)
        known = self.by_work.get(work) if work else None
        if known and not (doi and known[1] and known[1] != doi.lower()):
            return known[0]
        return None

    def add(self, fields: Fields, doi: str | None, key: str) -> None:
        if doi:
            self.by_doi.setdefault(doi.lower(), key)
        work = self._work(fields)
        if work:
            self.by_work.setdefault(work, (key, doi.lower() if doi else None))


def next_free(base: str, taken) -> str:
    """``base``, else ``base`` + ``a``, ``b``, ... ``z``, ``aa``, ... (Better BibTeX's postfix)."""
    if base not in taken:
        return base
    n = 0
    while True:
        suffix, k = "", n
        while True:
            suffix = chr(ord("a") + k % 26) + suffix
            k = k // 26 - 1
            if k < 0:
                break
        if base + suffix not in taken:
            return base + suffix
        n += 1


def assign_keys(references: list[Reference]) -> None:
    """Give every reference without a key (BibTeX entries keep theirs) a unique citekey;
    the same work listed twice shares one key, so the library holds it once."""
    taken = {r.key for r in references if r.key}
    works = Works()
    for ref in references:
        if not ref.key:
            ref.key = works.find(ref.fields, ref.fields.doi) or next_free(citekey(ref.fields, ref.text), taken)
            taken.add(ref.key)
        works.add(ref.fields, ref.fields.doi, ref.key)
