"""RL206: a cited preprint that has since been published. Reads the resolver's answers."""

from __future__ import annotations

from reflint.models import Applicability
from reflint.rules.base import Context, Rule, fix


def preprint_published(ctx: Context):
    """A cited preprint (medRxiv, bioRxiv, arXiv, SSRN, Research Square) has a peer-reviewed version.

    Preprints are cited long after the reviewed article appeared, and the findings may have
    changed in review. Crossref links the two (``relation.is-preprint-of`` on the preprint,
    ``has-preprint`` on the article); reflint follows either link. The fix (unsafe) replaces
    the preprint's DOI with the article's: check the journal and year of the entry as well.
    arXiv DOIs (10.48550) are registered with DataCite, so only an article that names the
    arXiv DOI as its preprint at Crossref is found; a journal version whose publisher did not
    declare the preprint stays unknown.

    Bad:

        Rivera IS, French JD, et al. GWAS and 3D chromatin mapping identifies multicancer
        risk genes associated with hormone-dependent cancers. medRxiv. 2024.
        doi:10.1101/2024.07.14.24310389

    Good:

        Rivera IS, French JD, et al. GWAS and 3D chromatin mapping identifies multicancer
        risk genes associated with hormone-dependent cancers. PLoS Genet. 2024;20(11):e1011490.
        doi:10.1371/journal.pgen.1011490
    """
    if ctx.resolution is None:
        return
    published = getattr(ctx.resolution, "published", {}) or {}
    for m in ctx.extraction.dois:
        version = published.get(m.doi.lower()) if m.doi else None
        if version is None:
            continue
        where = ", ".join(str(v) for v in (version.venue, version.year) if v)
        message = f"`{m.doi}` is a {version.server} preprint; the peer-reviewed version is `{version.doi}`"
        message += f" ({where})" if where else ""
        end = m.doi_end if m.junk_start is None else m.junk_start
        data = {
            "doi": m.raw,
            "suggested_doi": version.doi,
            "server": version.server,
            "venue": version.venue,
            "year": version.year,
        }
        repair = fix(
            f"Cite the published version `{version.doi}` (check the entry's journal and year)",
            Applicability.UNSAFE,
            (m.doi_start, end, version.doi),
        )
        yield RL206.diagnostic(ctx, m.doi_start, end, message, data, repair)


RL206 = Rule(
    "RL206",
    "preprint-published",
    "warning",
    "cited preprint has a peer-reviewed version",
    preprint_published,
    fixable="unsafe",
)
