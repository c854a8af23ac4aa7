"""RL403, RL404: prose that poses as cited (a vague parenthetical, an evidence claim with no source).

Wikipedia's "citation needed", offline and precision first: the claim's syntax decides, not a
bag of words; abstracts, headings, questions, negations and reported speech are left alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from itertools import takewhile

from reflint.rules.base import Context, Rule
from reflint.rules.prose import LIST_MARKER, STUDY, heading_spans, inside, linked, prose_blocks, pseudo
from reflint.user_regex import UserPattern, compile_user

_YEAR = re.compile(r"(?<!\d)((?:1[6-9]|20)\d\d)(?!\d)")
_VAGUE_PAREN = re.compile(r"\((?<![\]\w]\()([^()]{3,80})\)")  # not after "]" or a word character
_DESIGN = set(
    """systematic randomised randomized controlled clinical cohort observational case-control
    cross-sectional pilot double-blind placebo-controlled blinded qualitative quantitative narrative umbrella
    scoping crossover prospective retrospective longitudinal literature scientific medical published
    peer-reviewed primary original empirical experimental comparative open-label long-term short-term follow-up
    mixed-methods multicentre multicenter population-based cluster-randomised non-randomised and & or""".split()
)
_NOT_CITING = set(
    """peer medication drug code performance annual yearly time free self case market desk own
    home progress incident school white anecdotal low moderate high very weak strong limited good poor
    insufficient quality certainty level grade further more future ongoing pending planned under in of for by
    with on to as from at see about after before during per via than is are was were be not no the this that
    these those our my your their its his her same which who above below earlier later here day week month
    session hour""".split()
)


def _vague(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Parentheticals in ``text[s:e]`` that stand where a citation should: ``(safety review)``."""
    found = []
    for m in _VAGUE_PAREN.finditer(text, s, e):
        words = m.group(1).replace(",", " ").split()
        line = text[max(s, m.start() - 200) : m.start()].rsplit("\n", 1)[-1]
        if len(words) > 6 or m.start() == s or LIST_MARKER.fullmatch(line) or re.search(r"[;:=<>%/@]", m.group(1)):
            continue
        core = [w for w in words if not _YEAR.fullmatch(w.rstrip("ab"))]
        head, mods = (core[-1], core[:-1]) if core else ("", [])
        if not re.fullmatch(STUDY, head, re.I) or len(core) >= 3 and all(w[0].isupper() for w in core):
            continue
        parts = [p.lower() for w in mods for p in w.split("-")]
        if (
            any(p in _NOT_CITING or p.isdigit() for p in parts)
            or any(w.isupper() and len(w) > 1 and w.upper() != "RCT" for w in mods)
            or re.search(r"\b[A-Z]{2,6}s?\s*$", text[max(0, m.start() - 12) : m.start()])
        ):
            continue  # a process, a quality grade, a named trial or body, a gloss of "SR"
        topical = [w for w in mods if w.lower() not in _DESIGN | {"a", "an"} and not re.fullmatch(STUDY, w, re.I)]
        if topical or len(core) < len(words):  # a topic, a source, "recent", or a year
            found.append((m.start(), m.end()))
    return found


def vague_citation(ctx: Context):
    """A parenthetical that stands where a citation should but names no findable work.

    ``(trigger-point review)``, ``(a 2019 meta-analysis)``, ``(recent RCT)``: a short
    descriptive phrase whose head is a study-type noun, with a topic, source or year but
    no author. The reader cannot find the work. Ordinary parentheses, abbreviations
    (``(RCTs)``), study-design glosses (``(systematic review)``) and certainty grades
    (``(low-quality evidence)``) are left alone. Replace the phrase with a real citation.

    Bad:

        Needling eased heel pain for about a month (plantar heel pain review).

    Good:

        Needling eased heel pain for about a month (Cotchett et al. 2014).
    """
    text, blocks = prose_blocks(ctx)
    cited = sorted((c.start, c.end) for c in ctx.extraction.citations if not pseudo(c))
    headings = heading_spans(ctx)
    for s, e in blocks:
        for ps, pe in _vague(text, s, e):
            a, b = ctx.doc.to_source(ps, pe)
            i = bisect_left(cited, (b, 0))
            if (i and cited[i - 1][1] > a) or linked(ctx, a, b) or inside(headings, a, b):
                continue
            phrase = " ".join(text[ps:pe].split())
            yield RL403.diagnostic(
                ctx,
                a,
                b,
                f"Vague citation `{phrase}`: name the work (author and year) " "and list it in the references",
                {"text": phrase},
            )


# --- RL404 ---------------------------------------------------------------------------------------

