"""RL1xx: DOIs that are damaged as written. Offline, from ``reflint.doi``'s findings."""

from __future__ import annotations

import re

from reflint import doi as doi_syntax
from reflint.crossref import INVALID, VALID
from reflint.match import compare, same_work
from reflint.models import Applicability
from reflint.rules.base import Context, Rule, fix
from reflint.rules.bib_fields import in_doi_field


def _with_problem(ctx: Context, problem: str):
    return [m for m in ctx.extraction.dois if problem in m.problems]


def doi_missing_prefix(ctx: Context):
    """A DOI that lost its ``10.`` prefix cannot resolve.

    Every DOI starts with the directory indicator ``10.``; copy-paste and citation
    managers sometimes drop it. The fix prepends ``10.``. Offline it is *unsafe*
    (the result is syntactically right but unverified); once Crossref confirms the
    repaired DOI names the cited work it becomes *safe*.

    Bad:

        Meakins A. Acupuncture: what's the point? Br J Sports Med. 2017;51(6):484.
        doi:1136/bjsports-2016-096248

    Good:

        Meakins A. Acupuncture: what's the point? Br J Sports Med. 2017;51(6):484.
        doi:10.1136/bjsports-2016-096248
    """
    for m in _with_problem(ctx, "missing-prefix"):
        suggested = m.doi or "10." + m.raw
        applicability, note = _verified(ctx, m)
        yield RL101.diagnostic(
            ctx,
            m.doi_start,
            m.junk_start,
            f"DOI `{m.raw}` is missing the `10.` prefix",
            {"doi": m.raw, "suggested_doi": suggested},
            fix(f"Prepend `10.`: `{suggested}`{note}", applicability, (m.doi_start, m.junk_start, suggested)),
        )


def _verified(ctx: Context, m) -> tuple[Applicability, str]:
    """Safe only when the registry holds the repaired DOI and it names the cited work."""
    if ctx.resolution is None:
        return Applicability.UNSAFE, ""
    status = ctx.resolution.doi(m.doi)
    if status.verdict == INVALID:
        return Applicability.DISPLAY, " (not registered either)"
    ref = ctx.reference_at(m.start)
    if status.verdict == VALID and status.record and ref and same_work(compare(ref.fields, status.record)):
        return Applicability.SAFE, " (verified)"
    return Applicability.UNSAFE, ""


def doi_truncated(ctx: Context):
    """A DOI cut short: a registrant prefix with no (or a cut) suffix.

    ``doi:10.1016/`` names a publisher, not a work. Offline there is no fix; with
    Crossref, reflint proposes the DOI of the validated bibliographic match.

    Bad:

        Espejo-Antunez L, et al. Dry needling in the management of myofascial trigger
        points: a systematic review of randomized controlled trials. 2017. doi:10.1016/

    Good:

        ... 2017. doi:10.1016/j.ctim.2017.06.003
    """
    for m in _with_problem(ctx, "truncated"):
        data, repair = {"doi": m.raw}, None
        ref = ctx.reference_at(m.start)
        result = ctx.resolution.match(ref) if ctx.resolution and ref else None
        if result and result.match:
            data["suggested_doi"] = right = result.match.doi
            repair = fix(
                f"Complete as `{right}`, the DOI of the matching registered work",
                Applicability.UNSAFE,
                (m.doi_start, m.junk_start, right),
            )
        yield RL102.diagnostic(
            ctx, m.start, m.junk_start, f"DOI `{m.raw}` is truncated: it has no complete suffix", data, repair
        )


def doi_malformed(ctx: Context):
    """A DOI with spaces, line breaks, Unicode dashes or percent-escapes inside.

    Such DOIs look right to a reader but fail to resolve when clicked or copied. A DOI
    cut at a line break or by a space after ``10.``, after the ``/`` or after a dot that
    ends no DOI (``doi:10.1371/journal. pbio.0060118``) is joined again. Percent-escapes
    are how a DOI is written inside a URL (``https://doi.org/10.1002/...%3C1132...``):
    there they are correct, and only a DOI *name* (``doi:``, bare) with escapes is damaged.

    The fix rewrites the DOI in its normalised form. It is safe when it changes only
    what a reader cannot see: spaces and line breaks, zero-width characters, hyphens drawn
    as ``-``. Decoding an escape or turning an en dash into a hyphen changes the text (an
    en dash is often a page range glued to the DOI): unsafe, or safe once the registry
    confirms the repaired DOI names the cited work.

    Bad:

        doi:10.1136/ bjsports-2016-096248
        doi:10.1097/MD.0000000000011225   (with a U+2010 hyphen in the suffix)

    Good:

        doi:10.1136/bjsports-2016-096248
    """
    rule = RL103
    for m in _with_problem(ctx, "malformed"):
        data = {"doi": m.raw}
        repair, hint = None, ""
        written = ctx.doc.text[m.doi_start : m.junk_start]
        if glued := _GLUED_RANGE.search(written):
            hint = f"; `…{glued.group(1)}` looks like a page range glued to it"
        if m.doi:
            data["suggested_doi"] = m.doi
            if doi_syntax.invisible_repair(written, m.doi):
                applicability, note = Applicability.SAFE, ""
            else:
                applicability, note = _verified(ctx, m)
            repair = fix(f"Normalise to `{m.doi}`{note}", applicability, (m.doi_start, m.junk_start, m.doi))
        yield rule.diagnostic(ctx, m.doi_start, m.junk_start, f"DOI `{m.raw}` is malformed{hint}", data, repair)


