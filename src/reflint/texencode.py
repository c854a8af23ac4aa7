"""Text to BibTeX field values: LaTeX escapes, brace-protected capitals, BibTeX names.

BibTeX styles lowercase titles and split names by rules of their own, so what reflint
writes must say which capitals are meant (``{UK}``, ``{COVID-19}``, ``{Achilles}`` in a
sentence-case title, as Zotero's Better BibTeX does) and how a name divides
(``Cushman, D. M.``, ``{World Health Organization}``, ``Smith, Jr., J.``). Non-ASCII letters
become LaTeX commands (pylatexenc), in the ``{\\"o}`` form BibTeX treats as one letter;
characters LaTeX has no command for (CJK, say) stay UTF-8, which pandoc and biber read.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexencode import UnicodeToLatexEncoder

from reflint.models import Author

# pylatexenc logs every character it has no LaTeX for (CJK names): they stay UTF-8 on purpose.
logging.getLogger("pylatexenc.latexencode").addHandler(logging.NullHandler())
logging.getLogger("pylatexenc.latexencode").propagate = False

_ENCODER = UnicodeToLatexEncoder(
    non_ascii_only=True, replacement_latex_protection="braces-almost-all", unknown_char_policy="keep"
)
_DECODER = LatexNodes2Text()
_ASCII_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\u2013": "--",
    "\u2014": "---",
}
_SPECIAL = re.compile("[" + re.escape("".join(_ASCII_SPECIALS)) + "]")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v", "2nd", "3rd"}
_INITIALS = re.compile(r"^(?:[^\W\d_](?:\.|(?=[-\s]|$))[-\s]*)+$")  # "J.A.", "J A", "H-T"
_BARE_INITIALS = re.compile(r"^[^\W\d_]{1,4}(?:-[^\W\d_]{1,2})?$")  # Vancouver "DM", "H-T"
_SKIP = set(
    "a an and as at but by for from in into is nor of off on onto or over per the to up upon via "
    "with vs versus".split()
)


_LATIN_LETTERS = set("øØłŁßæÆœŒı")  # no accent, yet every BibTeX style and pandoc know them


def _latex_letter(ch: str) -> bool:
    """A Latin letter with one accent (``é``, ``ř``, ``ą``) or one of the classic letters: these
    read back the same in BibTeX, biber and pandoc. Anything else (``Ð``, ``đ``, Cyrillic,
    CJK) stays UTF-8, since pandoc drops ``{\\DH}`` and ``{\\CYRI}``."""
    if ch in _LATIN_LETTERS:
        return True
    parts = unicodedata.normalize("NFD", ch)
    return len(parts) == 2 and parts[0].isascii() and parts[0].isalpha() and unicodedata.combining(parts[1]) > 0


def encode(text: str) -> str:
    """Plain text as a BibTeX value: specials escaped, accented Latin letters as LaTeX,
    other scripts as they are, braces balanced."""
    text = _SPECIAL.sub(lambda m: _ASCII_SPECIALS[m.group()], text)
    if text.isascii():
        return text
    return "".join(_letter(ch) if _latex_letter(ch) else ch for ch in text)


def _letter(ch: str) -> str:
    """``é`` -> ``{\\'e}``; an accented i or j keeps its letter (``{\\'i}``, not ``{\\'\\i}``,
    which pandoc reads as a dotless i)."""
    latex = _ENCODER.unicode_to_latex(ch)
    return re.sub(r"\\([ij])\}$", r"\1}", latex) if ch not in "ıȷ" else latex


def decode(value: str) -> str:
    """A BibTeX value as plain text (braces, escapes and commands resolved)."""
    try:
        value = _DECODER.latex_to_text(value)
    except Exception:  # noqa: BLE001 - odd LaTeX: fall back to dropping the braces
        value = value.replace("{", "").replace("}", "")
    return " ".join(value.split())


# -- titles ------------------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def _inner_capital(word: str) -> bool:
    """``UK``, ``COVID-19``, ``mRNA``, ``iPhone``: a capital that is not a word's first letter."""
    return any(any(c.isupper() for c in part[1:]) for part in _PART_SPLIT.split(word))


_CORE = re.compile(r"^([\"'(\[\u2018\u201c]*)(.*?)([\"')\]\u2019\u201d.,;:!?]*)$", re.S)
_WORD_SPLIT = re.compile(r"(\s+)")
_PART_SPLIT = re.compile(r"[-/]")


@lru_cache(maxsize=16384)  # titles share most of their words
def _core(token: str) -> tuple[str, str, str]:
    """``(UK).`` -> ``("(", "UK", ").")``: punctuation around a word stays outside its braces."""
    m = _CORE.match(token)
    assert m is not None  # every part is optional: the pattern matches any token
    return m.group(1), m.group(2), m.group(3)


def _sentence_case(words: list[tuple[str, bool]]) -> bool:
    """Most content words after the first start lowercase: a capital there marks a name."""
    content = [
        w
        for w, starts in words
        if not starts and len(w) > 3 and w.lower() not in _SKIP and w[:1].isalpha() and not _inner_capital(w)
    ]
    return bool(content) and sum(w[:1].isupper() for w in content) * 2 <= len(content)


