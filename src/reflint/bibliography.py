"""The bibliography a Pandoc or Quarto page names in its front matter, and the keys it holds.

``bibliography: refs.bib`` (or a list of files, BibTeX or CSL JSON/YAML) is where pandoc looks
up every ``[@key]``; reflint reads the same files so that a key pandoc would not find is
reported before the page is rendered. A page *owns* its bibliography when the file sits in
the page's own folder and no other page lives there (a Quarto post and its ``index.bib``):
only then can an entry nobody cites be blamed on the page.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from reflint.models import Document

_FRONT = re.compile(r"---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t\r]*$", re.S | re.M)
_BIB_KEY = re.compile(r"@[ \t]*(?!comment\b|string\b|preamble\b)\w+[ \t]*[{(][ \t\r\n]*([^,\s{}()]+)[ \t\r\n]*,", re.I)
_PAGES = (".md", ".markdown", ".qmd", ".rmd")


@dataclass
class Bibliography:
    keys: dict[str, str] = field(default_factory=dict)  # key -> file it is in
    span: tuple[int, int] = (0, 0)  # the ``bibliography:`` line in the front matter
    owned: bool = False
    nocite: frozenset[str] = frozenset()  # "@*" cites everything
    notes: list[str] = field(default_factory=list)
    readable: bool = True  # False: a named file is missing or broken, so no key can be judged


def named_bibliography(doc: Document) -> Bibliography | None:
    """The bibliography ``doc``'s front matter names, or None (none named, or one unreadable)."""
    front = _FRONT.match(doc.text)
    if not front or not doc.file:
        return None
    try:
        meta = yaml.safe_load(front.group(1))
    except yaml.YAMLError:
        return None
    files = meta.get("bibliography") if isinstance(meta, dict) else None
    files = [files] if isinstance(files, str) else files
    if not files or not all(isinstance(f, str) for f in files):
        return None
    line = re.search(r"(?m)^bibliography[ \t]*:.*$", doc.text[: front.end()])
    out = Bibliography(span=line.span() if line else (0, 3))
    folder = os.path.dirname(doc.file)
    for name in files:
        path = os.path.join(folder, name)
        try:
            keys = _keys(path, os.stat(path).st_mtime_ns)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            out.notes.append(
                f"bibliography {name} named in the front matter cannot be read "
                f"({exc}); its citation keys were not checked"
            )
            out.readable = False
            return out
        out.keys.update((k, name) for k in keys)
    out.owned = all(
        os.path.dirname(os.path.abspath(os.path.join(folder, f))) == os.path.abspath(folder) for f in files
    ) and _only_page(folder)
    nocite = meta.get("nocite") if isinstance(meta, dict) else None
    out.nocite = (
        frozenset(re.findall(r"@([\w*][\w:.#$%&+?<>~/-]*)", nocite)) if isinstance(nocite, str) else frozenset()
    )
    return out


@lru_cache(maxsize=256)
def _keys(path: str, mtime: int) -> frozenset[str]:
    """Citation keys of a BibTeX, CSL JSON or CSL YAML file (``mtime`` keys the cache)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    if path.lower().endswith(".json"):
        return frozenset(str(item["id"]) for item in json.loads(text) if isinstance(item, dict) and "id" in item)
    if path.lower().endswith((".yaml", ".yml")):
        data = yaml.safe_load(text) or {}
        items = data.get("references", []) if isinstance(data, dict) else data
        return frozenset(str(item["id"]) for item in items if isinstance(item, dict) and "id" in item)
    return frozenset(_BIB_KEY.findall(text))


def _only_page(folder: str) -> bool:
    try:
        return sum(name.lower().endswith(_PAGES) for name in os.listdir(folder)) == 1
    except OSError:
        return False


def outside_state(doc: Document) -> str:
    """What a page's diagnostics depend on beyond its own text: its bibliography files (size
    and modification time) and whether it is alone in its folder. Caches of a page's results
    key on it, so an edited ``index.bib`` is read again."""
    if doc.kind != "markdown" or not doc.file or not doc.text.startswith("---"):
        return ""
    front = _FRONT.match(doc.text)
    if not front or "bibliography" not in front.group(1):
        return ""
    folder = os.path.dirname(doc.file)
    state = [str(_only_page(folder))]
    for name in re.findall(r"[^\s'\"\[\],:]+\.(?:bib|json|ya?ml)\b", front.group(1)):
        try:
            info = os.stat(os.path.join(folder, name))
            state.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
        except OSError:
            state.append(f"{name}:missing")
    return "|".join(state)
