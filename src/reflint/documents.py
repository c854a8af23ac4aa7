"""Paths in, ``Document`` objects out; fixed text back to disk without losing anything.

Decoding records the encoding, BOM and newline style so that writing a document back
reproduces the original bytes wherever the text was not edited.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import tempfile
from pathlib import Path

import pathspec

from reflint.html_text import visible_text
from reflint.models import Document

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".qmd": "markdown", ".rmd": "markdown",
            ".txt": "text", ".html": "html", ".htm": "html", ".bib": "bibtex"}
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages"})  # plus every hidden dir
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


def _posix(path: str | os.PathLike) -> str:
    return Path(path).as_posix()


def _display(path: str | os.PathLike) -> str:
    """The path as the user should see it: relative to cwd when inside it, posix slashes."""
    try:
        return Path(os.path.abspath(path)).relative_to(os.getcwd()).as_posix()
    except ValueError:
        return _posix(path)


def _compile(patterns, what: str) -> pathspec.PathSpec | None:
    if not patterns:
        return None
    try:
        return pathspec.GitIgnoreSpec.from_lines(list(patterns))
    except (ValueError, re.error) as exc:
        raise DocumentError(f"<{what}>", f"invalid glob pattern ({exc}) - fix the {what} setting") from None


def _gitignore(directory: str, notes: list[str]) -> pathspec.PathSpec | None:
    path = os.path.join(directory, ".gitignore")
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return pathspec.GitIgnoreSpec.from_lines(fh.read().splitlines())
    except (OSError, ValueError, re.error) as exc:
        notes.append(f"{_display(path)}: not used ({exc}) - fix or remove it")
        return None


def _ignored(path: str, is_dir: bool, specs: list[tuple[str, pathspec.PathSpec]]) -> bool:
    """Git's rule: the deepest .gitignore with a matching pattern decides."""
    for base, spec in reversed(specs):
        rel = os.path.relpath(path, base).replace(os.sep, "/") + ("/" if is_dir else "")
        verdict = spec.check_file(rel).include
        if verdict is not None:
            return verdict
    return False


def _ancestor_specs(root: str, notes: list[str]) -> list[tuple[str, pathspec.PathSpec]]:
    """.gitignore files above ``root`` up to the enclosing git repository (none outside one)."""
    chain, d = [], root
    while not os.path.exists(os.path.join(d, ".git")):
        parent = os.path.dirname(d)
        if parent == d:
            return []
        chain.append(d := parent)
    specs = [(d, s) for d in reversed(chain) if (s := _gitignore(d, notes))]
    return [] if _ignored(root, True, specs) else specs  # an ignored dir named explicitly is wanted


def discover(
    paths: list[str],
    include: list[str] = (),
    exclude: list[str] = (),
    respect_gitignore: bool = True,
    *,
    root: str | os.PathLike | None = None,
    force_exclude: bool = False,
) -> tuple[list[Path], list[str]]:
    """Expand ``paths`` into the sorted, unique files to lint, plus notes for the user.

    Directories are walked for known suffixes, skipping hidden dirs, ``node_modules`` and
    whatever ``.gitignore``/``exclude`` ignore; ``include`` (if given) must match too. Files
    named explicitly are always taken if their type is known (ruff's rule), unless
    ``force_exclude`` applies ``exclude`` to them as well (useful for pre-commit). Patterns
    are gitignore-style, relative to ``root`` (default: cwd), or to the walked directory
    for files outside ``root``. Returned paths are absolute.
    """
    inc, exc = _compile(include, "include"), _compile(exclude, "exclude")
    base = os.path.abspath(root if root is not None else os.getcwd())
    found: set[str] = set()
    notes: list[str] = []

    def matches(spec, path: str, walk_root: str, is_dir: bool) -> bool:
        rel = os.path.relpath(path, base)
        if rel == os.pardir or rel.startswith(os.pardir + os.sep):
            rel = os.path.relpath(path, walk_root)
        return spec.match_file(rel.replace(os.sep, "/") + ("/" if is_dir else ""))

    def walk(top: str) -> None:
        stack = [(top, _ancestor_specs(top, notes) if respect_gitignore else [])]
        while stack:
            directory, specs = stack.pop()
            try:
                with os.scandir(directory) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as err:
                notes.append(f"{_display(directory)}: cannot list ({err.strerror}) - check its permissions")
                continue
            if respect_gitignore and (spec := _gitignore(directory, notes)):
                specs = specs + [(directory, spec)]
            for entry in entries:
                is_dir = entry.is_dir(follow_symlinks=False)  # symlinked dirs are not followed (cycles)
                if is_dir:
                    wanted = not (entry.name.startswith(".") or entry.name in SKIP_DIRS)
                elif entry.is_file():
                    wanted = os.path.splitext(entry.name)[1].lower() in SUFFIXES
                else:
                    continue
                if not wanted or _ignored(entry.path, is_dir, specs) or (exc and matches(exc, entry.path, top, is_dir)):
                    continue
                if is_dir:
                    stack.append((entry.path, specs))
                elif inc is None or matches(inc, entry.path, top, False):
                    found.add(entry.path)

    for given in paths:
        path = os.path.abspath(given)
        shown = _posix(given)
        if os.path.isdir(path):
            walk(path)
        elif os.path.isfile(path):
            if os.path.splitext(path)[1].lower() not in SUFFIXES:
                known = ", ".join(SUFFIXES)
                notes.append(f"{shown}: skipped: unknown file type - reflint reads {known}")
            elif not (force_exclude and exc and matches(exc, path, os.path.dirname(path), False)):
                found.add(path)
        elif os.path.lexists(path) and not os.path.exists(path):
            notes.append(f"{shown}: broken symbolic link - fix or remove the link")
        elif os.path.exists(path):
            notes.append(f"{shown}: not a regular file, skipped - pass files or directories")
        else:
            notes.append(f"{shown}: no such file or directory - check the path")
    return [Path(p) for p in sorted(found)], notes


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
                return data[len(bom):].decode(encoding), encoding, True
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
    shown = display if display is not None else _display(path)
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
    """Atomically replace the document's file with ``new_text`` (temp file, fsync, rename).

    Refuses, leaving the file untouched, when it vanished, changed on disk since it was
    loaded, is read-only (also for root: no write bits means "do not touch"), or when the
    text cannot be encoded.
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
    directory, name = os.path.split(target)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".reflint-tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass  # not permitted for non-root; the file is ours then anyway
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
        raise DocumentError(doc.path, f"{reason}, file left unchanged - make it writable or run without --fix") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    new = os.stat(target)
    doc._stamp = (new.st_mtime_ns, new.st_size)  # a second write with the same doc is legitimate
