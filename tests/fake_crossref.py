"""A local fake of the Crossref REST API and the doi.org Handle API, for tests and benchmarks.

Loopback only: the server binds 127.0.0.1 on a free port and serves both APIs from one base URL.

    with FakeCrossref(load_records(DEFAULT_RECORDS), enforce_limits=True) as fake:
        requests.get(f"{fake.url}/works/10.2519/jospt.2017.7096")

Endpoints: ``/works/{doi}``, ``/works?filter=doi:A,doi:B&select=..``, ``/works?query.bibliographic=..``
(also ``query.author``, ``filter=from-pub-date:Y,until-pub-date:Y``, ``rows``, ``offset``),
``/works?filter=relation.type:T,relation.object:DOI``, ``/works/{doi}/agency``,
``/works/{doi}/transform/application/x-bibtex``, ``/api/handles/{doi}`` and
doi.org content negotiation on ``/{doi}`` (``Accept: application/x-bibtex`` or CSL JSON).

Knobs (constructor keywords, also settable at runtime): ``enforce_limits``, ``single_limit``,
``list_limit``, ``concurrency_limit``, ``latency``, ``fail_rate``, ``hang_rate``, ``hang_seconds``,
``broken_json_rate``, ``seed``, and for hostile servers: ``trickle_seconds`` (send the body one
byte per that many seconds), ``oversize_bytes`` (pad every body with JSON whitespace to that
size), ``declare_length`` (False: no Content-Length, the body ends when the connection closes),
``aliases`` ({alias DOI: primary DOI}: the alias is answered with the primary's record, as
Crossref does, and doi.org's handle names the primary in ``HS_ALIAS`` and its URL) and
``wrong_records`` ({DOI: other DOI}: the DOI is answered with another work's record, and
doi.org knows nothing of an alias). Seen requests: ``requests`` (method, path, query, monotonic time),
``request_headers`` (same order), ``count_429``.
"""

from __future__ import annotations

import json
import math
import random
import re
import socket
import threading
import time
import unicodedata
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

DEFAULT_RECORDS = Path(__file__).parent / "data" / "crossref" / "works.jsonl"
DEFAULT_OTHER_AGENCIES = {"10.5281/zenodo.123": "datacite"}
AGENCY_LABELS = {
    "crossref": "Crossref",
    "datacite": "DataCite",
    "medra": "mEDRA",
    "jalc": "JaLC",
    "kisti": "KISTI",
    "istic": "ISTIC",
    "op": "OP",
    "airiti": "Airiti",
    "cnki": "CNKI",
}
STOPWORDS = set("a an and are as at by doi dx et al for from http https in is of on or org the to vs with".split())
BIBTEX_TYPES = {
    "journal-article": "article",
    "book-chapter": "inbook",
    "proceedings-article": "inproceedings",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "dissertation": "phdthesis",
}
MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def load_records(path=DEFAULT_RECORDS) -> list[dict]:
    """Read JSONL lines of ``{"message": {...}}`` and return the messages."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["message"] for line in fh if line.strip()]


def tokens(text) -> list[str]:
    text = unicodedata.normalize("NFKD", re.sub(r"<[^>]+>", " ", str(text))).lower()
    return [t for t in re.findall(r"[a-z0-9]+", text) if len(t) > 1 and t not in STOPWORDS]


def year_of(msg: dict):
    for key in ("issued", "published-print", "published-online", "published", "created"):
        parts = (msg.get(key) or {}).get("date-parts") or [[None]]
        if parts[0] and parts[0][0]:
            return parts[0]
    return None


def in_years(msg: dict, year_from=None, year_until=None) -> bool:
    if not (year_from or year_until):
        return True
    year = (year_of(msg) or [None])[0]
    return bool(year) and (not year_from or year >= year_from) and (not year_until or year <= year_until)


def related(msg: dict, kind: str | None, obj: str | None) -> bool:
    """Crossref's ``relation.type`` / ``relation.object`` filters: a relation of that type (any,
    when None) whose object id is ``obj`` (any, when None)."""
    for name, links in (msg.get("relation") or {}).items():
        if kind in (None, name) and any(obj in (None, str(link.get("id", "")).lower()) for link in links):
            return True
    return False


def bibtex(msg: dict) -> str:
    """A one-line BibTeX rendering in the style of Crossref's transform."""
    authors = msg.get("author") or []
    date = year_of(msg) or [None]
    family = authors[0].get("family", "") if authors else ""
    key = re.sub(r"[^A-Za-z0-9]", "", unicodedata.normalize("NFKD", family)) or "noauthor"
    fields = [
        ("title", (msg.get("title") or [""])[0]),
        ("volume", msg.get("volume")),
        ("url", msg.get("URL")),
        ("DOI", msg["DOI"]),
        ("number", msg.get("issue")),
        ("journal", (msg.get("container-title") or [None])[0]),
        ("publisher", msg.get("publisher")),
        (
            "author",
            " and ".join(f"{a.get('family', a.get('name', ''))}, {a.get('given', '')}".strip(", ") for a in authors)
            or None,
        ),
        ("year", date[0]),
        ("pages", msg.get("page")),
    ]
    body = ", ".join(f"{k}={{{v}}}" for k, v in fields if v)
    if len(date) > 1:
        body += f", month={MONTHS[date[1] - 1]}"
    return f" @{BIBTEX_TYPES.get(msg.get('type'), 'misc')}{{{key}_{date[0]}, {body}}}\n"