def title(text: str, protected: frozenset[str] = frozenset()) -> str:
    """A title with Better BibTeX's brace protection: words with inner capitals always; in a
    sentence-case title, every capitalised word after the first (a proper name); and any
    word the source protected. Adjacent protected words share one group: ``{United Kingdom}``."""
    tokens = _WORD_SPLIT.split(text)
    cores, starts, boundary = [], [], True
    for token in tokens[::2]:
        cores.append(_core(token))
        starts.append(boundary)
        boundary = token[-1:] in (":", ".", "?", "!")  # tokens hold no white space
    words = [(core, start) for (_, core, _), start in zip(cores, starts)]
    shouting = not any(c.islower() for c in text)
    sentence = _sentence_case(words)
    keep = []
    for core, start in words:
        letters = core[:1].isalpha() or core[:1].isdigit()
        keep.append(
            bool(core)
            and letters
            and not shouting
            and (core in protected or _inner_capital(core) or (sentence and not start and core[:1].isupper()))
        )
    out, i = [], 0
    while i < len(cores):
        lead, core, tail = cores[i]
        if not keep[i]:
            out.append(encode(tokens[2 * i]))
            if 2 * i + 1 < len(tokens):
                out.append(tokens[2 * i + 1])
            i += 1
            continue
        group, j = [core], i
        while j + 1 < len(cores) and keep[j + 1] and not cores[j][2] and not cores[j + 1][0]:
            j += 1
            group.append(tokens[2 * j - 1] + cores[j][1])
        out.append(encode(lead) + "{" + encode("".join(group)) + "}" + encode(cores[j][2]))
        if 2 * j + 1 < len(tokens):
            out.append(tokens[2 * j + 1])
        i = j + 1
    return " ".join("".join(out).split())


def protected_words(raw: str) -> frozenset[str]:
    """Words a BibTeX source protected with braces (``{UK}``, ``{Achilles} tendon``), decoded;
    braces that only wrap a LaTeX command (``{\\"o}``) protect nothing."""
    words: set[str] = set()
    depth = start = 0
    for i, ch in enumerate(raw):
        if ch == "{" and (i == 0 or raw[i - 1] != "\\"):
            depth += 1
            if depth == 1:
                start = i + 1
        elif ch == "}" and (i == 0 or raw[i - 1] != "\\") and depth:
            depth -= 1
            if depth == 0 and not raw[start:i].startswith("\\"):
                words.update(_core(w)[1] for w in decode(raw[start:i]).split())
    return frozenset(w for w in words if w)


# -- names -------------------------------------------------------------------------------------


def _given(given: str) -> str:
    """``DM`` -> ``D. M.``, ``J.A.`` -> ``J. A.``, ``H-T`` -> ``H.-T.``; full names unchanged."""
    given = " ".join(given.split())
    if not (_BARE_INITIALS.match(given) or _INITIALS.match(given)) or not all(
        c.isupper() for c in given if c.isalpha()
    ):
        return given
    out = ""
    for ch in given:
        if ch.isalpha():
            out += ("" if not out or out.endswith("-") else " ") + ch + "."
        elif ch == "-":
            out += "-"
    return out


def split_suffix(author: Author) -> tuple[str, str, str]:
    """(family, given, suffix): ``Smith Jr`` / ``Jr, Smith JA`` (a parser's slip) / ``Smith, JA Jr``
    (how reflint's parser keeps a suffix) -> Smith, JA, Jr."""
    family, given = author.family.strip(), author.given.strip()
    if family.rstrip(".").lower() in _SUFFIXES and given:
        *rest, last = given.split()
        if rest and last[:1].isupper() and (len(rest) > 1 or rest[0][:1].isupper()):
            if _BARE_INITIALS.match(last) or _INITIALS.match(last):
                return " ".join(rest), last, family
    words = family.split()
    if len(words) > 1 and words[-1].rstrip(".").lower() in _SUFFIXES:
        return " ".join(words[:-1]), given, words[-1]
    *first, last = given.split() or [""]
    if first and len(last.rstrip(".")) > 1 and last.rstrip(".").lower() in _SUFFIXES:
        return family, " ".join(first), last  # the parser keeps "Smith DL Jr" as Smith, "DL Jr"
    return family, given, ""


def name(author: Author, suffix: str = "") -> str:
    """One name in BibTeX's ``von Last, Jr, First`` form; an organisation in braces."""
    family, given, found = split_suffix(author)
    suffix = suffix or found
    if not given:
        if len(family.split()) > 1 or " and " in f" {family.lower()} ":
            return "{" + encode(family) + "}"  # BibTeX would split it into first and last names
        return encode(family)
    family_tex = encode(family)
    if " and " in f" {family.lower()} ":
        family_tex = "{" + family_tex + "}"
    parts = [family_tex] + ([encode(_suffix_dot(suffix))] if suffix else []) + [encode(_given(given))]
    return ", ".join(parts)


def _suffix_dot(suffix: str) -> str:
    return suffix + "." if suffix.lower() in ("jr", "sr") else suffix


def _is_initials(text: str) -> bool:
    return (
        bool(text)
        and bool(_INITIALS.match(text) or _BARE_INITIALS.match(text))
        and all(c.isupper() for c in text if c.isalpha())
    )


def mend(authors: list[Author]) -> list[Author]:
    """Undo a parser's shift in APA lists (``Hu, H.-T.`` read as two authors ``Hu`` and
    ``H.-T.``): initials are never a family name, so the tokens are paired up again."""
    if not any(_is_initials(a.family) and len(a.family) > 1 for a in authors):
        return authors
    tokens = [t for a in authors for t in (a.family, a.given) if t]
    mended, i = [], 0
    while i < len(tokens):
        if i + 1 < len(tokens) and _is_initials(tokens[i + 1]) and not _is_initials(tokens[i]):
            mended.append(Author(tokens[i], tokens[i + 1]))
            i += 2
        else:
            mended.append(Author(tokens[i]))
            i += 1
    return mended


def names(authors: list[Author], suffixes: list[str] | None = None, others: bool = False) -> str:
    """The ``author`` field; ``others`` (BibTeX's "et al.") when the list was cut short."""
    suffixes = suffixes or [""] * len(authors)
    written = [name(a, s) for a, s in zip(authors, suffixes)]
    return " and ".join(written + (["others"] if others and written else []))
