"""Diagnostics on real reference strings of every style, in the list forms writers use.

    python benchmarks/string_forms.py [DATA_DIR] [--src DIR] [--show FORM]

``document_forms.py`` rewrites 37 PLOS articles, whose lists are all in one house style; this
script does the same with the 10,674 labelled strings of AnyStyle's gold set and GROBID's
citation set (DATA_DIR, default ../shared/data): humanities, physics, computing, law, many
languages, strings from PDFs with their damage. Two sources, each rewritten into forms:

- ``numbered``: every string, 40 to a page, each entry cited once as ``[n]``; then
  ``markdown-wrapped`` (hard-wrapped at 78 columns, items continued with an indent),
  ``text-wrapped`` (no indent), ``text-brackets`` (``[12]`` markers), ``html`` (markdown-it),
  ``html-citeproc`` (the list as pandoc, Quarto and Zotero write it: a ``<div id="refs">`` of
  ``csl-entry`` divs with no heading, each number in its margin box), ``footnotes`` (``[^12]``
  marks and definitions; a definition that does not read as a reference is a note, so fewer
  RL001 there is by design) and ``html-footnotes`` (the same rendered as Hugo does);
- ``author-year``: the strings whose gold first author and year can be read, cited as
  ``(Family et al. YEAR)`` and listed as Markdown bullets (``citation_matching.py``'s pages);
  then ``ay-wrapped``, ``ay-html``, ``ay-html-paragraphs`` (a ``<p>`` an entry),
  ``ay-html-citeproc``, ``ay-html-br`` (one ``<p>``, entries apart by ``<br />``), ``ay-text`` (hard-wrapped, blank lines between entries), ``ay-hanging``
  (hanging indents) and ``ay-numbered`` (a numbered list).

The strings stay the same and only the form changes, so every diagnostic a form draws beyond
its source form is caused by the form: a list split in the wrong places, an entry lost or
made up. ``--src`` runs another checkout's ``src`` on the same pages. Measures and prints;
asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import tempfile
from html import escape
from pathlib import Path

import citation_matching as pages
import document_forms as forms

ROOT = Path(__file__).resolve().parents[1]
PAGE = 40


def numbered_pages(texts: list[str]) -> list[str]:
    """Markdown pages: one sentence citing each entry, then the numbered list."""
    out = []
    for k in range(0, len(texts), PAGE):
        chunk = texts[k : k + PAGE]
        body = "\n\n".join(f"Finding {i + 1} is reported [{i + 1}]." for i in range(len(chunk)))
        entries = "\n".join(f"{i + 1}. {t}" for i, t in enumerate(chunk))
        out.append(f"# Notes\n\n{body}\n\n## References\n\n{entries}\n")
    return out


def with_bibliography(body: str, entries: list[str], numbered: bool) -> str:
    """The prose as HTML, then the list as citeproc writes it (pandoc, Quarto, Zotero): a
    ``<div id="refs">`` of ``csl-entry`` divs with no heading, numbers in a margin box."""

    def entry(i: int, text: str) -> str:
        if numbered:
            text = f'<div class="csl-left-margin">[{i + 1}] </div><div class="csl-right-inline">{escape(text)}</div>'
        else:
            text = escape(text)
        return f'<div id="ref-{i}" class="csl-entry" role="listitem">\n{text}\n</div>\n'

    listing = "".join(entry(i, t) for i, t in enumerate(entries))
    div = f'<div id="refs" class="references csl-bib-body hanging-indent" role="list">\n{listing}</div>\n'
    return forms.html(body).replace("</body></html>", div + "</body></html>")


def html_footnotes(body: str, entries: list[str]) -> str:
    """Each citation a footnote reference and each entry a note, as Hugo renders footnotes."""
    ref = '<sup id="fnref:{0}"><a href="#fn:{0}" class="footnote-ref" role="doc-noteref">{0}</a></sup>'
    body = re.sub(r" ?\[(\d+)\]", lambda m: ref.format(m[1]), body)
    back = '&#160;<a href="#fnref:{0}" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a>'
    notes = "".join(f'<li id="fn:{i}">\n<p>{escape(t)}{back.format(i)}</p>\n</li>\n' for i, t in enumerate(entries, 1))
    section = f'<div class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n{notes}</ol>\n</div>\n'
    return forms.html(body).replace("</body></html>", section + "</body></html>")


def numbered_forms(md: str) -> dict[str, str]:
    body, refs = md.split("\n## References\n", 1)
    entries = [line.split(". ", 1)[1] for line in refs.split("\n") if line[:1].isdigit()]
    return {
        "numbered.md": md,
        "markdown-wrapped.md": forms.wrap(md, True),
        "text-wrapped.txt": forms.wrap(md, False),
        "text-brackets.txt": re.sub(r"(?m)^(\d+)\. ", r"[\1] ", md),
        "html.html": forms.html(md),
        "html-citeproc.html": with_bibliography(body, entries, numbered=True),
        "footnotes.md": forms.footnotes(md),
        "html-footnotes.html": html_footnotes(body, entries),
    }


def author_year_forms(md: str) -> dict[str, str]:
    body, refs = md.split("\n## References\n", 1)
    entries = [line[2:] for line in refs.split("\n") if line.startswith("- ")]
    numbered = "\n".join(f"{i + 1}. {e}" for i, e in enumerate(entries))
    paragraphs = "".join(f"<p>{escape(e)}</p>\n" for e in entries)
    lines = "<br />".join(map(escape, entries))
    return {
        "author-year.md": md,
        "ay-wrapped.md": forms.wrap(md, True),
        "ay-html.html": forms.html(md),
        "ay-html-paragraphs.html": forms.html(body + "\n## References\n").replace("</body>", paragraphs + "</body>"),
        "ay-html-citeproc.html": with_bibliography(body, entries, numbered=False),
        "ay-html-br.html": forms.html(body).replace("</body>", f"<p><b>References:</b></p>\n<p>{lines}</p>\n</body>"),
        "ay-text.txt": forms.text_list(md, hanging=False),
        "ay-hanging.txt": forms.text_list(md, hanging=True),
        "ay-numbered.md": f"{body}\n## References\n\n{numbered}\n",
    }


def write(folder: Path, data: Path) -> list[str]:
    """Write every form's pages under ``folder``; the form names, sources first."""
    sources = pages.load(data)
    texts = [pages.entry_text(row) for rows in sources.values() for row in rows]
    with tempfile.TemporaryDirectory() as tmp:
        pages.write_pages(Path(tmp), "ay", [case for found in pages.cases(sources).values() for case in found])
        author_year = [p.read_text(encoding="utf-8") for p in sorted(Path(tmp).glob("*.md"))]
    names: list[str] = []
    for source, make in ((numbered_pages(texts), numbered_forms), (author_year, author_year_forms)):
        for n, md in enumerate(source):
            for name, text in make(md).items():
                form, suffix = name.rsplit(".", 1)
                (folder / form).mkdir(exist_ok=True)
                (folder / form / f"page-{n:03d}.{suffix}").write_text(text, encoding="utf-8")
                if form not in names:
                    names.append(form)
    return names


