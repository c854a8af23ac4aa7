"""The NCBI E-utilities client: ESummary for PubMed (and PMC) records, in batches.

The request core is the Crossref client's (reflint.registry_http: one pooled, bounded
session, evenly spaced requests, backoff with full jitter honouring ``Retry-After``, a
circuit breaker and the run's time limit), paced to NCBI's limits: about 3 requests a
second without an API key, 10 with ``NCBI_API_KEY``. ``tool`` and ``email`` identify reflint
as NCBI's usage policy asks. A failed request makes every ID of its batch *unknown*; only
a per-record error in a successful answer ("cannot get document summary") makes an ID
*not found*.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, Callable

from reflint import __version__
from reflint.crossref import PROJECT_URL
from reflint.registry_http import RegistryClient, RegistryHTTP

if TYPE_CHECKING:
    import requests

DEFAULT_NCBI_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
BATCH_SIZE = 200  # ESummary takes up to 200 IDs in one GET
RATE_WITHOUT_KEY, RATE_WITH_KEY = 3.0, 10.0
CONCURRENCY = 2


class NcbiClient(RegistryClient):
    """ESummary lookups; ``esummary`` answers {id: summary or None} or None when it failed."""

    def __init__(
        self,
        base_url: str | None = None,
        email: str | None = None,
        api_key: str | None = None,
        timeout: float = 10.0,
        max_retries: int = 3,
        breaker_threshold: int = 5,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        time_limit: float | None = None,
    ):
        self.base_url = (base_url or os.environ.get("REFLINT_NCBI_URL") or DEFAULT_NCBI_URL).rstrip("/")
        self.email = email or os.environ.get("REFLINT_MAILTO") or None
        self.api_key = api_key or os.environ.get("NCBI_API_KEY") or None
        rate = RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY
        headers = {"User-Agent": f"reflint/{__version__} ({PROJECT_URL})", "Accept": "application/json"}
        self.http = RegistryHTTP(
            headers,
            polite=False,
            timeout=timeout,
            max_retries=max_retries,
            breaker_threshold=breaker_threshold,
            session=session,
            sleep=sleep,
            clock=clock,
            time_limit=time_limit,
            limits={"esummary": rate},
            concurrency=CONCURRENCY,
            name="NCBI E-utilities",
        )

    @property
    def registry(self) -> str:
        """Which registry this client asks (the outage memory's key, apart from Crossref's)."""
        return self.base_url

    def esummary(self, ids: list[str], db: str = "pubmed") -> dict[str, dict | None] | None:
        """Summaries of up to 200 IDs of ``db`` in one request, by ID as asked.

        A record PubMed does not have maps to None; an ID the answer does not mention at all
        is left out (unknown). None: the request failed, every ID is unknown.
        """
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        if len(ids) > BATCH_SIZE:
            raise ValueError(f"esummary: at most {BATCH_SIZE} IDs a request")
        params: dict[str, Any] = {"db": db, "id": ",".join(ids), "retmode": "json", "tool": "reflint"}
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        reply = self.http.get("esummary", f"{self.base_url}/esummary.fcgi", params)
        result = reply.data.get("result") if reply.status == 200 and isinstance(reply.data, dict) else None
        if not isinstance(result, dict):
            return None  # e.g. {"error": "API rate limit exceeded"}: unknown, not "not found"
        found: dict[str, dict | None] = {}
        # A PMID PubMed does not have, as NCBI really answers it (recorded with curl; see
        # tests/data/pubmed/README.md): HTTP 200, the ID listed in "uids" like a found one, and
        # {"uid": "40482261", "error": "cannot get document summary"} as its entry. So "uids"
        # says nothing; only the entry's "error" makes an ID not found.
        for uid in ids:
            entry = result.get(uid)
            if isinstance(entry, dict):
                found[uid] = None if entry.get("error") else entry
        return found
