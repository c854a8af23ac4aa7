"""Author segments -> :class:`Author` lists, in the orders and shapes real reference lists use.

Person names in both ``Family I,`` (Vancouver) and ``Family, I.,`` (APA/Harvard) orders and
given-first; name suffixes (``Ferrell JE Jr``, ``Owens AP 3rd``) kept out of the family
name; corporate authors (``World Health Organization``, ``R Core Team``, ``Centers for
Disease Control and Prevention``) kept whole, "and" included.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reflint.crf import clean
from reflint.models import Author

_INITIAL = re.compile(r"(?:[A-Z][a-z]?\.-?)+|[A-Z]\.?-[A-Z]\.?|[A-Z]")
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "du", "la", "le", "ten", "ter"}
_SUFFIX = re.compile(r"(?:Jr|Sr|II|III|IV|2nd|3rd|4th)\.?")
# Vancouver initials as PubMed-derived lists print them: "JA", "HFJM", "C-KK", "I-MA" and the
# case-damaged "Aa" / "TLVo"; trusted only inside a list that is Vancouver throughout.
_VANCOUVER_GIVEN = re.compile(r"[A-Z]{1,4}|[A-Z]{1,3}[a-z]{1,2}|[A-Z]{1,2}(?:-[A-Z]{1,2})+")
# Words that make a name an organisation's: no person's name list has them.
_CORPORATE = set(
    (
        "organization organisation association associations consortium group groups network team "
        "agency office administration center centers centre centres institute institutes council "
        "committee society foundation department ministry service services board commission "
        "collaboration collaborative collaborators bureau authority coordinators investigators "
        "alliance federation academy academies program programme project initiative inc ltd llc "
        "corporation company university college hospital trust survey study panel unit laboratory "
        "registry force clinic clinics publishing"
    ).split()
)
_WORDS = re.compile(r"[^\W\d_]+")
_CAPS = re.compile(r"[A-Z]{1,3}")
_CAPS_OR_HYPHENED = re.compile(r"[A-Z]{1,4}|[A-Z]{1,2}(?:-[A-Z]{1,2})+")
_SEPARATORS = re.compile(r"\s*(?:;|,|&)\s*")
_LEADING_AND = re.compile(r"^(?:and|und)\s+")
_AND = re.compile(r"\s*(?:\band\b|\bet\b|\bund\b)\s*")
_FINAL_INITIALS = re.compile(r"\b[A-Z]{1,3}\.$")
_ET_AL = re.compile(r"(?i)(?=[,;\seau])[,;]?\s*\b(?:et\.? ?al\b\.?|and others\b|u\. ?a\.)")
_EDS = re.compile(r"(?i)\s*\((?:eds?|hrsg)\.?\)|,?\s*\beds?\.$")
_FINAL_INITIAL = re.compile(r"\b[A-Z]\.$")
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=65536)
def is_corporate(name: str) -> bool:
    """``World Health Organization``, ``The Cancer Genome Atlas Research Network``, ``R Core
    Team``, ``StatSoft Inc``: a name of two or more words with an organisation's word."""
    words = _WORDS.findall(name)
    return len(words) >= 2 and not _CORPORATE.isdisjoint(map(str.casefold, words))


@lru_cache(maxsize=65536)
def _is_initials(part: str) -> bool:
    """``J.``, ``J. P.``, ``J.-P.``, ``H-T``, or Vancouver's undotted ``JA`` (alone only,
    so the ``QIN`` of ``J. QIN`` stays a family name)."""
    words = part.replace(".", ". ").split()
    if len(words) == 1 and _CAPS.fullmatch(part):
        return True
    return bool(words) and all(map(_INITIAL.fullmatch, words))


def _looks_given(part: str, family: str) -> bool:
    """``Michael`` / ``Rose I.`` after an inverted family name (``Tomasello, Michael``)."""
    words = part.split()
    return 1 <= len(words) <= 3 and all(w[0].isupper() for w in words) and (not part.isupper() or family.isupper())


def _is_vancouver(parts: list[str]) -> bool:
    """Most multi-word parts end in undotted capitals: ``Gattie E, Cleland JA, ...``."""
    multi = [w[-1] for w in map(str.split, parts) if len(w) >= 2]  # their last words
    vancouver = len(list(filter(None, map(_CAPS_OR_HYPHENED.fullmatch, multi))))
    return bool(multi) and 2 * vancouver >= len(multi) + (len(multi) == 1)


