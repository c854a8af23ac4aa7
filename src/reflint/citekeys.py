"""Citation keys as Zotero's Better BibTeX makes them: ``auth.lower + year + shorttitle(1,0)``.

``gattie2017effectiveness``: the first author's family name, the year, the first title word
that is not one of Better BibTeX's skip words, all transliterated to ASCII (anyascii:
``Ødegaard`` -> ``odegaard``, ``Straße`` -> ``strasse``, ``Đorđević`` -> ``dordevic``) and
lowercased. A key taken by a *different* work gets ``a``, ``b``, ... (Better BibTeX's
postfix); the same work cited twice keeps one key.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

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
    "von,while,with,within,without,yet,zu,zum".split(",")
)


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
    """Which key each work has, by the one definition of "the same work" that ``check``'s
    RL303 uses (``reflint.rules.references.same_work``: the DOI, or authors, year, volume,
    first page and title that agree), so that what check calls a duplicate bib writes once
    and two chapters of one book stay two entries. Undated entries (an unparsed note) are
    one work only when their text is the same."""

    def __init__(self):
        self.by_doi: dict[str, str] = {}
        self.by_year: dict[str, list[tuple[Any, str]]] = {}  # (identity, key)
        self.undated: dict[tuple, str] = {}
        self._last: tuple = (None, None, None, None)  # (fields, doi, text, identity) of the last find

    def _identity(self, fields: Fields, doi: str | None, text: str):
        """The work's identity; ``add`` after ``find`` of the same entry reuses find's."""
        from reflint.rules.references import identity  # rules import this module's users

        last_fields, last_doi, last_text, found = self._last
        if last_fields is fields and last_doi == doi and last_text == text:
            return found
        same_doi = fields if doi == fields.doi else dataclasses.replace(fields, doi=doi)
        this = identity(Reference(0, 0, text, "list-entry", same_doi))
        self._last = (fields, doi, text, this)
        return this

    @staticmethod
    def _undated(fields: Fields) -> tuple:
        first = fold(fields.authors[0].family) if fields.authors else ""
        return (first, " ".join(fold(fields.title).split()))

    def find(self, fields: Fields, doi: str | None, text: str = "") -> str | None:
        from reflint.rules.references import same_identity  # rules import this module's users

        if doi and doi.lower() in self.by_doi:
            return self.by_doi[doi.lower()]
        if not fields.title:
            return None
        if not fields.year:
            return self.undated.get(self._undated(fields))
        this = self._identity(fields, doi, text)
        return next(
            (
                key
                for other, key in self.by_year.get(fields.year, ())
                if same_identity(other, this) or same_identity(this, other)
            ),
            None,
        )  # either order

    def add(self, fields: Fields, doi: str | None, key: str, text: str = "") -> None:
        if doi:
            self.by_doi.setdefault(doi.lower(), key)
        if fields.title and fields.year:
            self.by_year.setdefault(fields.year, []).append((self._identity(fields, doi, text), key))
        elif fields.title:
            self.undated.setdefault(self._undated(fields), key)


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
            ref.key = works.find(ref.fields, ref.fields.doi, ref.text) or next_free(
                citekey(ref.fields, ref.text), taken
            )
            taken.add(ref.key)
        works.add(ref.fields, ref.fields.doi, ref.key, ref.text)