_ADV = (
    r"(?:also|now|consistently|clearly|repeatedly|conclusively|overwhelmingly|even|already|long|generally"
    r"|increasingly|indeed|firmly|strongly|convincingly|definitively|unequivocally)"
)
_NOUN = (
    r"(?:research|stud(?:y|ies)|science|evidence"
    r"|(?:clinical|scientific|research|trial|published|medical)\s+data"
    r"|(?:systematic\s+)?reviews?|meta-?analys[ie]s|trials?|RCTs?|experiments?)"
)
_GAP = (
    r"(?:\s+(?:on|into|in|from|at|by|of|across|with|involving|including|conducted|published|over|among)\b"
    r"(?:(?!\b(?:which|who|whom|that|where|when|but|and|or|while|because|as)\b)[^.,;:!?()\n\"“”]){1,60}?)?"
)
_VERB = (
    r"(?:(?:has|have)(?:\s+" + _ADV + r"){0,2}\s+(?:been\s+)?(?:shown|proven|proved|confirmed|demonstrated|"
    r"established|concluded|found|revealed|suggested|indicated|documented)|shows?|showed|proves?|proved|"
    r"confirms?|confirmed|demonstrates?|demonstrated|finds|found|suggests?|suggested|indicates?|indicated|"
    r"concludes?|concluded|says|say|reveals?|revealed|supports?|is\s+clear|tells\s+us)"
)
DEFAULT_PHRASES = [
    rf"{_NOUN}{_GAP}(?:\s+{_ADV}){{0,2}}\s+{_VERB}",
    r"it\s+(?:has|had)\s+been\s+(?:(?:scientifically|clinically|medically)\s+)?"
    r"(?:proven|shown|demonstrated|established)",
    r"(?:scientifically|clinically|medically)\s+(?:proven|validated)",
    r"according\s+to\s+(?:the\s+)?(?:(?:latest|recent|new|current|medical|scientific|clinical)\s+)*"
    r"(?:research|studies|science|evidence|data)",
    r"(?:backed|supported|proven)\s+by\s+(?:(?:scientific|clinical|medical|solid|strong|extensive)\s+)*"
    r"(?:research|science|studies|evidence|trials)",
]
_NEG = re.compile(
    r"\b(?:no|not|never|nor|neither|without|little|few|none|hardly|barely|scarcely|lack\w*|"
    r"insufficient|any|nothing|cannot|if|whether|unless|until|when)\b|n['’]t\b",
    re.I,
)
_REPORTED = re.compile(
    r"\b(?:claim|say|said|argue|insist|believe|allege|promise|tell|told|advertise|boast|assert|"
    r"swear|swore)(?:s|d|ed)?\b",
    re.I,
)
_QUESTION = re.compile(
    r"\s*(?:[-*+•]\s+)?[\"“‘(*_]*(?:does|do|did|has|have|is|are|can|could|would|will" r"|what|how|why|which|who)\b",
    re.I,
)
_STOP = set(
    """a an the this that these those such its their his her our my your whose which same one another
    some many most more several numerous all both each every of in on at by for from with to as than and or but
    if""".split()
)
_OWNED = set("this these those such its their his her our my your whose which same".split())
_SINGULAR = re.compile(r"(?:study|review|trial|meta-?analysis|rct|experiment)\b", re.I)
_SUPPORT = re.compile(r"https?://|www\.|\[\^|<sup|[¹²³⁴⁵⁶⁷⁸⁹⁰]", re.I)
_POINTER = re.compile(
    r"\bsee\s+(?:the\s+)?(?:references?|sources|bibliography|reference\s+list)\b|"
    r"\b(?:references?|sources)\s+(?:below|above)\b",
    re.I,
)
_BOUNDARY = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s)|\n(?=[ \t]*(?:[-*+•‣◦▪●]|(?:\d{1,3}|1[0-8]\d\d)[.)])[ \t])")
_ABBREV = set("al e.g i.e dr mr mrs ms prof vs fig no approx ca cf st vol pp".split())


# any of the built-in phrases, in one pattern: a paragraph it does not match holds no claim.
# The engine tries it at every character, so it opens with the cheapest tests that can fail:
# a character that is no word character (the phrase's left edge, consumed rather than looked
# behind at, which lets the engine scan for it in a tight loop), then the letter every phrase
# starts with (Research, Studies, Evidence, Clinical, Trials, Published, Meta-analyses, It has
# been, According to, Backed by, ...). Half the time of a lookbehind first on PLOS articles.
_ANY_AFTER_EDGE = re.compile(rf"[^\w-](?=[rsectpmaib])(?:{'|'.join(DEFAULT_PHRASES)})(?![\w-])", re.I)


