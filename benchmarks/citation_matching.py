"""False RL401/RL402 alarms when author-year citations meet real reference strings (and RL001).

    python benchmarks/citation_matching.py [DATA_DIR] [--show]

Each labelled string of AnyStyle's gold set and of GROBID's citation set (DATA_DIR, default
../shared/data) whose gold first author and year can be read without guessing becomes an
entry of a Markdown reference list, 40 to a page, and the page's prose cites every entry once
as ``(Family YEAR)`` or ``(Family et al. YEAR)`` from the gold fields. Every citation has its
entry and every entry its citation, so each RL401 ("matches no entry") and RL402 ("never
cited") that ``reflint check --offline`` reports is a false alarm, unless the gold itself is
odd: ``--show`` lists them to read (a gold year that differs from the string's, a family
name this script cut wrong).

A second table holds the same pages with the citations written in other forms writers use
(``(Gattie et al., 2017)``, ``Gattie et al. (2017)``, ``Gattie et al.'s (2017)``, with a page
locator, after "e.g.,"): the entries do not change, so a form that draws more is read worse.

A third table counts RL001 ("no recognisable author, year or title") over every string of
both sets in uncited lists: GROBID's strings come from PDFs, and some are fragments no reader
could find (a meeting, a journal name alone) while others are complete physics-style locators
(``Rev. Mod. Phys. 24, 258 (1952)``); ``--show`` lists them. Measures and prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = 40


def first_family(author: str | list) -> str | None:
    """The gold first author's family name, when its shape says which word that is."""
    a = (author[0] if isinstance(author, list) else author).strip()
    if re.match(r"^[^\W\d_][\w'’ -]+,\s*[A-Z]", a):  # Family, I.
        family = a.split(",")[0].strip()
    elif m := re.match(r"^(?:[A-Z]\.[\s-]*)+([A-Z][\w'’-]+)(?:,|\s+and\b|\s*$)", a):  # J. P. Collman
        family = m.group(1)
    elif m := re.match(r"^([A-Z][a-z][\w'’-]+)\s+[A-Z]{1,3}\b", a):  # Gattie E
        family = m.group(1)
    else:
        return None
    return family if len(family) > 2 and not family.isupper() else None


SOURCES = {"anystyle": "anystyle-gold.jsonl", "grobid": "grobid-citations.jsonl"}
_NUMBERING = re.compile(r"^\s*(?:\[\d+\]|\d{1,3}\.?)\s+")


def load(data: Path) -> dict[str, list[dict]]:
    """Every labelled row of both sets, by source."""
    return {name: [json.loads(line) for line in open(data / file, encoding="utf-8")] for name, file in SOURCES.items()}


def entry_text(row: dict) -> str:
    """The string as a list entry: its own numbering dropped, white space single."""
    return " ".join(_NUMBERING.sub("", row["text"]).split())


def cases(sources: dict[str, list[dict]]) -> dict[str, list[tuple[str, str, str, bool]]]:
    """(entry text, family, year, several authors) per source."""
    out: dict[str, list[tuple[str, str, str, bool]]] = {}
    for name, rows in sources.items():
        found = []
        for row in rows:
            fields = row.get("fields", {})
            author, year = fields.get("author"), fields.get("year") or ""
            family = first_family(author) if author else None
            text = entry_text(row)
            if not family or not re.fullmatch(r"(?:1[6-9]|20)\d\d", year) or year not in text:
                continue
            names = author if isinstance(author, str) else "; ".join(author)
            several = not isinstance(author, str) and len(author) > 1 or bool(re.search(r"&|\band\b|;|,.*,.*,", names))
            found.append((text, family, year, several))
        out[name] = found
    return out