_GLUED_RANGE = re.compile(r"\d([\u2012\u2013\u2014\u2212]\d+)\Z")


def doi_trailing_junk(ctx: Context):
    """Punctuation or markup captured into a DOI or DOI link.

    A trailing ``.``, ``,``, ``)`` or quote inside a link target makes the DOI
    unresolvable. The fix removes it; parentheses that belong to the DOI
    (``10.1016/S0140-6736(20)30183-5``) are kept, and so are closers of emphasis, brackets
    or quotes opened before the DOI. The fix is safe only where it leaves the markup and
    the DOI's end as a reader sees them: junk holding emphasis or code marks, or a tag's or
    group's bracket (``<``, ``>``, ``{``, ``}``), is removed only as an unsafe fix, and
    where what follows would join the DOI
    (``doi:10.1/x).next``) the unsafe fix puts a space in its place.

    Bad:

        [Gattie 2017](https://doi.org/10.2519/jospt.2017.7096).)

    Good:

        [Gattie 2017](https://doi.org/10.2519/jospt.2017.7096)
    """
    rule = RL104
    text = ctx.doc.text
    for m in _with_problem(ctx, "trailing-junk"):
        junk = text[m.junk_start : m.doi_end]
        clean = text[m.doi_start : m.junk_start]
        if doi_syntax.junk_removal_joins(text, m.doi_start, m.junk_start, m.doi_end):
            repair = fix(
                f"Replace `{junk}` with a space: what follows would join the DOI",
                Applicability.UNSAFE,
                (m.junk_start, m.doi_end, " "),
            )
        else:
            markup = _MARKUP.intersection(junk)
            repair = fix(
                f"Remove `{junk}`",
                Applicability.UNSAFE if markup else Applicability.SAFE,
                (m.junk_start, m.doi_end, ""),
            )
        yield rule.diagnostic(
            ctx,
            m.doi_start,
            m.doi_end,
            f"DOI `{clean}` has trailing junk `{junk}`",
            {"doi": m.raw, "suggested_doi": m.doi or clean},
            repair,
        )


_MARKUP = frozenset("*_~`<>{}")  # emphasis and code marks, tag and group brackets: removing one re-pairs the others


def doi_noncanonical(ctx: Context):
    """A DOI link in a legacy form instead of the configured canonical one.

    ``http://dx.doi.org/`` still redirects, but Crossref's display guidelines ask
    for ``https://doi.org/``. Off by default; enable with ``--select RL105``.
    The canonical prefix is the ``doi-url-style`` setting (default ``https://doi.org/``).

    Bad:

        http://dx.doi.org/10.2519/jospt.2017.7096

    Good:

        https://doi.org/10.2519/jospt.2017.7096
    """
    rule = RL105
    style = ctx.settings.get("doi-url-style", "https://doi.org/")
    for m in _with_problem(ctx, "noncanonical"):
        if in_doi_field(ctx, m.start):
            continue  # a URL in a BibTeX doi field must go altogether: RL106
        prefix = ctx.doc.text[m.start : m.doi_start]
        doi = m.doi or ctx.doc.text[m.doi_start : m.junk_start]
        yield rule.diagnostic(
            ctx,
            m.start,
            m.junk_start,
            f"DOI link uses `{prefix}` instead of `{style}`",
            {"doi": m.raw, "suggested_doi": doi},
            fix(f"Rewrite as `{doi_syntax.canonical(doi, style)}`", Applicability.SAFE, (m.start, m.doi_start, style)),
        )


RL101 = Rule("RL101", "doi-missing-prefix", "error", "DOI lacks the `10.` prefix", doi_missing_prefix, fixable="unsafe")
RL102 = Rule("RL102", "doi-truncated", "error", "DOI prefix with no or a cut suffix", doi_truncated)
RL103 = Rule(
    "RL103",
    "doi-malformed",
    "error",
    "spaces, line breaks, Unicode dashes or escapes inside a DOI",
    doi_malformed,
    fixable="sometimes",
)
RL104 = Rule(
    "RL104",
    "doi-trailing-junk",
    "error",
    "punctuation or markup captured into a DOI",
    doi_trailing_junk,
    fixable="sometimes",
)
RL105 = Rule(
    "RL105",
    "doi-noncanonical",
    "info",
    "DOI link not in the canonical form",
    doi_noncanonical,
    enabled_by_default=False,
    fixable="safe",
)