def _any_default(text: str, s: int, e: int) -> bool:
    """Whether a built-in phrase starts in ``text[s:e]`` with no word character or hyphen
    before it (``text[s - 1]`` counts, as a lookbehind's would; the text's start is an edge)."""
    if s == 0:
        return _ANY_AFTER_EDGE.search(" " + text[:e]) is not None
    return _ANY_AFTER_EDGE.search(text, s - 1, e) is not None


@lru_cache(maxsize=32)
def _phrases(custom: tuple[str, ...]) -> list[re.Pattern | UserPattern]:
    out = []
    for phrase in custom or DEFAULT_PHRASES:
        body = phrase if not custom else re.sub(r" +", r"\\s+", phrase)
        try:
            pattern = rf"(?<![\w-]){body}(?![\w-])"
            out.append(
                compile_user(pattern, re.I, f"evidence-phrases pattern `{phrase}`")
                if custom
                else re.compile(pattern, re.I)
            )
        except re.error:
            out.append(re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.I))
    return out


def _sentences(text: str, s: int, e: int):
    for m in _BOUNDARY.finditer(text, s, e):
        word = re.search(r"([\w.]*)$", text[max(s, m.start() - 12) : m.start()]).group(1).lower()
        if m.group().startswith(".") and m.group() == "." and (word in _ABBREV or len(word) == 1):
            continue
        yield s, m.end()
        s = m.end()
    if text[s:e].strip():
        yield s, e


def _claim(text: str, block: int, s: int, e: int, patterns) -> re.Match | None:
    """The first evidence claim in sentence ``text[s:e]`` that is asserted, not asked or denied."""
    sentence = text[s:e].strip()
    if sentence.rstrip('"”’)*_ ').endswith("?") or _QUESTION.match(sentence):
        return None
    for pattern in patterns:
        for m in pattern.finditer(text, s, e):
            before = text[max(s, m.start() - 300) : m.start()]  # bounded: long sentences stay linear
            prev = re.findall(r"[\w'’-]+|[^\w\s]", before)[::-1]
            walk = [w for w in prev[:5] if w.isalnum() or "-" in w or "'" in w or "’" in w]
            det = next((w.lower() for w in prev[:4] if w.lower() in _STOP or not re.match(r"[\w-]", w)), "")
            lead = text[max(block, m.start() - 1000) : m.start()]
            quoted = lead.count("“") > lead.count("”") or lead.count('"') % 2
            clause = list(takewhile(lambda w: re.match(r"[\w-]", w), prev[:5]))  # back to the last comma
            if (
                _NEG.search(" ".join(clause[::-1]) + " " + m.group())
                or _REPORTED.search(before)
                or quoted
                or _object_of_preposition(clause)
                or _own_result(m.group(), walk)
                or re.match(_NOUN, m.group(), re.I)
                and (  # whose research? which study?
                    any(re.search(r"['’]s$", w) for w in walk[:3])
                    or det in _OWNED
                    or det in ("the", "that")
                    and _SINGULAR.match(m.group())
                )
                or re.search(r"\b(?:online|customer|patient|client|google|user|product)\s*$", before, re.I)
            ):
                continue
            return m
    return None


_PREPOSITION = set(
    """of in on for from with at by about than to between among across after before during per
    into over under within without through like unlike versus vs""".split()
)


_QUANTITY = set(
    """decades years lots plenty body wealth number majority host series couple dozens hundreds
    thousands most many some all several handful range mountain mountains volume volumes weight amount
    growing number pile piles""".split()
)


def _object_of_preposition(clause: list[str]) -> bool:
    """``... of the last 5 trials in a block``: the noun is no subject, so nothing is claimed.
    ``clause`` holds the words before the match, nearest first, back to the last comma."""
    for i, word in enumerate(clause[:5]):
        if word.lower() == "of" and i + 1 < len(clause) and clause[i + 1].lower() in _QUANTITY:
            return False  # "decades of research", "a growing body of evidence": still the subject
        if word.lower() in _PREPOSITION:
            return True
        if word[:1].isupper() or word.lower() in _STOP - {"of", "in", "on", "at", "by", "for", "from", "with", "to"}:
            return False  # a determiner or the sentence's first word: the noun phrase starts here
    return False


_OTHER_HEAD = re.compile(r"(?m)^[ \t]*(?:#{1,6}[ \t]|<h[1-6])")
_OTHERS = set(
    "previous prior earlier recent other many several numerous published past existing independent "
    "clinical randomised randomized controlled large".split()
)