def _parts(seg: str) -> list[str]:
    """Split at separators; "and" splits too, except inside a corporate name."""
    out = []
    for chunk in _SEPARATORS.split(seg):
        chunk = chunk.strip()
        if chunk.startswith(("and", "und")):
            chunk = _LEADING_AND.sub("", chunk)
        if is_corporate(chunk) or not ("and" in chunk or "et" in chunk or "und" in chunk):
            out.append(chunk)  # (the second: a quick test that _AND cannot split it)
        else:
            out += _AND.split(chunk)
    return [p.strip(" ,") for p in out]


def split_authors(seg: str) -> list[Author]:
    """Authors in the orders seen in practice, stopping at ``et al.``.

    ``Gattie E, Cleland JA`` (family first, initials after), ``Dunning, J., Butts, R.``
    (family, comma, initials), ``J. P. Collman`` and ``Anthony Giddens`` (given first),
    and the Chicago mix ``Beck, Ulrich, Anthony Giddens``. A part followed by bare
    initials is a whole family name (``Da Silva Dias, L.``). A suffix (``Jr``, ``3rd``)
    joins the given names; a corporate author is one family name.
    """
    seg = " ".join(clean(seg).split())
    if seg.count(".") == 1 and _FINAL_INITIALS.search(seg, max(0, len(seg) - 5)):  # at the end: look there
        seg = seg[:-1]  # Vancouver "Meakins A." ends with the field's period, not an initial's
    low = seg.lower()
    if "al" in low or "others" in low or "a." in low:  # what _ET_AL needs
        seg = _ET_AL.split(seg)[0]
    if "(" in seg or "ed" in seg[-5:].lower():  # what _EDS needs
        seg = _EDS.sub("", seg)
    # "Schorske, Carl." -> "Carl", but keep the period of "Michelle E." and "J."
    parts = [
        p if not p.endswith(".") or _FINAL_INITIAL.search(p, max(0, len(p) - 3)) else p.rstrip(".")
        for p in _parts(seg)
        if _LETTER.search(p)
    ]
    vancouver = _is_vancouver(parts)
    authors: list[Author] = []
    pending = None  # an inverted family name still waiting for its given names
    for i, part in enumerate(parts):
        suffix = ""
        words = part.split()
        if len(words) >= 2 and _SUFFIX.fullmatch(words[-1]) and not is_corporate(part):
            suffix, words = words[-1].rstrip("."), words[:-1]  # "Ferrell JE Jr"
            part = " ".join(words)
        nxt = parts[i + 1] if i + 1 < len(parts) else ""
        if is_corporate(part):
            authors.append(Author(part))
            pending = None
        elif _SUFFIX.fullmatch(part) and authors:
            authors[-1].given = f"{authors[-1].given} {part.rstrip('.')}".strip()  # "Yates JR, III"
        elif pending is not None and (_is_initials(part) or _looks_given(part, pending.family)):
            pending.given, pending = part, None
        elif _is_initials(part):
            continue  # stray initials with no family name to attach to
        elif (
            vancouver
            and len(words) >= 2
            and not _is_initials(words[-1])
            and _VANCOUVER_GIVEN.fullmatch(words[-1])
            and not _is_initials(words[0])
            and not words[0].isupper()
        ):
            authors.append(Author(" ".join(words[:-1]), words[-1]))
            pending = None
        elif len(words) == 1 or (not any(map(_is_initials, words)) and (_is_initials(nxt) or words[0] in PARTICLES)):
            pending = Author(part)
            authors.append(pending)
        elif _is_initials(words[-1]) and not _is_initials(words[0]):
            j = len(words) - 1
            while j > 1 and _is_initials(words[j - 1]):
                j -= 1  # Vancouver, initials possibly spaced: "Amarsi A M"
            authors.append(Author(" ".join(words[:j]), " ".join(words[j:])))
            pending = None
        else:
            k = 1
            while k < len(words) - 1 and _is_initials(words[k]):
                k += 1  # given-first: leading initials, or one given name then initials
            if not _is_initials(words[0]):
                k = len(words) - 1
                while k > 1 and words[k - 1] in PARTICLES:
                    k -= 1
            authors.append(Author(" ".join(words[k:]), " ".join(words[:k])))
            pending = None
        if suffix and authors:
            authors[-1].given = f"{authors[-1].given} {suffix}".strip()
    return authors
