"""RL207-RL208: what PubMed says about the PMIDs and PMCIDs a document cites. No I/O here."""

from __future__ import annotations

from reflint.crossref import INVALID, VALID
from reflint.pubmed import different_works, status_of
from reflint.pubmed_ids import in_reference
from reflint.rules.base import Context, Rule


def pmid_not_found(ctx: Context):
    """A PubMed ID (or PMC ID) that PubMed (or PMC) does not have.

    reflint asks NCBI's ESummary in batches; an ID is reported only when a successful
    answer says there is no such record. A failed request makes the ID *unknown*, never
    "not found". (The PMC ID Converter knows only articles in PMC, so reflint does not use
    it to judge PMIDs.)

    Bad:

        Dexter DL, et al. Heterogeneity of tumor cells from a single mouse mammary tumor.
        Cancer Res. 1978. PMID: 2109300

    Good:

        ... Cancer Res. 1978. PMID: 210930
    """
    if ctx.resolution is None:
        return
    for item in ctx.extraction.pubmed_ids:
        if status_of(ctx.resolution, item.kind, item.value).verdict != INVALID:
            continue
        where = "PubMed" if item.kind == "pmid" else "PubMed Central"
        label = "PMID" if item.kind == "pmid" else "PMCID"
        yield RL207.diagnostic(
            ctx,
            item.id_start,
            item.id_end,
            f"{label} {item.value} is not in {where}",
            {"pmid" if item.kind == "pmid" else "pmcid": item.value},
        )


def identifier_mismatch(ctx: Context):
    """The PMID and the DOI of one reference name different works.

    One of the two was copied from another entry or mistyped. PubMed's record of the PMID
    names its DOI; when it differs from the cited DOI (and Crossref's record of the cited DOI
    is not the same article), or, for a PMID without a DOI at PubMed, when title and first
    author of the two records disagree, the reference is reported with both titles. Which
    identifier is wrong is for the writer to decide: there is no automatic fix.

    Bad:

        Nowell PC. The clonal evolution of tumor cell populations. Science. 1976;194(4260):23-8.
        PMID: 959840. doi:10.2519/jospt.2017.7096

    Good:

        Nowell PC. The clonal evolution of tumor cell populations. Science. 1976;194(4260):23-8.
        PMID: 959840. doi:10.1126/science.959840
    """
    if ctx.resolution is None:
        return
    for ref in ctx.extraction.references:
        pmids = in_reference(ref, ctx.extraction.pubmed_ids)
        mention = next((m for m in ref.dois if m.doi), None)
        if not (pmids and mention and mention.doi):
            continue
        status = status_of(ctx.resolution, "pmid", pmids[0].value)
        doi_status = ctx.resolution.doi(mention.doi)
        # a DOI not registered is RL201's; one unverified can still contradict PubMed's own DOI
        if status.verdict != VALID or doi_status.verdict == INVALID or (doi_status.verdict != VALID and not status.doi):
            continue
        if not different_works(status, mention.doi, doi_status.record):
            continue
        doi_title = (doi_status.record or {}).get("title") or [""]
        data = {
            "pmid": pmids[0].value,
            "doi": mention.raw,
            "pmid_title": status.title,
            "pmid_doi": status.doi,
            "doi_title": doi_title[0] if doi_title else "",
        }
        said = f" (PubMed gives DOI `{status.doi}`)" if status.doi else ""
        yield RL208.diagnostic(
            ctx,
            pmids[0].start,
            pmids[0].end,
            f"PMID {pmids[0].value} is \u201c{status.title.rstrip('.')}\u201d{said}, "
            f"but DOI `{mention.doi}` names another work",
            data,
        )


RL207 = Rule("RL207", "pmid-not-found", "error", "PubMed ID not in PubMed", pmid_not_found)
RL208 = Rule("RL208", "identifier-mismatch", "error", "PMID and DOI name different works", identifier_mismatch)
