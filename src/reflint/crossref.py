"""The Crossref REST API and doi.org Handle API client (see docs/decisions/0001-http-client.md).

Everything here serves one rule from DESIGN §4: a network problem is *unknown*, never
*invalid*. Only an explicit "not found" from the server (HTTP 404, Handle responseCode 100)
makes a DOI invalid; timeouts, 429, 5xx, redirects, odd JSON and an open circuit are unknown.

Etiquette (DESIGN §5): one pooled session identified by a User-Agent with a mailto, paced
by :mod:`reflint.pacing`, exponential backoff with full jitter that honours ``Retry-After``,
and a circuit breaker so an outage costs a handful of requests rather than one per DOI.
Only the two configured hosts are ever contacted: redirects are not followed.

Bounds (issue 9, 12): every exchange ends by its own deadline and reads a capped body
(:mod:`reflint.transport`); ``time_limit`` is a wall-clock budget for all lookups, counted
from the first request; and a registry that has not answered at all gets short probes, so
one that hangs or does not resolve is declared out (``outage``) within seconds.
"""

from __future__ import annotations

import enum
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, NamedTuple
from urllib.parse import quote, unquote, urlsplit

from reflint import __version__
from reflint.registry_http import RegistryClient, Reply, RegistryHTTP

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

DEFAULT_CROSSREF_URL = "https://api.crossref.org"
DEFAULT_DOI_URL = "https://doi.org"
PROJECT_URL = "https://github.com/reflint/reflint"
SELECT = (
    "DOI,title,author,issued,container-title,volume,issue,page,type,updated-by,update-to," "relation,institution"
)  # relation: aliases, preprint links (RL206); institution: a preprint's server
NO_MAILTO_WARNING = (
    "no mailto: using Crossref's public pool at lower limits; " "set REFLINT_MAILTO or `mailto` in config"
)

_DOI_ORG_HOSTS = ("doi.org", "dx.doi.org", "www.doi.org")
_warned_no_mailto = False
_warn_lock = threading.Lock()


