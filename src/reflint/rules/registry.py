"""RL2xx: what the registries say about each DOI. Reads the resolver's answers; no I/O here."""

from __future__ import annotations

from reflint.crossref import INVALID, VALID
from reflint.mismatch import names_another_work
from reflint.models import Applicability, DoiMention
from reflint.rules.base import Context, Rule, fix

RETRACTIONS = {"retraction", "removal"}
UPDATES = {"correction", "erratum", "expression_of_concern", "withdrawal", "partial_retraction"}


def registered(ctx: Context, verdict: str):
    """(mention, status) for every DOI mention the registries answered with ``verdict``."""
    if ctx.resolution is None:
        return
    for m in ctx.extraction.dois:
        status = ctx.resolution.doi(m.doi)
        if m.doi and status.verdict == verdict:
            yield m, status


def suggestion(ctx: Context, m: DoiMention) -> str | None:
    """The DOI of the validated bibliographic match for the entry holding ``m``, if any."""
    ref = ctx.reference_at(m.start)
    result = ctx.resolution.match(ref) if ref and ctx.resolution else None
    return result.match.doi if result and result.match else None


def about(m: DoiMention, status) -> dict:
    """The data every registry diagnostic starts with: the DOI as written and, when the
    registry answered it as an alias, the primary DOI whose record was used."""
    return {"doi": m.raw, **({"primary_doi": status.alias_of} if status.alias_of else {})}


def updates(record: dict | None, kinds: set[str]) -> list[dict]:
    return [u for u in (record or {}).get("updated-by", []) if u.get("type") in kinds]


def doi_not_found(ctx: Context):
    """The DOI is registered neither at Crossref nor at doi.org.

    reflint asks Crossref, then the DOI's registration agency and the doi.org Handle API,
    before it calls a DOI not found; a network failure is never reported here (it makes
    the verdict *unknown*). When the reference matches a registered work, the right DOI
    is suggested.

    Bad:

        Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136.
        doi:10.1093/rheumatology/ken1611

    Good:

        ... doi:10.1093/rheumatology/ken161
    """
    for m, _ in registered(ctx, INVALID):
        data = {"doi": m.raw}
        repair = None
        right = suggestion(ctx, m)
        if right:
            data["suggested_doi"] = right
            repair = fix(
                f"Replace with `{right}`, the registered DOI of this work",
                Applicability.UNSAFE,
                (m.doi_start, m.junk_start, right),
            )
        yield RL201.diagnostic(ctx, m.doi_start, m.junk_start, f"DOI `{m.doi}` is not registered", data, repair)


def doi_mismatch(ctx: Context):
    """The DOI resolves to a different work than the reference describes.

    A DOI copied from the neighbouring entry, or mistyped into another valid DOI, sends
    readers to the wrong paper. Reported only when title and author both disagree with
    the registered record. reflint then searches Crossref with the reference, validates
    the candidate as for RL301, and offers the right DOI as an unsafe fix.

    Bad:

        Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136.
        doi:10.2519/jospt.2017.7096

    Good:

        ... doi:10.1093/rheumatology/ken161
    """
    for m, status in registered(ctx, VALID):
        ref = ctx.reference_at(m.start)
        if not (ref and names_another_work(ref.fields, status.record)):
            continue
        data = {**about(m, status), "registered_title": (status.record.get("title") or [""])[0]}
        alias = f" (an alias of `{status.alias_of}`)" if status.alias_of else ""
        message = f"DOI `{m.doi}`{alias} belongs to a different work: \u201c{data['registered_title']}\u201d"
        right, repair = suggestion(ctx, m), None
        if right and right.lower() != m.doi.lower():
            data["suggested_doi"] = right
            message += f"; this reference matches `{right}`"
            repair = fix(
                f"Replace with `{right}`, the registered DOI of the cited work",
                Applicability.UNSAFE,
                (m.doi_start, m.junk_start, right),
            )
        yield RL202.diagnostic(ctx, m.doi_start, m.junk_start, message, data, repair)


def doi_retracted(ctx: Context):
    """The cited work has been retracted (Crossref, including Retraction Watch data).

    Citing retracted work as evidence misleads readers. Remove the citation, or say that
    the work was retracted and silence this with ``<!-- reflint: ignore RL203 -->``.

    Bad:

        Wakefield AJ, et al. ... Lancet. 1998;351(9103):637-641. doi:10.1016/S0140-6736(97)11096-0

    Good:

        (cite the retraction notice, or a sound source, instead)
    """
    for m, status in registered(ctx, VALID):
        for notice in updates(status.record, RETRACTIONS)[:1]:
            yield RL203.diagnostic(
                ctx,
                m.doi_start,
                m.junk_start,
                f"DOI `{m.doi}` has been retracted (notice {notice.get('DOI')})",
                {**about(m, status), "notice": notice.get("DOI"), "source": notice.get("source")},
            )


def doi_updated(ctx: Context):
    """A correction, expression of concern or withdrawal has been published for the work.

    The cited findings may have changed. Check the notice and cite it alongside.

    Bad:

        (a work with a published correction, cited without mentioning it)

    Good:

        (the same citation, followed by the correction notice)
    """
    for m, status in registered(ctx, VALID):
        notices = updates(status.record, UPDATES)
        if notices:
            kinds = ", ".join(sorted({n["type"].replace("_", " ") for n in notices}))
            yield RL204.diagnostic(
                ctx,
                m.doi_start,
                m.junk_start,
                f"DOI `{m.doi}` has an update: {kinds}",
                {**about(m, status), "notices": [n.get("DOI") for n in notices]},
            )


def doi_other_agency(ctx: Context):
    """The DOI is registered with another agency (DataCite, mEDRA, ...), not Crossref.

    Information only: the DOI exists (verified via doi.org), but Crossref has no metadata
    for it, so reflint cannot compare it with the reference.

    Bad:

        (not a problem: reported as information)

    Good:

        doi:10.5281/zenodo.123
    """
    for m, status in registered(ctx, VALID):
        if status.agency and status.agency != "crossref":
            yield RL205.diagnostic(
                ctx,
                m.doi_start,
                m.junk_start,
                f"DOI `{m.doi}` is registered with {status.agency}, not Crossref",
                {"doi": m.raw, "agency": status.agency},
            )


RL201 = Rule(
    "RL201",
    "doi-not-found",
    "error",
    "DOI registered neither at Crossref nor doi.org",
    doi_not_found,
    fixable="sometimes",
)
RL202 = Rule("RL202", "doi-mismatch", "error", "DOI resolves to a different work", doi_mismatch, fixable="sometimes")
RL203 = Rule("RL203", "doi-retracted", "error", "cited work is retracted", doi_retracted)
RL204 = Rule("RL204", "doi-updated", "warning", "correction, concern or withdrawal published", doi_updated)
RL205 = Rule("RL205", "doi-other-agency", "info", "DOI registered with another agency", doi_other_agency)
