"""A local fake of NCBI E-utilities ESummary (``/esummary.fcgi``), for PubMed ID tests.

Loopback only, one base URL (point ``REFLINT_NCBI_URL`` at ``.url``). It answers
``db=pubmed`` (PMIDs) and ``db=pmc`` (PMC IDs without ``PMC``) with ESummary's JSON shape:
``{"header": ..., "result": {"uids": [...], "<id>": {document summary}}}``; an ID it does not
hold gets ``{"uid": id, "error": "cannot get document summary"}`` and is still listed in
``uids``, as PubMed answers: see tests/data/pubmed/esummary-missing-pmid.json, a real answer
recorded with curl (tests/data/pubmed/README.md says where it comes from).

Knobs: ``enforce_limits`` (3 requests/s, 10 with an ``api_key``: beyond that a 429 with
``{"error": "API rate limit exceeded"}``), ``fail_rate`` (503s), ``hang_seconds`` (accept the
request, then answer nothing for that long: a registry that hangs), ``seed``. Seen requests:
``requests`` (path, query, monotonic time).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from fake_crossref import serve

DEFAULT_IDS = Path(__file__).parent / "data" / "pubmed" / "ids.jsonl"


def load_ids(path=DEFAULT_IDS) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def summary(record: dict, uid: str) -> dict:
    """An ESummary document summary from one record's facts (nothing else is invented)."""
    ids = [{"idtype": "pubmed", "idtypen": 1, "value": record["pmid"]}] if record.get("pmid") else []
    if record.get("doi"):
        ids.append({"idtype": "doi", "idtypen": 3, "value": record["doi"]})
    if record.get("pmcid"):
        ids.append({"idtype": "pmc", "idtypen": 8, "value": record["pmcid"]})
    authors = (
        [{"name": record["first_author"], "authtype": "Author", "clusterid": ""}] if record.get("first_author") else []
    )
    return {
        "uid": uid,
        "pubdate": record.get("year") or "",
        "title": record.get("title") or "",
        "authors": authors,
        "articleids": ids,
        "source": record.get("journal") or "",
        "fulljournalname": record.get("journal") or "",
    }


class FakeNcbi:
    def __init__(self, records=None, *, enforce_limits=False, fail_rate=0.0, hang_seconds=0.0, seed=0):
        records = load_ids() if records is None else records
        self.pubmed = {r["pmid"]: r for r in records if r.get("pmid")}
        self.pmc = {r["pmcid"].removeprefix("PMC"): r for r in records if r.get("pmcid")}
        self.enforce_limits, self.fail_rate, self.hang_seconds = enforce_limits, fail_rate, hang_seconds
        self._stopping = threading.Event()
        self.rng = random.Random(seed)
        self.requests: list[tuple] = []
        self.count_429 = 0
        self._lock = threading.Lock()
        self._window: deque = deque()
        self._httpd = self._thread = None
        self.url = ""

    def start(self) -> "FakeNcbi":
        self._httpd, self._thread, self.url = serve(self, _Handler, "fake-ncbi")
        return self

    def stop(self) -> None:
        self._stopping.set()  # wake hanging handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def admit(self, keyed: bool) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if self.enforce_limits and len(self._window) >= (10 if keyed else 3):
                self.count_429 += 1
                return False
            self._window.append(now)
            return True

    def answer(self, db: str, ids: list[str]) -> dict:
        table = self.pubmed if db == "pubmed" else self.pmc
        result: dict = {"uids": list(ids)}  # a missing ID too (the recorded answer lists it)
        for uid in ids:
            result[uid] = (
                summary(table[uid], uid) if uid in table else {"uid": uid, "error": "cannot get document summary"}
            )
        return {"header": {"type": "esummary", "version": "0.3"}, "result": result}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        fake = self.server.fake
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        with fake._lock:
            fake.requests.append((split.path, query, time.monotonic()))
            fail = fake.rng.random() < fake.fail_rate
        if fake.hang_seconds and fake._stopping.wait(fake.hang_seconds):
            self.close_connection = True
            return
        if not fake.admit(bool(query.get("api_key"))):
            return self._send(429, {"error": "API rate limit exceeded", "count": "4"})
        if fail:
            return self._send(503, {"error": "Service unavailable"})
        if split.path != "/esummary.fcgi" or query.get("db") not in ("pubmed", "pmc"):
            return self._send(400, {"error": "unsupported request"})
        ids = [i.strip() for i in query.get("id", "").split(",") if i.strip()]
        if not ids:
            return self._send(200, {"error": "Empty id list - nothing todo"})
        self._send(200, fake.answer(query["db"], ids))

    def _send(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