def extra(found: list[dict], base: list[dict]) -> list[dict]:
    """The diagnostics of ``found`` beyond those its source form drew on the same page."""
    left = collections.Counter((Path(d["path"]).stem, d["code"]) for d in base)
    out = []
    for d in found:
        key = (Path(d["path"]).stem, d["code"])
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append(d)
    return out


def source(form: str) -> str:
    return "author-year" if form.startswith(("author-year", "ay-")) else "numbered"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--src", type=Path, help="the src folder of another checkout to run instead")
    parser.add_argument("--show", metavar="FORM", help="list the diagnostics a form draws beyond its source")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        names = write(Path(tmp), args.data)
        results = {form: forms.check(Path(tmp) / form, args.src) for form in names}
        codes = sorted({d["code"] for found in results.values() for d in found})
        print(f"{'form':20}" + "".join(f"{c:>7}" for c in codes) + f"{'all':>7}{'extra':>7}")
        for form, found in results.items():
            count = collections.Counter(d["code"] for d in found)
            cells = "".join(f"{count[c]:>7}" for c in codes)
            print(f"{form:20}{cells}{len(found):>7}{len(found) - len(results[source(form)]):>+7}")
        if args.show:
            for d in extra(results[args.show], results[source(args.show)]):
                text = Path(d["path"]).read_text(encoding="utf-8").splitlines()[d["line"] - 1]
                print(f"  {Path(d['path']).name}:{d['line']} {d['code']} {d['message'][:70]}  |  {text[:100]}")


if __name__ == "__main__":
    sys.exit(main())