# how the prose cites an entry: "{names}" is "Gattie" or "Gattie et al.", "{n}" the point's number
FORMS = {
    "(Names YEAR)": "Point {n} holds ({names} {year}).",
    "(Names, YEAR)": "Point {n} holds ({names}, {year}).",
    "Names (YEAR)": "As {names} ({year}) showed, point {n} holds.",
    "Names's (YEAR)": "{names}'s ({year}) point {n} holds.",
    "(Names, YEAR, p. N)": "Point {n} holds ({names}, {year}, p. {n}).",
    "(e.g., Names, YEAR)": "Point {n} holds (e.g., {names}, {year}).",
}


def write_pages(folder: Path, name: str, items: list[tuple[str, str, str, bool]], form: str = "(Names YEAR)") -> None:
    for k in range(0, len(items), PAGE):
        chunk = items[k : k + PAGE]
        cites = " ".join(
            FORMS[form].format(n=i, names=f"{family}{' et al.' if several else ''}", year=year)
            for i, (_, family, year, several) in enumerate(chunk)
        )
        entries = "\n".join(f"- {text}" for text, *_ in chunk)
        (folder / f"{name}-{k // PAGE:03d}.md").write_text(
            f"# Notes\n\n{cites}\n\n## References\n\n{entries}\n", encoding="utf-8"
        )


def check(folder: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "reflint", "check", "--offline", "--no-cache", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)["diagnostics"]


def alarms_by_source(diagnostics: list[dict], codes: tuple[str, ...]) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for d in diagnostics:
        if d["code"] in codes:
            source = Path(d["path"]).name.split("-")[0]
            line = Path(d["path"]).read_text("utf-8").splitlines()[d["line"] - 1]
            found[(source, d["code"])].append(f"{d['message']}  |  {line[:160]}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--show", action="store_true", help="list every alarm with its entry")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cited, every = Path(tmp) / "cited", Path(tmp) / "every"
        cited.mkdir()
        every.mkdir()
        sources = load(args.data)
        found = cases(sources)
        for name, items in found.items():
            write_pages(cited, name, items)
        texts = {name: [entry_text(row) for row in rows] for name, rows in sources.items()}
        for name, strings in texts.items():
            for k in range(0, len(strings), 100):
                entries = "\n".join(f"- {t}" for t in strings[k : k + 100])
                (every / f"{name}-{k // 100:03d}.md").write_text(f"## References\n\n{entries}\n", encoding="utf-8")
        alarms = alarms_by_source(check(cited), ("RL401", "RL402"))
        unfound = alarms_by_source(check(every), ("RL001",))
        by_form = {}
        for form in FORMS:
            (Path(tmp) / "forms").mkdir(exist_ok=True)
            folder = Path(tmp) / "forms" / str(len(by_form))
            folder.mkdir()
            for name, items in found.items():
                write_pages(folder, name, items, form)
            by_form[form] = collections.Counter(d["code"] for d in check(folder) if d["code"] in ("RL401", "RL402"))
    print(f"{'source':<10}{'citations':>10}{'RL401':>8}{'RL402':>8}   (per 100 citations)")
    for name, items in found.items():
        n = len(items)
        r401, r402 = len(alarms[(name, "RL401")]), len(alarms[(name, "RL402")])
        print(f"{name:<10}{n:>10}{r401:>8}{r402:>8}   {100 * r401 / n:.2f} / {100 * r402 / n:.2f}")
    print(f"\n{'source':<10}{'entries':>10}{'RL001':>8}   (per 100 entries, every string)")
    for name, strings in texts.items():
        n, r001 = len(strings), len(unfound[(name, "RL001")])
        print(f"{name:<10}{n:>10}{r001:>8}   {100 * r001 / n:.2f}")
    total = sum(map(len, found.values()))
    print(f"\n{'citation form (both sources)':<28}{'RL401':>8}{'RL402':>8}   ({total} citations)")
    for form, count in by_form.items():
        print(f"{form:<28}{count['RL401']:>8}{count['RL402']:>8}")
    if args.show:
        for (name, code), lines in sorted({**alarms, **unfound}.items()):
            print(f"\n{name} {code}:")
            print("\n".join(f"  {line}" for line in lines))


if __name__ == "__main__":
    main()
