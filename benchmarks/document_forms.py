"""Diagnostics on the same real articles written in the forms writers use.

    python benchmarks/document_forms.py [FOLDER] [--src DIR] [--show FORM]

The 37 PLOS articles of FOLDER (default ``../shared/data/documents/plos-articles``, CC BY 4.0)
are rewritten, in a temporary folder, into each form below and checked with
``reflint check --offline``. The articles do not change, only how they are written, so every
diagnostic a form draws beyond its source form (``numbered`` or ``author-year``) is a false
alarm that form causes. ``--src`` runs another checkout's ``src`` (e.g. a worktree of an
older commit) on the same forms.

Numbered, from the Markdown as published: ``numbered`` (as is), ``markdown-wrapped`` (hard-wrapped
at 78 columns, list items continued with an indent), ``text-wrapped`` (the same, no indent),
``text-brackets`` (``[12]`` list markers), ``html`` (rendered by markdown-it), ``html-sup``
(citations as ``<sup>12</sup>``), ``unicode-sup`` (Markdown with ``¹²`` glued to the word
before; where that word ends in a digit, ``S178³⁴``, it reads as a power, so this form keeps a
few uncited entries of its own), ``footnotes`` (Markdown footnotes: ``[^12]`` marks, each
entry a ``[^12]: ...`` definition; intervals such as ``[0, 1]`` become marks too, and draw
RL401 as marks with no definition). Author-year, with each citation rebuilt from the gold first
author(s) and year (``(Gattie et al., 2017)``) and the list unnumbered: ``author-year``
(Markdown bullets), ``author-year-html``, ``author-year-text`` (hard-wrapped, entries apart by
blank lines), ``author-year-hanging`` (hard-wrapped with hanging indents, no blank lines).
Citations the gold cannot name (entries it left without fields) stay numbers, so the
author-year forms keep a few uncited entries of their own: compare each with ``author-year``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "documents" / "plos-articles"
_CROSS = re.compile(r"\[(\d{1,4})\]\s*[–—-]\s*\[(\d{1,4})\]")
_GROUP = re.compile(r"\[([\d\s,–—-]{1,80})\]")
_ENTRY = re.compile(r"^(\d{1,4})\. ", re.M)
_PRINTED = re.compile(r"(.+?)\s*(?:\(editors?\))?\s*\((\d{4})[a-z]?\)")
_PERSON = re.compile(r"(.+?) [A-Z]{1,3}$")
NUMBERED = [
    "numbered",
    "markdown-wrapped",
    "text-wrapped",
    "text-brackets",
    "html",
    "html-sup",
    "unicode-sup",
    "footnotes",
]
_SUPERSCRIPT = str.maketrans("0123456789–-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")
AUTHOR_YEAR = ["author-year", "author-year-html", "author-year-text", "author-year-hanging"]


def wrap(text: str, indent: bool) -> str:
    """Hard-wrap every long line at 78 columns, as editors and ``fmt`` do."""
    lines = []
    for line in text.split("\n"):
        if len(line) <= 78 or line.startswith(("|", "#")):
            lines.append(line)
            continue
        marker = re.match(r"\d+\. |- ", line)
        more = " " * len(marker.group()) if marker and indent else ""
        lines += textwrap.wrap(line, 78, subsequent_indent=more, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines)


def html(markdown: str) -> str:
    return "<html><body>\n" + MarkdownIt("commonmark").enable("table").render(markdown) + "</body></html>\n"


def unicode_superscripts(markdown: str) -> str:
    """Each citation group as Unicode superscripts glued to what precedes it: ``shown¹⁻³,⁵``."""
    body, refs = markdown.split("\n## References\n", 1)
    body = _CROSS.sub(lambda m: f"[{m[1]}–{m[2]}]", body)
    body = re.sub(r" ?\[([\d\s,–—-]{1,80})\]", lambda m: re.sub(r"\s", "", m[1]).translate(_SUPERSCRIPT), body)
    return body + "\n## References\n" + refs


def footnotes(markdown: str) -> str:
    """Each cited number as a footnote mark (``[^3][^4]``) and each entry as its definition."""
    body, refs = markdown.split("\n## References\n", 1)
    marks = lambda nums: "".join(f"[^{n}]" for n in nums)  # noqa: E731
    body = _CROSS.sub(lambda m: marks(range(int(m[1]), int(m[2]) + 1)), body)
    body = _GROUP.sub(lambda m: marks(numbers(m[1])), body)
    return body + "\n" + _ENTRY.sub(lambda m: f"[^{m[1]}]: ", refs)


def numbers(spec: str) -> list[int]:
    out: list[int] = []
    for piece in spec.split(","):
        ends = [int(x) for x in re.findall(r"\d+", piece)]
        out += list(range(ends[0], ends[1] + 1)) if len(ends) == 2 and ends[0] <= ends[1] <= ends[0] + 60 else ends
    return out


def cite(gold: dict) -> str | None:
    """``Gattie et al., 2017`` from the gold fields, or from the printed names when the gold
    has none (PLOS left books and reports untagged)."""
    fields = gold["fields"]
    names = [a.get("family") for a in fields["authors"] if a.get("family")]
    year = fields["year"]
    if not names:
        printed = _PRINTED.match(gold["text"])
        if not printed:
            return None
        parts = [p.strip() for p in printed.group(1).split(",") if p.strip() not in ("", "et al.")]
        persons = [_PERSON.match(p) for p in parts]
        names = [m.group(1) for m in persons if m] if all(persons) else [printed.group(1).strip()]
        year = printed.group(2)
    if not names or not year:
        return None
    who = names[0] if len(names) == 1 else f"{names[0]} & {names[1]}" if len(names) == 2 else f"{names[0]} et al."
    return f"{who}, {year}"


def author_year(markdown: str, golds: dict[str, dict]) -> str:
    """The article cited APA-style: each bracket group becomes ``(A, 2001; B, 2002)``."""
    body, refs = markdown.split("\n## References\n", 1)

    def group(nums: list[int], original: str) -> str:
        names = [c for n in nums if str(n) in golds and (c := cite(golds[str(n)]))]
        return "(" + "; ".join(names) + ")" if names else original

    body = _CROSS.sub(lambda m: group(list(range(int(m[1]), int(m[2]) + 1)), m[0]), body)
    body = _GROUP.sub(lambda m: group(numbers(m[1]), m[0]), body)
    return body + "\n## References\n" + _ENTRY.sub("- ", refs)


def text_list(markdown: str, hanging: bool) -> str:
    """Plain text, hard-wrapped; entries apart by blank lines or with hanging indents."""
    body, refs = markdown.split("\n## References\n", 1)
    entries = [line[2:] for line in refs.split("\n") if line.startswith("- ")]
    if hanging:
        listing = "\n".join(textwrap.fill(e, 78, subsequent_indent="    ") for e in entries)
    else:
        listing = "\n\n".join(textwrap.fill(e, 78) for e in entries)
    return wrap(body, False) + "\n\nReferences\n\n" + listing + "\n"


def write_forms(folder: Path, out: Path) -> None:
    golds: dict[str, dict[str, dict]] = collections.defaultdict(dict)
    for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        g = json.loads(line)
        golds[g["citing_doi"]][g["label"]] = g
    for form in NUMBERED + AUTHOR_YEAR:
        (out / form).mkdir()
    for path in sorted(folder.glob("*.md")):
        md = path.read_text(encoding="utf-8")
        ay = author_year(md, golds["10.1371/" + path.stem.split("_", 1)[1]])
        forms = {
            "numbered.md": md,
            "markdown-wrapped.md": wrap(md, True),
            "text-wrapped.txt": wrap(md, False),
            "text-brackets.txt": re.sub(r"(?m)^(\d+)\. ", r"[\1] ", md),
            "html.html": html(md),
            "unicode-sup.md": unicode_superscripts(md),
            "footnotes.md": footnotes(md),
            "html-sup.html": re.sub(r"\[(\d+(?:[–,-]\d+)*)\]", r"<sup>\1</sup>", html(md)),
            "author-year.md": ay,
            "author-year-html.html": html(ay),
            "author-year-text.txt": text_list(ay, hanging=False),
            "author-year-hanging.txt": text_list(ay, hanging=True),
        }
        for name, text in forms.items():
            form, suffix = name.rsplit(".", 1)
            (out / form / f"{path.stem}.{suffix}").write_text(text, encoding="utf-8")


def check(folder: Path, src: Path | None) -> list[dict]:
    env = dict(os.environ, **({"PYTHONPATH": str(src)} if src else {}))
    cmd = [sys.executable, "-m", "reflint", "check", "--offline", "--no-cache", "--format", "json", str(folder)]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if run.returncode not in (0, 1):
        sys.exit(f"reflint failed ({run.returncode}): {run.stderr[-2000:]}")
    return json.loads(run.stdout)["diagnostics"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--src", type=Path, help="the src folder of another checkout to run instead")
    parser.add_argument("--show", metavar="FORM", help="list the diagnostics of one form")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        write_forms(args.folder, Path(tmp))
        results = {form: check(Path(tmp) / form, args.src) for form in NUMBERED + AUTHOR_YEAR}
    codes = sorted({d["code"] for found in results.values() for d in found})
    print(f"{'form':22}" + "".join(f"{c:>7}" for c in codes) + f"{'all':>7}{'extra':>7}")
    for form, found in results.items():
        base = len(results["numbered" if form in NUMBERED else "author-year"])
        count = collections.Counter(d["code"] for d in found)
        cells = "".join(f"{count[c]:>7}" for c in codes)
        print(f"{form:22}{cells}{len(found):>7}{len(found) - base:>+7}")
    if args.show:
        for d in results[args.show]:
            print(f"{Path(d['path']).name}:{d['line']}:{d['column']}: {d['code']} {d['message']}")


if __name__ == "__main__":
    main()