def _own_result(claim: str, before: list[str]) -> bool:
    """``Control experiments showed that ...``: a paper reporting its own results in the past
    tense cites nobody; ``previous experiments showed`` and ``trials have shown`` do."""
    return bool(
        re.match(
            r"(?:experiments?|trials?|analys[ie]s)\s+(?:(?!ha(?:s|ve|d)\b)\w+\s+)?(?:showed|found|revealed|indicated|"
            r"demonstrated|confirmed|suggested|proved)\b",
            claim,
            re.I,
        )
    ) and not any(w.lower() in _OTHERS for w in before[:3])


_SUMMARY_HEAD = re.compile(
    r"(?im)^[ \t]*(?:#{1,6}[ \t]*|<h[1-6][^<>]*>[ \t]*)?[*_]*[ \t]*"
    r"(?:abstract|summary|author[ \t]+summary|synopsis|key[ \t]+points|highlights)"
    r"\b[^\n]{0,40}$"
)


def _lead_end(ctx: Context) -> int:
    """Where an article's abstract ends: scholarly abstracts state findings without citing.

    In a document that cites its reference list throughout (five citations or more), the
    blocks before the first citation are its abstract; so is a block under an "Abstract" or
    "Summary" heading (returned as -1 when there is none)."""
    x = ctx.extraction
    cites = [c.start for c in x.citations if c.style in ("numeric", "author-year", "footnote", "anchor")]
    return min(cites) if x.has_reference_list and len(cites) >= 5 else -1


def unsupported_claim(ctx: Context):
    """An evidence claim ("research has shown", "studies confirm") with no citation nearby.

    Fires when neither the sentence nor its paragraph holds a citation, a DOI or a link,
    and the paragraph does not point to the reference list ("see references below").
    Questions, negations ("no research has shown"), conditionals, claims reported from
    others ("people claim studies show") and quotations are left alone. The phrases are
    the ``evidence-phrases`` setting (regexes or plain phrases; empty: the built-in list).

    Bad:

        High-quality research has confirmed that dry needling relieves back pain.

    Good:

        Pooled trials suggest short-term pain relief (Gattie et al. 2017).
    """
    doc, x = ctx.doc, ctx.extraction
    custom = tuple(ctx.settings.get("evidence-phrases") or ())
    patterns, prefilter = _phrases(custom), None if custom else _any_default
    text, blocks = prose_blocks(ctx)
    cited = sorted([(c.start, c.end) for c in x.citations] + [(m.start, m.end) for m in x.dois])
    lead_end, headings = _lead_end(ctx), heading_spans(ctx)
    summaries = [m.end() for m in _SUMMARY_HEAD.finditer(text)]
    for n, (s, e) in enumerate(blocks):
        if prefilter and not prefilter(text, s, e):
            continue  # no claim in this paragraph
        if doc.to_source(s, e)[1] <= lead_end or (
            (i := bisect_left(summaries, s)) and not _OTHER_HEAD.search(text, summaries[i - 1], s)
        ):
            continue  # an abstract or summary: its findings are cited in the body
        first_line = text[s:e].split("\n")[0].strip()
        if (
            "\n" not in text[s:e].strip()
            and len(first_line.split()) <= 12
            and not LIST_MARKER.match(first_line)
            and not re.search(r"[.!?:;,…)\]\"”]$", first_line)
        ):
            continue  # a heading
        end = blocks[n + 1][1] if text[s:e].rstrip().endswith(":") and n + 1 < len(blocks) else e
        a, b = doc.to_source(s, end)
        i = bisect_left(cited, (b, 0))
        if (
            (i and cited[i - 1][1] > a)
            or _SUPPORT.search(doc.text, a, b)
            or _vague(text, s, e)
            or (x.has_reference_list and _POINTER.search(doc.text, a, b))
        ):
            continue
        for ss, se in _sentences(text, s, e):
            m = _claim(text, s, ss, se, patterns)
            if m and not inside(headings, *doc.to_source(m.start(), m.end())):
                phrase = " ".join(m.group().split())
                a, b = doc.to_source(m.start(), m.end())
                yield RL404.diagnostic(
                    ctx,
                    a,
                    b,
                    f"Evidence claim `{phrase}` has no citation in its sentence or " "paragraph",
                    {"phrase": phrase, "sentence": " ".join(text[ss:se].split())},
                )


RL403 = Rule(
    "RL403",
    "vague-citation",
    "warning",
    "a parenthetical that poses as a citation but names no findable work",
    vague_citation,
)
RL404 = Rule("RL404", "unsupported-claim", "warning", "an evidence claim with no citation nearby", unsupported_claim)
