"""Tokeniser and CRF features for the reference-string parser.

Shared by the parser (``reflint.parse``) and the training script, so a model is always
fed exactly the features it was trained with. Tokens keep exact character offsets into
the string, so every labelled segment maps back to a substring of the input.
"""

from __future__ import annotations

import re
from functools import lru_cache

LABELS = (
    "author",
    "title",
    "container",
    "volume",
    "issue",
    "pages",
    "date",
    "doi",
    "url",
    "publisher",
    "location",
    "note",
    "editor",
    "other",
)

# One token each: URLs and DOI bodies (so the "2017" inside 10.2519/jospt.2017.7096 is
# not mistaken for a year), runs of letters, runs of digits ("Phys. Rev. D72" is journal
# "D" and volume "72"; "2017a" is a year and a letter), and any single other character.
_TOKEN = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?:10\.\d{3,9}/|\d{4,5}/(?=[^\s/]*[A-Za-z]))\S+"
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+"
    r"|\S"
)

# PDF copy-paste damage that changes how a token reads but not what it means.
_LIGATURES = str.maketrans(
    {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st", "\u00ad": "", "\u200b": ""}
)

_LEXICON = {
    # words typical of journal / proceedings names and their abbreviations
    "journal": "jour",
    "j": "jour",
    "jour": "jour",
    "med": "jour",
    "sci": "jour",
    "res": "jour",
    "rev": "jour",
    "am": "jour",
    "soc": "jour",
    "phys": "jour",
    "lett": "jour",
    "int": "jour",
    "clin": "jour",
    "ther": "jour",
    "eur": "jour",
    "br": "jour",
    "ann": "jour",
    "natl": "jour",
    "acad": "jour",
    "chem": "jour",
    "biol": "jour",
    "arch": "jour",
    "bull": "jour",
    "trans": "jour",
    "assoc": "jour",
    "surg": "jour",
    "psychol": "jour",
    "nat": "jour",
    "physiol": "jour",
    "rehabil": "jour",
    "orthop": "jour",
    "sports": "jour",
    "sport": "jour",
    "pain": "jour",
    "res.": "jour",
    "engl": "jour",
    "lancet": "jour",
    "bmj": "jour",
    "jama": "jour",
    "plos": "jour",
    "review": "jour",
    "letters": "jour",
    "annals": "jour",
    "proceedings": "proc",
    "proc": "proc",
    "conference": "proc",
    "conf": "proc",
    "symposium": "proc",
    "workshop": "proc",
    "congress": "proc",
    "meeting": "proc",
    # field markers
    "vol": "vol",
    "volume": "vol",
    "v": "vol",
    "no": "num",
    "nr": "num",
    "issue": "num",
    "pp": "pp",
    "p": "pp",
    "pages": "pp",
    "ed": "ed",
    "eds": "ed",
    "edn": "ed",
    "editor": "ed",
    "editors": "ed",
    "edited": "ed",
    "hrsg": "ed",
    "in": "in",
    "doi": "doi",
    "pmid": "pmid",
    "pmcid": "pmid",
    "arxiv": "arxiv",
    "isbn": "isbn",
    "available": "avail",
    "accessed": "avail",
    "retrieved": "avail",
    "url": "avail",
    "press": "pub",
    "publisher": "pub",
    "publishers": "pub",
    "publishing": "pub",
    "university": "pub",
    "verlag": "pub",
    "inc": "pub",
    "ltd": "pub",
    "springer": "pub",
    "wiley": "pub",
    "elsevier": "pub",
    "thesis": "thesis",
    "dissertation": "thesis",
    "phd": "thesis",
    "report": "report",
    "et": "etal",
    "al": "etal",
    "and": "and",
    "und": "and",
    "&": "and",
    "preprint": "note",
    "submitted": "note",
    "press.": "note",
}
_MONTHS = set(
    (
        "january february march april may june july august september october november "
        "december jan feb mar apr jun jul aug sep sept oct nov dec"
    ).split()
)
_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)[a-z]?")
_SEPARATORS = {".", ",", ";", ":", "(", ")", "“", "”", '"'}


