"""RL301-RL302: a reference against its registered record (DOI-less matches, wrong details)."""

from __future__ import annotations

import re

from reflint.crossref import VALID
from reflint.match import compare, disagreements, record_fields, same_work
from reflint.models import Applicability
from reflint.pubmed import doi_from_pmid
from reflint.rules.base import Context, Rule, fix


def doi_missing(ctx: Context):
    """A reference without a DOI, although Crossref has a confident, validated match.

    A DOI makes a reference findable with one click. reflint searches Crossref with the
    whole reference and accepts a candidate only when first author, year and title agree
    (and volume and first page, where given); ties and weak candidates are rejected. A
    reference with a PMID gets the DOI PubMed records for it, unless the PubMed record is
    another work. The fix appends the DOI to the entry: unsafe, because it is a match, not
    a certainty.

    Bad:

        Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136.

    Good:

        Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136.
        doi:10.1093/rheumatology/ken161
    """
    if ctx.resolution is None:
        return
    for ref in ctx.extraction.references:
        if ref.dois or ref.kind != "list-entry":
            continue
        result, from_pubmed = ctx.resolution.match(ref), doi_from_pmid(ctx.resolution, ref)
        if from_pubmed:
            doi = from_pubmed
            message = f"Reference has no DOI; PubMed gives `{doi}` for PMID {ref.fields.pmid}"
            data: dict[str, object] = {"suggested_doi": doi, "source": "pubmed", "pmid": ref.fields.pmid}
        elif result and result.match:
            doi, message = result.match.doi, f"Reference has no DOI; Crossref matches `{result.match.doi}`"
            data = {"suggested_doi": doi, "confidence": round(result.match.confidence, 2)}
        else:
            continue
        yield RL301.diagnostic(
            ctx,
            ref.start,
            ref.end,
            message,
            data,
            fix(f"Append `doi:{doi}`", Applicability.UNSAFE, (ref.end, ref.end, f" doi:{doi}")),
        )


def metadata_mismatch(ctx: Context):
    """Year, volume, issue or pages disagree with the registered record.

    The DOI names the right work, but the details around it were mistyped or copied from
    a preprint. The message lists the registered values; the fix (unsafe) puts them in,
    when each wrong value stands exactly once in the entry.

    Bad:

        Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2009;47(8):1132-1136.
        doi:10.1093/rheumatology/ken161

    Good:

        Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136.
        doi:10.1093/rheumatology/ken161
    """
    if ctx.resolution is None:
        return
    for ref in ctx.extraction.references:
        mention = next((m for m in ref.dois if m.doi), None)
        status = ctx.resolution.doi(mention.doi) if mention else None
        if not (status and status.verdict == VALID and status.record):
            continue
        c = compare(ref.fields, status.record)
        # The DOI already names the work, so title and author suffice to know it is this one;
        # the journal is left out: parsed journal names are too often cut to trust here.
        cited = same_work(c) or ((c.title or 0) >= 85 and c.author is not False)
        wrong = [name for name in disagreements(c) if name != "container"] if cited else []
        if not wrong:
            continue
        registered = record_fields(status.record).to_dict()
        expected = {name: registered.get(name) for name in wrong}
        shown = ", ".join(f"{name} {expected[name]!s}" for name in wrong)
        edits = [e for name in wrong if (e := _replacement(ctx, ref, getattr(ref.fields, name), expected[name]))]
        repair = (
            fix(f"Use the registered {shown}", Applicability.UNSAFE, *edits)
            if edits and len(edits) == len(wrong)
            else None
        )
        yield RL302.diagnostic(
            ctx,
            ref.start,
            ref.end,
            f"Reference details disagree with the registered record: {shown}",
            {"doi": mention.raw, "fields": wrong, "registered": expected},
            repair,
        )


def _replacement(ctx: Context, ref, cited: str | None, right: str | None):
    """An edit replacing the cited value, but only where it stands exactly once in the entry
    (a year that also occurs in a title, say, is left for the writer)."""
    if not (cited and right):
        return None
    pattern = r"(?<![\w.])" + "[-\u2010-\u2015]".join(map(re.escape, cited.split("-"))) + r"(?!\w)"
    found = list(re.finditer(pattern, ctx.doc.text[ref.start : ref.end]))
    if len(found) != 1:
        return None
    return ref.start + found[0].start(), ref.start + found[0].end(), right


RL301 = Rule(
    "RL301", "doi-missing", "warning", "reference without DOI has a validated match", doi_missing, fixable="unsafe"
)
RL302 = Rule(
    "RL302",
    "metadata-mismatch",
    "warning",
    "year, volume, issue or pages disagree with the record",
    metadata_mismatch,
    fixable="sometimes",
)
