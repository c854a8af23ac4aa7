"""Precision and recall of ``reflint.match.best_match`` on references rendered from Crossref records.

    python benchmarks/match_precision.py [WORKS_JSONL] [--seeds DIR] [--verbose]

Headline (``vancouver`` + ``apa``): for each record of ``tests/data/crossref/works.jsonl`` (74:
real Crossref records, the seed works, PLOS corrections and their notices, a synthetic retraction
pair) a Vancouver and an APA reference string is rendered from the record, parsed with
``reflint.parse.parse_reference`` (the real parser, so parse errors are part of the measurement)
and matched twice:

* positive query: candidates = the top 5 records by token overlap with the reference string over
  all records, the true record always included (it replaces the 5th when not ranked in). A match
  to the true DOI is a true positive, a match to any other DOI a false positive, None a miss.
* negative query: the same ranking with the true record removed. Any match is a false positive,
  because the cited work is not among the candidates (what Crossref search returns for a work it
  does not hold, e.g. Hall 2018 in the seeds).

precision = TP / (TP + FP) over both kinds of query; recall = TP / positive queries.
The token-overlap ranking stands in for ``query.bibliographic``.

Extra sections, reported separately:

* ``terse``: the same records as terse Vancouver (first author + et al, abbreviated journal from
  ``short-container-title``, subtitle dropped, "1132-6" page ranges).
* ``seeds``: the references exactly as printed in the two seed articles (``--seeds``, default
  ``../shared/seeds``), DOI cut off; truth is the printed DOI. Hall 2018 (no record) is a
  negative only.
* ``decoys``: adversarial negatives built around each work with authors: its correction notice,
  its preprint (``posted-content``, year -1), another paper by the same first author in the same
  issue, and the same title by another author. Candidates are the decoys with and without the
  true record. The 74 records alone hold few near-misses, so this is where the rules are tested.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from reflint.match import best_match, record_fields  # noqa: E402
from reflint.parse import parse_reference  # noqa: E402

DEFAULT = ROOT / "tests" / "data" / "crossref" / "works.jsonl"
STOP = set("a an and are as at by et al for from in is of on or the to vs with".split())


def _initials(given: str, sep: str = "") -> str:
    return sep.join(p[0] + ("." if sep else "") for p in re.split(r"[\s.\-]+", given) if p)


def vancouver(f) -> str:
    names = [f"{a.family} {_initials(a.given)}".strip() for a in f.authors]
    authors = ", ".join(names[:6]) + (", et al" if len(names) > 6 else "")
    where = f"{f.year};{f.volume or ''}" + (f"({f.issue})" if f.issue else "") + (f":{f.pages}" if f.pages else "")
    parts = [authors, f.title, f.container, where]
    return " ".join(f"{p.rstrip('.?!')}." if not p.endswith(("?", "!")) else p for p in parts if p)


def apa(f) -> str:
    names = [f"{a.family}, {_initials(a.given, ' ')}".strip(", ") for a in f.authors][:20]
    authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1] if names else ""
    title = f.title if f.title and f.title.endswith(("?", "!")) else f"{f.title}."
    where = ", ".join(x for x in (f.container, (f.volume or "") + (f"({f.issue})" if f.issue else ""), f.pages) if x)
    head = f"{authors} ({f.year})." if authors else f"{title} ({f.year})."
    return " ".join(x for x in (head, title if authors else "", f"{where}." if where else "") if x)


def terse(f, record: dict) -> str:
    """Harder Vancouver: first author + et al, abbreviated journal, no subtitle, short page range."""
    first = f"{f.authors[0].family} {_initials(f.authors[0].given)}".strip() if f.authors else ""
    authors = first + (", et al" if len(f.authors) > 1 else "")
    title = f.title or ""
    if len(re.split(r"[:?]\s", title)[0].split()) >= 4:
        title = re.split(r"[:?]\s", title)[0]
    journal = next(iter(record.get("short-container-title") or []), f.container)
    pages = f.pages or ""
    m = re.fullmatch(r"(\d+)-(\d+)", pages)
    if m and m[1] == m[2]:
        pages = m[1]
    elif m and len(m[1]) == len(m[2]):  # 1132-1136 -> 1132-6
        i = next((k for k in range(len(m[1])) if m[1][k] != m[2][k]), len(m[1]) - 1)
        pages = f"{m[1]}-{m[2][i:]}"
    where = f"{f.year};{f.volume or ''}" + (f"({f.issue})" if f.issue else "") + (f":{pages}" if pages else "")
    return " ".join(f"{p.rstrip('.')}." for p in (authors, title, journal, where) if p)


def tokens(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w not in STOP and len(w) > 1}


def record_tokens(r: dict) -> set[str]:
    f = record_fields(r)
    return tokens(
        " ".join(filter(None, [f.title, f.container, f.year, f.volume, f.pages, *(a.family for a in f.authors)]))
    )


def candidates(ref: str, records: list[dict], index: list[set[str]], exclude=None, keep=None):
    q = tokens(ref)
    ranked = sorted(
        (i for i in range(len(records)) if i != exclude),
        key=lambda i: len(q & index[i]) / (len(index[i]) ** 0.5 or 1),
        reverse=True,
    )
    top = ranked[:5]
    if keep is not None and keep not in top:
        top[-1] = keep
    return [records[i] for i in top]


SEEDS = ROOT.parent / "shared" / "seeds"
_SEED_REF = re.compile(r"^\s*(?:\u2022\s*)?([A-Z][^\n]+\b(?:19|20)\d\d[;.][^\n]*doi:[^\n]*)$", re.M)


def seed_references(directory: Path) -> list[tuple[str, str]]:
    """(reference without its DOI, printed DOI with ``10.`` restored) from the seed articles."""
    out = []
    for path in sorted(directory.glob("*.txt")):
        for m in _SEED_REF.finditer(path.read_text(encoding="utf-8")):
            ref, _, doi = m.group(1).rpartition("doi:")
            doi = doi.strip().rstrip(".")
            out.append((ref.strip(), doi if doi.startswith("10.") else "10." + doi))
    return out


def decoys(record: dict, other: dict) -> list[dict]:
    """Kinds of record Crossref holds next to a work, none of them the work itself: its correction
    notice, its preprint, another paper by the same first author in the same issue, and the same
    title by someone else (``other``, a record with another first author, lends title and author)."""
    doi, year = record["DOI"], int(record_fields(record).year)
    notice = {
        **record,
        "DOI": doi + ".corr",
        "title": ["Correction: " + record["title"][0]],
        "issued": {"date-parts": [[year + 1]]},
        "page": None,
    }
    preprint = {k: v for k, v in record.items() if k not in ("container-title", "volume", "issue", "page")}
    preprint.update(DOI=doi + ".pre", type="posted-content", issued={"date-parts": [[year - 1]]})
    sibling = {**record, "DOI": doi + ".sib", "title": other["title"]}
    namesake = {**record, "DOI": doi + ".other", "author": other.get("author") or [{"name": "Anonymous"}]}
    return [notice, preprint, sibling, namesake]


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.miss = self.positives = self.negatives = 0

    def add(self, other: "Tally") -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def line(self, name: str) -> str:
        p = self.tp / max(self.tp + self.fp, 1)
        r = self.tp / max(self.positives, 1)
        return (
            f"{name:<10} positives {self.positives:>3}  negatives {self.negatives:>3}  TP {self.tp:>3}"
            f"  FP {self.fp}  missed {self.miss:>2}  precision {p:6.1%}  recall {r:6.1%}"
        )


def run(t: Tally, label: str, ref: str, truth: str | None, pos, neg, verbose: bool) -> None:
    """One reference: a positive query (true record among candidates) and a negative one."""
    fields = parse_reference(ref)
    if pos is not None:
        t.positives += 1
        m = best_match(fields, pos)
        if m is None:
            t.miss += 1
            if verbose:
                print(f"MISS  [{label}] {ref}")
        elif m.doi.lower() == truth:
            t.tp += 1
        else:
            t.fp += 1
            print(f"FP+   [{label}] {ref}\n      -> {m.doi} {m.comparison}")
    t.negatives += 1
    m = best_match(fields, neg)
    if m is not None:
        t.fp += 1
        print(f"FP-   [{label}] {ref}\n      -> {m.doi} {m.comparison}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("works", nargs="?", default=str(DEFAULT))
    ap.add_argument("--seeds", default=str(SEEDS), help="seed articles (extra: their own references)")
    ap.add_argument("--verbose", "-v", action="store_true", help="also list misses")
    args = ap.parse_args()
    records = [json.loads(line)["message"] for line in open(args.works, encoding="utf-8") if line.strip()]
    index = [record_tokens(r) for r in records]
    styles = {"vancouver": lambda f, r: vancouver(f), "apa": lambda f, r: apa(f), "terse": terse}
    tallies = {name: Tally() for name in [*styles, "seeds", "decoys"]}
    for i, record in enumerate(records):
        for name, render in styles.items():
            ref = render(record_fields(record), record)
            run(
                tallies[name],
                name,
                ref,
                record["DOI"].lower(),
                candidates(ref, records, index, keep=i),
                candidates(ref, records, index, exclude=i),
                args.verbose,
            )
    dois = [r["DOI"].lower() for r in records]
    for ref, doi in seed_references(Path(args.seeds)) if Path(args.seeds).is_dir() else []:
        i = dois.index(doi.lower()) if doi.lower() in dois else None
        pos = candidates(ref, records, index, keep=i) if i is not None else None
        run(tallies["seeds"], "seeds", ref, doi.lower(), pos, candidates(ref, records, index, exclude=i), args.verbose)
    for i, record in enumerate(records):  # extra: hard negatives built around each work
        family = next((a.family for a in record_fields(record).authors), None)
        if not (record.get("title") and family):
            continue
        other = next(
            o
            for o in records[i + 1 :] + records[:i]
            if o.get("title") and record_fields(o).authors and record_fields(o).authors[0].family != family
        )
        ref = vancouver(record_fields(record))
        fake = decoys(record, other)
        run(tallies["decoys"], "decoys", ref, record["DOI"].lower(), [*fake, record], fake, args.verbose)
    total = Tally()
    for name in ("vancouver", "apa"):
        total.add(tallies[name])
    print(f"records {len(records)}")
    for name, t in tallies.items():
        print(t.line(name))
    print(total.line("V+APA"))
    print("(V+APA is the headline figure; terse, seeds and decoys are extra: harder, real-world, adversarial)")


if __name__ == "__main__":
    main()