def clean(text: str) -> str:
    """Undo ligatures and soft hyphens; keeps length changes out of tokenisation."""
    return text if text.isascii() else text.translate(_LIGATURES)  # all are non-ASCII; isascii is O(1)


_NUMBERING = re.compile(
    r"\s*(?:\[\d{1,4}\]|\(\d{1,3}\)(?=\s)|\d{1,3}[.)](?=\s)|\d{1,3}(?=\s+[A-Z])|[•\-–*·▪◦](?=\s))\s*"
)


def numbering_end(text: str) -> int:
    """End of a leading list marker (``1.``, ``[12]``, ``(3)``, ``•``), else 0."""
    m = _NUMBERING.match(text)
    return m.end() if m else 0


# every character is white space or in a token, so each token with the white space before
# it (``findall`` gives strings, far cheaper than match objects) gives the offsets
_SPACED_TOKEN = re.compile(r"(\s*)(" + _TOKEN.pattern + ")")


def tokenize(text: str, start: int = 0) -> list[tuple[str, int, int]]:
    """Tokens of ``text[start:]`` as (text, start, end) with exact offsets into ``text``."""
    out = []
    pos = start
    for space, tok in _SPACED_TOKEN.findall(text, start):
        pos += len(space)
        out.append((tok, pos, pos + len(tok)))
        pos += len(tok)
    return out


def _shape_slow(tok: str) -> str:
    s = re.sub(r"[A-Z]", "X", re.sub(r"[a-z]", "x", re.sub(r"\d", "d", tok)))
    return re.sub(r"(.)\1+", r"\1\1", s)[:6]


# digits become "d" and then, being a lowercase letter, "x": the shape the model knows
_SHAPE_TABLE = {
    **{c: "x" for c in range(ord("a"), ord("z") + 1)},
    **{c: "x" for c in range(ord("0"), ord("9") + 1)},
    **{c: "X" for c in range(ord("A"), ord("Z") + 1)},
}
_RUNS = re.compile(r"(.)\1+")


def _shape(tok: str) -> str:
    """Letters and digits as x / X, runs cut to two, six characters at most."""
    if not tok.isascii():
        return _shape_slow(tok)  # non-ASCII digits are digits to ``\d`` too
    return _collapse(tok.translate(_SHAPE_TABLE))


@lru_cache(maxsize=4096)  # few distinct forms: "Xxxxxxx", "xxxx", "xx-xx", ...
def _collapse(form: str) -> str:
    return _RUNS.sub(r"\1\1", form)[:6]


def _is_initial(tok: str, nxt: str) -> bool:
    """``J`` in ``J.`` / ``J,``, or Vancouver initials like ``JA`` before a comma or period."""
    if len(tok) == 1 and tok.isalpha() and tok.isupper():
        return True
    return 2 <= len(tok) <= 3 and tok.isalpha() and tok.isupper() and nxt in {",", ".", ";", ""}


