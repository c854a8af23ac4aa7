"""``reflint refs``: show what was understood, one item per extracted reference."""

from __future__ import annotations

import json

from reflint.bibtex import to_bibtex
from reflint.models import Fields, Author
from reflint.text import printable

SCHEMA_VERSION = 1


def _items(result):
    """Reference entries, in-text citations and DOIs outside any entry, in document order."""
    doc, ex = result.doc, result.extraction
    for ref in ex.references:
        yield ref.start, "list-entry", ref.text, ref.fields, ref.key, to_bibtex([ref]).strip()
    for cit in ex.citations:
        fields = Fields(authors=[Author(a) for a in cit.authors], year=cit.year)
        yield cit.start, "in-text", cit.text, fields, (cit.keys or [None])[0], None
    attached = {id(m) for r in ex.references for m in r.dois}
    for m in ex.dois:
        if id(m) not in attached:
            yield m.start, "identifier", doc.text[m.start : m.end], Fields(doi=m.doi), None, None


def reference_dicts(files) -> list[dict]:
    out = []
    for result in files:
        for start, kind, text, fields, key, bibtex in sorted(_items(result), key=lambda i: i[0]):
            line, column = result.doc.position(start)
            out.append(
                {
                    "path": result.doc.path,
                    "line": line,
                    "column": column,
                    "kind": kind,
                    "text": text,
                    "fields": fields.to_dict(),
                    "key": key,
                    "bibtex": bibtex,
                }
            )
    return out


def render_refs(files, fmt: str) -> str:
    items = reference_dicts(files)
    if fmt == "json":
        return json.dumps({"version": SCHEMA_VERSION, "references": items}, indent=2, ensure_ascii=False)
    lines = []
    for item in items:
        f = item["fields"]
        authors = "; ".join(f"{a['family']} {a['given']}".strip() for a in f["authors"])
        lines.append(
            f"{item['path']}:{item['line']}:{item['column']}: {item['kind']}"
            f"{'  ' + item['key'] if item['key'] else ''}"
        )
        lines.append(f"  {item['text']}")
        shown = {"authors": authors, **{k: v for k, v in f.items() if k != "authors"}}
        lines.extend(f"    {k}: {v}" for k, v in shown.items() if v)
        if item["bibtex"]:
            lines.extend("    " + b for b in item["bibtex"].splitlines())
        lines.append("")
    lines.append(f"{len(items)} item(s).")
    return "\n".join(printable(line) for line in lines)
