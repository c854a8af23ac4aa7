"""Paths in, ``Document`` objects out; fixed text back to disk without losing anything.

Decoding records the encoding, BOM and newline style so that writing a document back
reproduces the original bytes wherever the text was not edited.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from reflint import writeback
from reflint.html_text import visible_text
from reflint.models import Document

SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".qmd": "markdown",
    ".rmd": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".bib": "bibtex",
}
BOMS = {  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
}
_SNIFF = 8192
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\f\r\b\x1b") + b"\x7f"


class DocumentError(Exception):
    """A file that cannot be read or written; ``str()`` names the file and what to do."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def posix(path: str | os.PathLike) -> str:
    return Path(path).as_posix()


def display_path(path: str | os.PathLike) -> str:
    """The path as the user should see it: relative to cwd when inside it, posix slashes."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.getcwd()).as_posix()
    except ValueError:
        return posix(path)


def _is_binary(data: bytes) -> bool:
    head = data[:_SNIFF]
    if b"\x00" in head:
        return True
    return bool(head) and len(head) - len(head.translate(None, _CONTROL)) > len(head) * 0.1


def decode(data: bytes, kind: str = "text") -> tuple[str, str, bool] | None:
    """``(text, encoding, bom)`` such that re-encoding gives ``data`` back; None if binary."""
    for encoding, bom in BOMS.items():
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding, True
            except UnicodeDecodeError:
                break  # a BOM followed by garbage: judge it like any other bytes
    if _is_binary(data):
        return None
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    if kind == "html" and (m := _META_CHARSET.search(data[:_SNIFF])):
        try:
            encoding = codecs.lookup(m.group(1).decode("ascii")).name
            text = data.decode(encoding)
            if text.encode(encoding) == data:  # some codecs do not round-trip every byte
                return text, encoding, False
        except (LookupError, UnicodeError):
            pass
    try:
        return data.decode("cp1252"), "cp1252", False
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", False  # total: every byte is a character


def detect_newline(text: str) -> str:
    """The dominant line break ("\\n" on ties or when there is none)."""
    crlf = text.count("\r\n")
    cr, lf = text.count("\r") - crlf, text.count("\n") - crlf
    if crlf > lf and crlf >= cr:
        return "\r\n"
    return "\r" if cr > lf and cr > crlf else "\n"


def from_text(text: str, path: str = "<string>", kind: str | None = None) -> Document:
    """A ``Document`` for text already in memory (tests, stdin, re-checking fixed text)."""
    if kind is None:
        kind = SUFFIXES.get(os.path.splitext(path)[1].lower(), "text")
    doc = Document(path=path, text=text, kind=kind, newline=detect_newline(text))
    if kind == "html":
        doc.plain, doc.source_starts, doc.source_ends = visible_text(text)
    return doc


def load(path: Path, display: str | None = None) -> Document:
    """Read and decode one file. ``doc.file`` keeps the real path for :func:`write`."""
    shown = display if display is not None else display_path(path)
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
    except FileNotFoundError:
        raise DocumentError(shown, "no such file or directory - check the path") from None
    except IsADirectoryError:
        raise DocumentError(shown, "is a directory - pass files or directories to walk") from None
    except OSError as exc:
        raise DocumentError(shown, f"cannot read ({exc.strerror}) - check the file's permissions") from None
    kind = SUFFIXES.get(os.path.splitext(path)[1].lower(), "text")
    decoded = decode(data, kind)
    if decoded is None:
        raise DocumentError(shown, "binary file, skipped - pass text files only")
    text, encoding, bom = decoded
    doc = from_text(text, shown, kind)
    doc.encoding, doc.bom = encoding, bom
    doc.file = os.path.abspath(path)
    doc._stamp = (st.st_mtime_ns, st.st_size)
    return doc


def encode(doc: Document, text: str) -> bytes:
    """Bytes for ``text`` in the document's encoding and BOM; DocumentError if impossible."""
    try:
        data = text.encode(doc.encoding)
    except UnicodeEncodeError as exc:
        line, column = Document(doc.path, text).position(exc.start)
        raise DocumentError(
            doc.path,
            f"{text[exc.start]!r} at {line}:{column} cannot be written in {doc.encoding}"
            " - convert the file to UTF-8 or fix by hand",
        ) from None
    return BOMS.get(codecs.lookup(doc.encoding).name, b"") + data if doc.bom else data


def write(doc: Document, new_text: str) -> None:
    """Replace the document's file with ``new_text``, never leaving a partial file.

    An ordinary file is replaced atomically; a hard-linked one is rewritten in place with a
    backup (see :mod:`reflint.writeback`), so its other names see the fix too. Symbolic
    links are written through. Refuses, leaving the file untouched, when it vanished,
    changed on disk since it was loaded, is read-only (also for root: no write bits means
    "do not touch"), or when the text cannot be encoded.
    """
    data = encode(doc, new_text)
    target = os.path.realpath(getattr(doc, "file", None) or doc.path)  # write through symlinks
    try:
        st = os.stat(target)
    except FileNotFoundError:
        raise DocumentError(doc.path, "file vanished before it could be fixed - check it and run again") from None
    except OSError as exc:
        raise DocumentError(doc.path, f"cannot write ({exc.strerror}) - check the path") from None
    stamp = getattr(doc, "_stamp", None)
    if stamp is not None and stamp != (st.st_mtime_ns, st.st_size):
        raise DocumentError(doc.path, "changed on disk since it was read, not fixed - run again")
    if not os.access(target, os.W_OK) or not st.st_mode & 0o222:
        raise DocumentError(doc.path, "permission denied - make it writable or run without --fix")
    try:
        if st.st_nlink > 1:
            with open(target, "rb") as fh:
                original = fh.read()
            writeback.rewrite_in_place(target, data, original)
        else:
            writeback.replace(target, data, st)
    except writeback.InPlaceError as exc:
        raise DocumentError(
            doc.path,
            f"{exc.strerror}; the fix is half written and the original text is in "
            f"{display_path(exc.backup)} - restore it by hand",
        ) from None
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
        raise DocumentError(
            doc.path, f"{reason}, file left unchanged - make it writable or run without --fix"
        ) from None
    new = os.stat(target)
    doc._stamp = (new.st_mtime_ns, new.st_size)  # a second write with the same doc is legitimate