def token_class(tok: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(word, the token's other features): the word is the lowercased token, the rest
    (shape, number length, year, month, lexicon class, DOI, URL, punctuation) is shared by
    many tokens, so the tagger sums its weights once per distinct tuple."""
    low = clean(tok).lower() if not tok.isascii() else tok.lower()
    f: list[tuple[str, str]] = [("shape", _shape(tok))]
    if tok.isdigit():
        f.append(("num", f"d{min(len(tok), 5)}"))
        if _YEAR.fullmatch(tok):
            f.append(("year", "1"))
    elif tok[0].isdigit() and _YEAR.fullmatch(tok):
        f.append(("year", "1"))  # "2017a"
    if low in _MONTHS:
        f.append(("month", "1"))
    if low in _LEXICON:
        f.append(("lex", _LEXICON[low]))
    if "/" in tok and (tok.startswith("10.") or tok[:4].isdigit()):
        f.append(("doi", "1"))
    if tok.startswith(("http", "www.")):
        f.append(("url", "1"))
    if not tok[0].isalnum():
        f.append(("punct", tok))
    return (low if len(low) < 25 else "<long>"), tuple(f)


def _token_features(tok: str) -> dict[str, str]:
    word, rest = token_class(tok)
    return {"w": word, **dict(rest)}


def sequence_features(text: str, tokens: list[tuple[str, int, int]]) -> list[dict[str, str]]:
    """Per-token feature dicts: the token and its neighbours, spacing, and where it sits.

    "block" counts sentence-like breaks (". " not after an initial) seen so far: in
    Vancouver and APA, authors / title / container are the first few period-separated
    blocks, which the token window alone cannot see.
    """
    n = len(tokens)
    base = [_token_features(t) for t, _, _ in tokens]
    # the nearest separator on each side, and how far: "Gröbli C. Trigger Point Dry
    # Needling." reads as a title because the next "." is 4 words on, with no comma
    seps = [i for i, (t, _, _) in enumerate(tokens) if t in _SEPARATORS]
    nxt_sep, prv_sep = [None] * n, [None] * n
    j = len(seps) - 1
    for i in range(n - 1, -1, -1):
        while j >= 0 and seps[j] > i:
            j -= 1
        if j + 1 < len(seps):
            nxt_sep[i] = seps[j + 1]
        prv_sep[i] = seps[j] if j >= 0 and seps[j] < i else (seps[j - 1] if j >= 1 else None)
    out = []
    block = paren = quote = 0
    seen_year = False
    for i, (tok, start, end) in enumerate(tokens):
        nxt = tokens[i + 1][0] if i + 1 < n else ""
        prev = tokens[i - 1][0] if i else ""
        f = {f"0{k}": v for k, v in base[i].items()}
        for d in (-2, -1, 1, 2):
            if 0 <= i + d < n:
                b = base[i + d]
                f[f"{d}w"] = b["w"]
                f[f"{d}shape"] = b["shape"]
                for k in ("year", "lex", "punct", "month"):
                    if k in b:
                        f[f"{d}{k}"] = b[k]
            else:
                f[f"{d}w"] = "<edge>"
        f["-1w|0w"] = f"{f['-1w']}|{base[i]['w']}"
        f["0w|1w"] = f"{base[i]['w']}|{f['1w']}"
        f["init"] = str(_is_initial(tok, nxt))
        f["sp_before"] = str(start > 0 and text[start - 1].isspace())
        f["sp_after"] = str(end < len(text) and text[end].isspace())
        f["pos"] = str(min(9, 10 * i // max(n, 1)))
        f["block"] = str(min(block, 5))
        f["paren"] = str(min(paren, 1))
        f["quote"] = str(min(quote, 1))
        f["seen_year"] = str(seen_year)
        for name, k in (("next", nxt_sep[i]), ("prev", prv_sep[i])):
            f[f"{name}_sep"] = tokens[k][0] if k is not None else "<edge>"
            f[f"{name}_sep_dist"] = str(min(abs(k - i), 5)) if k is not None else "-"
        if len(tok) >= 5 and tok.isalpha():
            f["suffix"] = tok[-3:].lower()
        out.append(f)
        # state updates apply to the following tokens
        if tok in ".?!" and f["sp_after"] == "True" and not _is_initial(prev, tok):
            block += 1
        paren += (tok in "([") - (tok in ")]")
        paren = max(paren, 0)
        if tok in '"“”«»':
            quote = 0 if quote else 1
        seen_year = seen_year or "0year" in f
    return out


def to_crfsuite(feats: list[dict[str, str]]) -> list[list[str]]:
    """crfsuite's string form: one "name=value" attribute per feature."""
    return [[f"{k}={v}" for k, v in f.items()] for f in feats]