def serve(fake, handler, name: str):
    """Start ``handler`` on a free loopback port in a daemon thread, with ``fake`` as its
    ``server.fake``: (server, thread, base URL). Shared by the fake registries."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.fake = fake
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True)
    thread.start()
    return httpd, thread, f"http://127.0.0.1:{httpd.server_address[1]}"


class FakeCrossref:
    """A threaded fake Crossref + doi.org server on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        records=None,
        other_agencies=None,
        *,
        enforce_limits=False,
        single_limit=10,
        list_limit=3,
        concurrency_limit=3,
        latency=0.0,
        fail_rate=0.0,
        hang_rate=0.0,
        hang_seconds=30.0,
        broken_json_rate=0.0,
        seed=0,
        trickle_seconds=0.0,
        oversize_bytes=0,
        declare_length=True,
        aliases=None,
        wrong_records=None,
    ):
        records = load_records() if records is None else records
        self.records = {}
        for rec in records:  # accept messages or whole JSONL objects
            msg = rec["message"] if "message" in rec and "DOI" not in rec else rec
            self.records[msg["DOI"].lower()] = msg
        agencies = DEFAULT_OTHER_AGENCIES if other_agencies is None else other_agencies
        self.other_agencies = {k.lower(): v for k, v in agencies.items()}
        self.enforce_limits, self.single_limit, self.list_limit = enforce_limits, single_limit, list_limit
        self.concurrency_limit, self.latency, self.fail_rate = concurrency_limit, latency, fail_rate
        self.hang_rate, self.hang_seconds, self.broken_json_rate = hang_rate, hang_seconds, broken_json_rate
        self.trickle_seconds, self.oversize_bytes = trickle_seconds, oversize_bytes
        self.declare_length = declare_length
        self.aliases = {k.lower(): v for k, v in (aliases or {}).items()}
        self.wrong_records = {k.lower(): v for k, v in (wrong_records or {}).items()}
        self.rng = random.Random(seed)
        self.requests: list[tuple] = []
        self.request_headers: list[dict] = []
        self.count_429 = 0
        self._lock = threading.Lock()
        self._windows = {"single": deque(), "list": deque(), "doi.org": deque()}
        self._in_flight = {"crossref": 0, "doi.org": 0}
        self._stopping = threading.Event()
        self._connections: set = set()
        self._index = {doi: self._doc(msg) for doi, msg in self.records.items()}
        df: dict[str, int] = {}
        for doc in self._index.values():
            for tok in doc[0]:
                df[tok] = df.get(tok, 0) + 1
        self._idf = {tok: math.log(1 + len(self._index) / n) for tok, n in df.items()}
        self._httpd = self._thread = None
        self.url = ""  # "http://127.0.0.1:PORT" once started

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "FakeCrossref":
        self._stopping.clear()
        self._httpd, self._thread, self.url = serve(self, _Handler, "fake-crossref")
        return self

    def stop(self) -> None:
        """Stop promptly: wake hanging handlers and cut open keep-alive connections."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def served(self, doi: str):
        """The record ``/works/{doi}`` answers with: its own, an alias's primary, or a wrong one."""
        doi = doi.lower()
        other = self.wrong_records.get(doi) or self.aliases.get(doi)
        return self.records.get(other.lower()) if other else self.records.get(doi)

    # -- search --------------------------------------------------------------------------------
    @staticmethod
    def _doc(msg):
        title = tokens(" ".join(msg.get("title") or []) + " " + " ".join(msg.get("subtitle") or []))
        people = tokens(" ".join(a.get("family", a.get("name", "")) for a in msg.get("author") or []))
        container = tokens(" ".join((msg.get("container-title") or []) + (msg.get("short-container-title") or [])))
        year = [str((year_of(msg) or [""])[0])]
        return set(title + people + container + year), set(title), set(people)

    def search(self, bibliographic: str, author: str, year_from=None, year_until=None) -> list[tuple]:
        """Rank records by idf-weighted token overlap, scaled by how much of the title matched."""
        q_bib, q_auth = set(tokens(bibliographic)), set(tokens(author))
        hits = []
        for doi, (doc, title, people) in self._index.items():
            if not in_years(self.records[doi], year_from, year_until):
                continue
            score = sum(self._idf[t] for t in q_bib & doc) + sum(self._idf[t] for t in q_auth & people)
            if q_bib and title:
                score *= 0.5 + 0.5 * len(q_bib & title) / len(title)
            if score > 0:
                hits.append((round(score * 10, 3), doi))
        hits.sort(key=lambda h: (-h[0], h[1]))
        return hits

    # -- limits and faults ---------------------------------------------------------------------
    def limits_for(self, bucket: str) -> dict:
        limit = {"single": self.single_limit, "list": self.list_limit}.get(bucket, self.single_limit)
        return {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-interval": "1s",
            "x-concurrency-limit": str(self.concurrency_limit),
        }

    def admit(self, bucket: str, api: str) -> bool:
        """Record the request in its sliding 1-s window; False means answer 429."""
        now = time.monotonic()
        with self._lock:
            window = self._windows[bucket]
            while window and now - window[0] >= 1.0:
                window.popleft()
            limit = int(self.limits_for(bucket)["x-rate-limit-limit"])
            if self.enforce_limits and (len(window) >= limit or self._in_flight[api] >= self.concurrency_limit):
                self.count_429 += 1
                return False
            window.append(now)
            self._in_flight[api] += 1
            return True

    def release(self, api: str) -> None:
        with self._lock:
            self._in_flight[api] -= 1

    def draw(self) -> tuple[bool, bool, bool]:
        with self._lock:
            r = [self.rng.random() for _ in range(3)]
        return r[0] < self.hang_rate, r[1] < self.fail_rate, r[2] < self.broken_json_rate


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeCrossref/1.0"

    def log_message(self, *args):  # keep test output quiet
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle stalls on keep-alive
        with self.server.fake._lock:
            self.server.fake._connections.add(self.connection)

    def finish(self):
        with self.server.fake._lock:
            self.server.fake._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def do_GET(self):
        fake = self.server.fake
        split = urlsplit(self.path)
        raw_path, query = split.path, dict(parse_qsl(split.query, keep_blank_values=True))
        with fake._lock:
            fake.requests.append(("GET", unquote(raw_path), query, time.monotonic()))
            fake.request_headers.append(dict(self.headers))
        bucket, api = self._bucket(raw_path)
        headers = fake.limits_for(bucket)
        if not fake.admit(bucket, api):
            return self._send(429, b"Too many requests", "text/plain", {**headers, "Retry-After": "1"})
        try:
            hang, fail, broken = fake.draw()
            delay = fake.latency + (fake.hang_seconds if hang else 0)
            if delay and fake._stopping.wait(delay):
                self.close_connection = True
                return
            if fail:
                return self._send(503, b"Service Unavailable", "text/plain", headers)
            try:
                status, body, ctype, extra = self._route(raw_path, query)
            except ValueError as exc:  # e.g. rows=abc: Crossref answers 400 too
                status, body, ctype, extra = 400, str(exc).encode(), "text/plain", {}
            if broken:
                body = body[: max(1, len(body) // 2)]
                status, ctype = 200, "application/json"
            if fake.oversize_bytes > len(body):
                body += b" " * (fake.oversize_bytes - len(body))  # still valid JSON
            self._send(status, body, ctype, {**headers, **extra})
        finally:
            fake.release(api)

    @staticmethod
    def _bucket(path):
        if path.startswith("/works/") or path == "/works":
            return ("list" if path.rstrip("/") == "/works" else "single"), "crossref"
        return "doi.org", "doi.org"

    def _send(self, status, body, ctype, headers):
        fake = self.server.fake
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if fake.declare_length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if not fake.trickle_seconds:
                for start in range(0, len(body), 1 << 16):
                    self.wfile.write(body[start : start + (1 << 16)])
                return
            self.wfile.flush()
            for i in range(len(body)):  # one byte at a time, until the client gives up
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                if fake._stopping.wait(fake.trickle_seconds):
                    self.close_connection = True
                    return
        except OSError:
            self.close_connection = True

    # -- routing -------------------------------------------------------------------------------
    def _route(self, path, query):
        fake = self.server.fake
        not_found = (404, b"Resource not found.", "text/plain", {})
        if path.rstrip("/") == "/works":
            return self._work_list(query)
        if path.startswith("/works/"):
            rest = path[len("/works/") :]
            if rest.endswith("/agency"):
                doi = unquote(rest[: -len("/agency")])
                agency = "crossref" if fake.served(doi) else fake.other_agencies.get(doi.lower())
                if not agency:
                    return not_found
                return _json(
                    {
                        "status": "ok",
                        "message-type": "work-agency",
                        "message": {
                            "DOI": doi.lower(),
                            "agency": {"id": agency, "label": AGENCY_LABELS.get(agency, agency)},
                        },
                    }
                )
            doi, _, transform = rest.partition("/transform/")
            msg = fake.served(unquote(doi))
            if msg is None:
                return not_found
            if transform:
                return self._negotiate(msg, unquote(transform)) or (404, b"Resource not found.", "text/plain", {})
            return _json({"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": msg})
        if path.startswith("/api/handles/"):
            doi = unquote(path[len("/api/handles/") :])
            if not fake.served(doi) and doi.lower() not in fake.other_agencies:
                return (404, *_json({"responseCode": 100, "handle": doi})[1:])
            primary = fake.aliases.get(doi.lower())
            if primary:  # Crossref's aliasing: the alias resolves to doi.org/<primary>
                return _json(
                    {
                        "responseCode": 1,
                        "handle": doi,
                        "values": [
                            {
                                "index": 1,
                                "type": "URL",
                                "data": {"format": "string", "value": f"https://doi.org/{primary}"},
                                "ttl": 86400,
                                "timestamp": "2020-01-01T00:00:00Z",
                            },
                            {
                                "index": 2,
                                "type": "HS_ALIAS",
                                "data": {"format": "string", "value": primary},
                                "ttl": 86400,
                                "timestamp": "2020-01-01T00:00:00Z",
                            },
                        ],
                    }
                )
            target = (fake.records.get(doi.lower()) or {}).get("URL") or f"{fake.url}/landing/{doi}"
            return _json(
                {
                    "responseCode": 1,
                    "handle": doi,
                    "values": [
                        {
                            "index": 1,
                            "type": "URL",
                            "data": {"format": "string", "value": target},
                            "ttl": 86400,
                            "timestamp": "2020-01-01T00:00:00Z",
                        }
                    ],
                }
            )
        if path.startswith("/landing/"):
            return 200, b"<html><body>landing page</body></html>", "text/html", {}
        doi = unquote(path.lstrip("/"))
        if doi.lower() not in fake.records and doi.lower() not in fake.other_agencies:
            return 404, json.dumps({"responseCode": 100, "handle": doi}).encode(), "application/json", {}
        msg = fake.records.get(doi.lower())
        for accept in (a.split(";")[0].strip() for a in self.headers.get("Accept", "").split(",")):
            answer = msg and self._negotiate(msg, accept)
            if answer:
                return answer
        return 302, b"", "text/html", {"Location": f"/landing/{doi}"}  # stays on loopback

    @staticmethod
    def _negotiate(msg, mime):
        if mime in ("application/x-bibtex", "text/x-bibtex"):
            return 200, bibtex(msg).encode(), "application/x-bibtex; charset=utf-8", {}
        if mime in ("application/vnd.citationstyles.csl+json", "application/citeproc+json"):
            status, body, _, _ = _json(msg)
            return status, body, "application/vnd.citationstyles.csl+json", {}
        return None

    def _work_list(self, query):
        fake = self.server.fake
        rows, offset = int(query.get("rows", 20)), int(query.get("offset", 0))
        dois, year_from, year_until, relation = [], None, None, {}
        for flt in filter(None, query.get("filter", "").split(",")):
            name, _, value = flt.partition(":")
            if name == "doi":
                dois.append(value.lower())
            elif name in ("from-pub-date", "until-pub-date"):
                year = int(value[:4])
                year_from, year_until = (year, year_until) if name == "from-pub-date" else (year_from, year)
            elif name in ("relation.type", "relation.object"):
                relation[name] = value.lower()
            else:
                return _json(
                    {
                        "status": "failed",
                        "message-type": "validation-failure",
                        "message": [
                            {
                                "type": "filter-not-available",
                                "value": name,
                                "message": f"Filter {name} specified but " "there is no such filter for this route.",
                            }
                        ],
                    },
                    status=400,
                )
        bib, author = query.get("query.bibliographic", ""), query.get("query.author", "")
        if bib or author:
            scored = fake.search(bib, author, year_from, year_until)
            items = [dict(fake.records[d], score=s) for s, d in scored if not dois or d in dois]
        else:  # an alias or wrongly answered DOI brings the record it is answered with
            served = [fake.served(d) for d in dois] if dois else list(fake.records.values())
            unique = {m["DOI"].lower(): m for m in served if m}
            items = [m for m in unique.values() if in_years(m, year_from, year_until)]
        if relation:
            kind, obj = relation.get("relation.type"), relation.get("relation.object")
            items = [m for m in items if related(m, kind, obj)]
        select = [f for f in query.get("select", "").split(",") if f]
        if select:
            items = [{k: v for k, v in m.items() if k in select or k in ("DOI", "score")} for m in items]
        return _json(
            {
                "status": "ok",
                "message-type": "work-list",
                "message-version": "1.0.0",
                "message": {
                    "facets": {},
                    "total-results": len(items),
                    "items": items[offset : offset + rows],
                    "items-per-page": rows,
                    "query": {"start-index": offset, "search-terms": bib or author or None},
                },
            }
        )


def _json(obj, status=200):
    return status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json", {}
