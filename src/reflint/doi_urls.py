"""Where a DOI inside a URL ends: before the query, the fragment, or the page a publisher's
URL names after it (a view, a preprint's version, an article number).

Looked up with those glued on, a valid DOI reads as unregistered; they are cut only in a
publisher's URL, never after ``doi:`` or in a doi.org link, where every character is the DOI's.
"""

from __future__ import annotations

import re

_URL_STOP, QUERY_STOP = re.compile(r"[?#]"), re.compile(r"[?#&]")  # see url_doi_end
# the page a publisher's URL names after its DOI: Wiley's ``/10.1111/x.y/full``, ``/abstract``,
# ``/epdf``, Cochrane's ``/full/es``, BMC's ``/figures/1``, Frontiers' ``/full``, Springer's
# ``content/pdf/10.1007/x.pdf``, supplements, a trailing slash
_VIEW = re.compile(
    r"(?i)(?:(?:/(?:full|abstract|abs|pdf|epdf|pdfdirect|fulltext|html|summary|references|figures|tables"
    r"|suppinfo|citedby|meta|information)(?:/(?:[a-z]{2}|\d{1,3}))?)+/?|/(?:media|suppl_file)/\S*|\.pdf/?|/)\Z"
)
# bioRxiv's and medRxiv's pages add a version and a view to the DOI: .../10.1101/2020.04.14.20062463v1.full
_PREPRINT_VERSION = re.compile(
    r"(?i)(?<=\d)v\d{1,2}(?:\.(?:full|full-text|abstract|article-info|article-metrics|supplementary-material)"
    r"(?:\.pdf|\+html)?)?/?\Z"
)
_ARTICLE_NUMBER = re.compile(r"/\d{5,9}/?\Z")  # OUP's academic.oup.com/cid/article/doi/10.1093/cid/ciaa1234/5899999
_IN_URL = re.compile(r"(?i)(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://[^\s<>\"'()\[\]{}]*\Z")


def _word_start(text: str, pos: int) -> int:
    """Where the run of non-space characters ending at ``pos`` starts (at most 2,000 back)."""
    lo = max(pos - 2000, 0)
    return max(text.rfind(" ", lo, pos), text.rfind("\n", lo, pos), text.rfind("\t", lo, pos), lo - 1) + 1


def in_url(text: str, start: int) -> bool:
    """Does the mention at ``start`` sit inside a URL (``https://host/doi/10.1/x``)?"""
    token = _word_start(text, start)
    return "://" in text[token:start] and bool(_IN_URL.search(text, token, start))


def page_start(text: str, p: int, end: int) -> int | None:
    """Where a publisher's page for the DOI at ``p`` starts in a URL's path, or None: a view
    (``/full``, ``/figures/1``, ``.pdf``), a preprint's version (``v2.full``; Research
    Square's ``/v1`` is part of its DOIs, so only bioRxiv's and medRxiv's 10.1101 counts),
    or OUP's article number."""
    cut = end
    if view := _VIEW.search(text, p, cut):
        cut = view.start()
    if text.startswith("10.1101/", p) and (version := _PREPRINT_VERSION.search(text, p, cut)):
        cut = version.start()
    if (number := _ARTICLE_NUMBER.search(text, p, cut)) and "oup.com/" in text[_word_start(text, p) : p]:
        cut = number.start()
    return cut if cut < end else None


def url_doi_end(text: str, p: int, end: int) -> int:
    """Where a DOI inside a URL ends: an unescaped ``?`` starts the query and ``#`` the
    fragment (a DOI's URL form has both escaped, ``%3F`` and ``%23``), so a publisher's
    ``/doi/full/10.1177/036354651?casa_token=...`` cites ``10.1177/036354651``; in a DOI that
    is itself a query value (``article?id=10.1371/journal.pone.0046041&type=printable``),
    ``&`` starts the next parameter."""
    stop = (QUERY_STOP if "?" in text[_word_start(text, p) : p] else _URL_STOP).search(text, p, end)
    return stop.start() if stop else end
