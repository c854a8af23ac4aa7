"""One bounded HTTP exchange: it ends by a wall-clock deadline and reads a capped body.

``requests`` timeouts apply to each socket operation, so a server that answers ``200`` and
then sends one byte a second keeps a plain ``get`` alive for as long as it likes, and a
50 MB body is read to the end. Here every exchange (connect, headers, body) runs under a
watchdog that shuts the socket down when the exchange's time is up, which wakes any read
blocked on it; the body is streamed and abandoned past ``max_bytes``. Name resolution comes
before there is a socket and cannot be interrupted, so a new connection first resolves its
host on a helper thread and stops waiting for it when the exchange's time is up.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

MAX_BODY_BYTES = 4 * 1024 * 1024  # Crossref answers in kilobytes; a few MB is already absurd
CHUNK = 64 * 1024

_current = threading.local()  # the watchdog of the exchange running on this thread


class BodyTooLarge(requests.RequestException):
    """The body (declared or read so far) is larger than the exchange allows."""


class _Watchdog:
    """Shuts down the sockets of one exchange once its time is up."""

    def __init__(self, seconds: float):
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.fired = False
        self.ends_at = time.monotonic() + max(0.0, seconds)
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> "_Watchdog":
        self._previous = getattr(_current, "watchdog", None)
        _current.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _current.watchdog = self._previous

    def remaining(self) -> float:
        return max(0.0, self.ends_at - time.monotonic())

    def watch(self, sock) -> None:
        with self._lock:
            if sock is not None and sock not in self._sockets:
                self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass  # already closed: nothing is blocked on it


def _resolve_within(host: str, port: int, seconds: float) -> None:
    """Raise ``socket.gaierror`` unless ``host`` resolves within ``seconds``. A lookup still
    running then is left to finish on its daemon thread; nobody waits for it."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return  # an address needs no name server
    except ValueError:
        pass
    outcome: list[OSError | None] = []

    def lookup() -> None:
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(seconds)
    if not outcome:
        raise socket.gaierror(socket.EAI_AGAIN, f"no answer from the name server within {seconds:.1f} s")
    if outcome[0] is not None:
        raise socket.gaierror(*outcome[0].args)


class _Watched:
    """Connection hooks: resolve the host within the exchange's time, and hand the socket
    to the exchange's watchdog before waiting for a response."""

    def _new_conn(self):
        dog = getattr(_current, "watchdog", None)
        if dog is not None:
            try:
                _resolve_within(self._dns_host, self.port, dog.remaining())
            except socket.gaierror as exc:
                raise NameResolutionError(self.host, self, exc) from exc
        return super()._new_conn()

    def getresponse(self):
        dog = getattr(_current, "watchdog", None)
        if dog is not None:
            dog.watch(self.sock)
        return super().getresponse()


class _WatchedConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedHTTPSPool}


def bounded_session() -> requests.Session:
    """A pooled session whose exchanges obey :func:`fetch`'s deadline."""
    session = requests.Session()
    adapter = _WatchedAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def fetch(
    session: requests.Session, url: str, seconds: float, *, params=None, headers=None, max_bytes: int = MAX_BODY_BYTES
) -> tuple[requests.Response, bytes]:
    """GET ``url`` without following redirects: the response (headers, status) and its body.

    The whole exchange ends within ``seconds`` (plus scheduling noise): a read still blocked
    then fails with a ``requests`` connection error. Raises :class:`BodyTooLarge` past
    ``max_bytes``; any other failure is a ``requests.RequestException``.
    """
    with _Watchdog(seconds) as dog:
        try:
            response = session.get(
                url, params=params, headers=headers, timeout=seconds, allow_redirects=False, stream=True
            )
        except requests.RequestException:
            if dog.fired:
                raise requests.Timeout(f"no complete answer within {seconds:.1f} s") from None
            raise
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.strip().isdigit() and int(declared) > max_bytes:
                raise BodyTooLarge(f"body of {declared} bytes exceeds {max_bytes}")
            body = bytearray()
            for chunk in response.iter_content(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise BodyTooLarge(f"body exceeds {max_bytes} bytes")
            if dog.fired:  # a body without a length ends at the shutdown: it is cut, not whole
                raise requests.Timeout(f"no complete answer within {seconds:.1f} s")
            return response, bytes(body)
        except (BodyTooLarge, requests.Timeout):
            raise
        except (requests.RequestException, OSError) as exc:
            if dog.fired:
                raise requests.Timeout(f"no complete answer within {seconds:.1f} s") from None
            if isinstance(exc, OSError):
                raise requests.ConnectionError(str(exc)) from exc
            raise
        finally:
            response.close()