class Verdict(str, enum.Enum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"


VALID, INVALID, UNKNOWN = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN


class WorkResult(NamedTuple):
    verdict: Verdict
    message: dict | None = None


class AgencyResult(NamedTuple):
    verdict: Verdict
    agency: str | None = None


def quote_doi(doi: str) -> str:
    """Percent-encode a DOI for a URL path (DOI Handbook §2.5.2.4).

    Everything but unreserved characters and ``/`` is encoded, so ``# ? % ; < > ( ) :`` and
    spaces of SICI-style DOIs survive the trip. A DOI with a ``.`` or ``..`` segment gets its
    slashes encoded as well: requests normalises dot segments (and decodes ``%2E``), which
    would turn ``10.1/../x`` into a different API path.
    """
    if any(segment in (".", "..") for segment in doi.split("/")):
        return quote(doi, safe="")
    return quote(doi, safe="/")


def batchable(doi: str) -> bool:
    """Whether a DOI can go into a ``filter=doi:A,doi:B`` list request: commas separate
    filters and whitespace or control characters would spoil the whole batch's request."""
    return bool(doi) and "," not in doi and all(c.isprintable() and not c.isspace() for c in doi)


class CrossrefClient(RegistryClient):
    """Crossref and doi.org lookups with valid / invalid / unknown verdicts.

    ``timeout`` bounds each exchange from connect to the last byte of its body;
    ``time_limit`` bounds all of them together. ``outage`` says why the circuit opened.
    """

    def __init__(
        self,
        crossref_url: str | None = None,
        doi_url: str | None = None,
        mailto: str | None = None,
        timeout: float = 10.0,
        max_retries: int = 4,
        breaker_threshold: int = 5,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        time_limit: float | None = None,
    ):
        self.crossref_url = (crossref_url or os.environ.get("REFLINT_CROSSREF_URL") or DEFAULT_CROSSREF_URL).rstrip("/")
        self.doi_url = (doi_url or os.environ.get("REFLINT_DOI_URL") or DEFAULT_DOI_URL).rstrip("/")
        self.mailto = mailto or os.environ.get("REFLINT_MAILTO") or None
        agent = f"reflint/{__version__} ({PROJECT_URL}"
        headers = {
            "User-Agent": agent + (f"; mailto:{self.mailto})" if self.mailto else ")"),
            "Accept": "application/json",
        }
        self.http = RegistryHTTP(
            headers, bool(self.mailto), timeout, max_retries, breaker_threshold, session, sleep, clock, time_limit
        )
        if not self.mailto:
            _warn_no_mailto()

    @property
    def registry(self) -> str:
        """Which registry this client asks (the outage memory's key)."""
        return self.crossref_url if self.doi_url == self.crossref_url else f"{self.crossref_url} {self.doi_url}"

    # -- public lookups ------------------------------------------------------------------

    def works_by_dois(self, dois: list[str]) -> dict[str, dict] | None:
        """Records of many DOIs in ONE list request: {lowercased DOI: message}.

        DOIs Crossref does not know are simply absent; None means the request failed and
        every DOI of the batch is unknown. Callers chunk (~50) and keep ``batchable`` DOIs.
        Records are keyed by their own ``DOI``, so a record is never taken for another DOI.
        """
        dois = list(dict.fromkeys(dois))
        if not dois:
            return {}
        if not all(batchable(d) for d in dois):
            raise ValueError("works_by_dois: leave out DOIs that are not batchable()")
        params = {"filter": ",".join(f"doi:{d}" for d in dois), "rows": len(dois), "select": SELECT}
        items = self._items(self._get("list", f"{self.crossref_url}/works", params))
        if items is None:
            return None
        return {item["DOI"].lower(): item for item in items if isinstance(item.get("DOI"), str)}

    def work(self, doi: str) -> WorkResult:
        """``/works/{doi}``: VALID with the record, INVALID on 404 (not a Crossref DOI).

        The record may be another DOI's (Crossref answers an alias with its primary DOI's
        record): callers compare ``message["DOI"]`` with what they asked for.
        """
        reply = self._get("single", f"{self.crossref_url}/works/{quote_doi(doi)}")
        message = _message(reply)
        if isinstance(message, dict):
            return WorkResult(VALID, message)
        return WorkResult(INVALID if reply.status == 404 else UNKNOWN)

    def agency(self, doi: str) -> AgencyResult:
        """``/works/{doi}/agency``: the registration agency id ("crossref", "datacite", ...)."""
        reply = self._get("single", f"{self.crossref_url}/works/{quote_doi(doi)}/agency")
        message = _message(reply)
        agency = message.get("agency") if isinstance(message, dict) else None
        if isinstance(agency, dict) and isinstance(agency.get("id"), str):
            return AgencyResult(VALID, agency["id"])
        return AgencyResult(INVALID if reply.status == 404 else UNKNOWN)

    def handle(self, doi: str) -> Verdict:
        """doi.org Handle API: responseCode 1 exists, 100 does not (also sent with HTTP 404)."""
        return self.handle_record(doi)[0]

    def handle_record(self, doi: str) -> tuple[Verdict, list[dict]]:
        """The Handle API's verdict and, when the DOI exists, its handle values."""
        reply = self._get("single", f"{self.doi_url}/api/handles/{quote_doi(doi)}")
        code = reply.data.get("responseCode") if isinstance(reply.data, dict) else None
        if reply.status == 200 and code == 1:
            values = reply.data.get("values")
            return VALID, [v for v in values if isinstance(v, dict)] if isinstance(values, list) else []
        if reply.status in (200, 404) and code == 100:
            return INVALID, []
        return UNKNOWN, []

    def alias_target(self, doi: str) -> tuple[Verdict, str | None]:
        """Whether doi.org says ``doi`` is an alias, and of which DOI.

        (VALID, primary) when the handle holds an ``HS_ALIAS`` value or redirects to
        ``doi.org/<primary>`` (how Crossref aliases a duplicate DOI); (VALID, None) when the
        DOI exists as itself; INVALID or UNKNOWN with None otherwise.
        """
        verdict, values = self.handle_record(doi)
        if verdict != VALID:
            return verdict, None
        for value in values:
            data = value.get("data")
            text = data.get("value") if isinstance(data, dict) else None
            if not isinstance(text, str):
                continue
            target = None
            if value.get("type") == "HS_ALIAS":
                target = text.strip().removeprefix("doi:").removeprefix("hdl:")
            elif value.get("type") == "URL":
                url = urlsplit(text.strip())
                if url.scheme in ("http", "https") and url.netloc.lower() in _DOI_ORG_HOSTS:
                    target = unquote(url.path.lstrip("/"))
            if target and target.startswith("10.") and target.lower() != doi.lower():
                return VALID, target
        return VALID, None

    def search(
        self,
        reference: str,
        rows: int = 5,
        *,
        author: str | None = None,
        from_year: int | None = None,
        until_year: int | None = None,
    ) -> list[dict] | None:
        """``query.bibliographic`` candidates for a reference (with ``score``), None on failure."""
        params: dict[str, Any] = {"query.bibliographic": reference, "rows": rows, "select": SELECT + ",score"}
        if author:
            params["query.author"] = author
        dates = []
        if from_year is not None:
            dates.append(f"from-pub-date:{from_year}")
        if until_year is not None:
            dates.append(f"until-pub-date:{until_year}")
        if dates:
            params["filter"] = ",".join(dates)
        return self._items(self._get("list", f"{self.crossref_url}/works", params))

    def related_works(self, relation: str, doi: str, rows: int = 5) -> list[dict] | None:
        """Works whose ``relation.<relation>`` names ``doi`` (``has-preprint`` finds the article
        a preprint became, even when the preprint's own record does not say). None on failure."""
        params = {"filter": f"relation.type:{relation},relation.object:{doi}", "rows": rows, "select": SELECT}
        return self._items(self._get("list", f"{self.crossref_url}/works", params))

    # -- the one request core ------------------------------------------------------------

    def _get(self, kind: str, url: str, params: dict | None = None) -> Reply:
        """Only the two configured hosts; Crossref gets the mailto as a parameter too."""
        assert url.startswith((self.crossref_url + "/", self.doi_url + "/")), url
        if url.startswith(self.crossref_url + "/") and self.mailto:
            params = {**(params or {}), "mailto": self.mailto}
        return self.http.get(kind, url, params)

    @staticmethod
    def _items(reply: Reply) -> list[dict] | None:
        message = _message(reply)
        items = message.get("items") if isinstance(message, dict) else None
        if not isinstance(items, list):
            return None
        return [item for item in items if isinstance(item, dict)]


def _message(reply: Reply) -> Any:
    """The ``message`` of a 200 Crossref reply, None otherwise."""
    if reply.status == 200 and isinstance(reply.data, dict):
        return reply.data.get("message")
    return None


def _warn_no_mailto() -> None:
    """Warn once per process: every client of a mailto-less run shares the public pool."""
    global _warned_no_mailto
    with _warn_lock:
        if _warned_no_mailto:
            return
        _warned_no_mailto = True
    log.warning(NO_MAILTO_WARNING)
