"""Per-field precision / recall / F1 of ``reflint.parse`` on labelled strings it never trained on.

    python benchmarks/parse_accuracy.py [DATA_DIR] [--set TEXT] [--no-synthetic] [--grobid-raw]
                                        [--errors FIELD] [--limit N] [--dev]
                                        [--model PATH] [--anystyle-ids]

Sets (DATA_DIR defaults to ../shared/data relative to the repository):

* ``anystyle held-out half``: the 874 of the 1,669 strings of AnyStyle's gold set
  (inukshuk/anystyle, BSD-2-Clause) whose id has an odd MD5
  (``train_parser.anystyle_held_out``). The other half is trained on, so it is never scored
  here; ``--anystyle-ids`` lists the ids scored.
* ``grobid-eval``: the 327 strings of GROBID's ``evaluation`` split (kermitt2/grobid,
  Apache-2.0; arXiv and INSPIRE physics references from real PDFs).
* ``crossref-synth`` (extra, optimistic): the Crossref records held out from training,
  formatted in Vancouver/AMA, APA, Harvard, IEEE, ACM-like and Chicago styles by the
  training script's own generator. It is the only set with true family names, so it is
  where the author *list* (``authors``: exact list of family names) is checked.
* authors (family names): a name suffix ("Jr.", "III") is not part of the family name on
  either side (Crossref writes "Raimundo, Jr." as a family name, JATS keeps it apart).
* ``plos-articles``: the references of the 37 PLOS articles in
  ``documents/plos-articles/gold.jsonl`` (CC BY 4.0) that JATS structured (1,964 of 2,084;
  the rest carry no name, year, title or source label), labelled from the articles' XML
  (``gold_plos``): author list (family names; a corporate ``collab`` as written), year,
  title, container, volume, pages. Never trained on. JATS has no author *segment*, so
  ``author`` is not scored there, only ``authors``.

The last column, "F1 CRF only", is the rule-free baseline: the CRF's segments without the
rules of ``reflint.parse.segment`` (Vancouver/AMA, books and chapters; post-processing into
fields is the same). ``--dev`` scores what ``train_parser.py --dev`` keeps back: the tenth of
GROBID train and the 151 strings of the AnyStyle training half that ``held_out`` picks (MD5
of the id divisible by 10, about a fifth of that half); that, not the sets above, is what
development decisions were made on. ``--model`` scores another model file than the shipped
one.

Scoring, per field: a prediction is a non-empty value the parser returns; a gold value is a
non-empty labelled value. TP = both present and equal after normalisation; precision =
TP / predictions, recall = TP / gold values. So a wrong value costs both precision and recall,
a value invented where the gold has none costs precision only.

Normalisation (applied to gold and prediction alike): Unicode NFKC, casefold, keep only
letters and digits. This forgives spacing, punctuation, quotes and PDF hyphenation breaks
("Mathe-matische" = "Mathematische") but not a wrong segment boundary. Also:

* author: the parser's author *segment* (the span its labeller marked author, from the first
  to the last author token of the first author run) against the gold author segment(s).
* year: the four-digit year ("1995b" -> "1995"); gold uses the dataset's ``year`` field.
* title / container: gold container is ``journal`` or else ``booktitle`` (GROBID) /
  ``container-title`` (AnyStyle); a leading "In"/"In:" is dropped on both sides. A GROBID
  monograph's own title, labelled ``booktitle`` there, counts as title, not container
  (``train_parser.grobid_segments``; ``--grobid-raw`` scores GROBID's labels as they are).
* volume / issue: AnyStyle labels "33(2)" as one volume segment and has no issue label;
  its gold volume is the first number-like run of that segment (after "vol."/"v."/"n°")
  and its gold issue the first run inside parentheses. "vol."/"no." prefixes are dropped.
* pages: "pp."/"p." dropped, any dash -> "-", spaces removed; when GROBID gives two pages
  segments, matching either counts.
* doi: the dataset's cleaned ``doi`` field, compared case-insensitively. The parser takes
  the first DOI that ``reflint.doi.find_dois`` cleans, so this scores that module.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import re
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from reflint.parse import author_span, parse_reference, segment  # noqa: E402

_spec = importlib.util.spec_from_file_location("train_parser", REPO / "scripts" / "train_parser.py")
TRAIN = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(TRAIN)  # shares the GROBID label mapping and the synthetic generator

FIELDS = ("author", "year", "title", "container", "volume", "issue", "pages", "doi")


def norm(value: str | None, field: str = "") -> str:
    if not value:
        return ""
    s = unicodedata.normalize("NFKC", value).casefold()
    if field == "container":
        s = re.sub(r"^\s*in\s*:?\s+", "", s)
    if field in ("volume", "issue"):
        s = re.sub(r"^\s*(?:vol(?:ume)?|no|nr|issue|n°|v)\.?\s*", "", s)
    if field == "pages":
        s = re.sub(r"^\s*(?:pp?|pages?)\.?\s*", "", s)
    return "".join(ch for ch in s if ch.isalnum())


def norm_family(value: str) -> str:
    """A family name without a name suffix: Crossref writes "Raimundo, Jr." as the family,
    JATS keeps the suffix apart, reflint puts it with the given names."""
    return norm(re.sub(r"(?i),?\s+(?:jr|sr|ii|iii|iv|2nd|3rd|4th)\.?$", "", value))


def _join(segments: list, labels: tuple[str, ...]) -> str | None:
    parts = [t for lab, t in segments if lab in labels]
    return " ".join(parts) if parts else None


def _first(segments: list, *labels: str) -> str | None:
    for lab in labels:
        for seg_lab, t in segments:
            if seg_lab == lab:
                return t
    return None


def gold_grobid(rec: dict, raw: bool = False) -> dict:
    segs = rec["segments"] if raw else TRAIN.grobid_segments(rec)
    return {
        "author": _join(segs, ("author",)),
        "year": rec["fields"].get("year"),
        "title": _first(segs, "title"),
        "container": _first(segs, "journal") or _first(segs, "booktitle"),
        "volume": _first(segs, "volume"),
        "issue": _first(segs, "issue"),
        "pages": [t for lab, t in segs if lab == "pages"] or None,
        "doi": rec.get("doi"),
    }


def gold_anystyle(rec: dict) -> dict:
    segs = rec["segments"]
    vol = _first(segs, "volume") or ""
    vol_m = re.match(r"\W*(?:vol(?:ume)?\.?|v\.|n°)?\s*([^\W_]+)", vol, re.I)
    iss_m = re.search(r"\(\s*([^\W_]+)", vol)
    return {
        "author": _join(segs, ("author",)),
        "year": rec["fields"].get("year"),
        "title": _first(segs, "title"),
        "container": _first(segs, "journal") or _first(segs, "container-title"),
        "volume": vol_m.group(1) if vol_m else None,
        "issue": iss_m.group(1) if iss_m else None,
        "pages": _first(segs, "pages"),
        "doi": rec.get("doi"),
    }


def gold_plos(rec: dict) -> dict:
    """PLOS JATS labels -> the fields above. ``authors`` lists the family names (a
    ``collab`` as written) of the leading author group; a book's ``source`` is its title
    (a book has no container) unless a chapter or article title comes first."""
    f, segs = rec["fields"], rec["segments"]
    families, people = [], iter(a.get("family") or "" for a in f.get("authors") or [])
    for lab, text in segs:
        if lab == "name":
            families.append(next(people, text.split()[0]))
        elif lab == "collab":
            families.append(text)
        elif lab != "etal":
            break
    title = _first(segs, "article-title", "chapter-title")
    container = _first(segs, "source")
    if title is None and rec.get("publication_type", "").startswith("book"):
        title, container = container, None
    pages = "-".join(p for p in (f.get("fpage"), f.get("lpage")) if p) or None
    return {
        "authors": families or None,
        "year": f.get("year"),
        "title": title,
        "container": container,
        "volume": f.get("volume"),
        "pages": pages,
        "doi": rec.get("doi"),
    }


_PLOS_FIELDS = {"name", "collab", "year", "article-title", "chapter-title", "source"}


def plos_articles(data_dir: Path) -> list[tuple[dict, str]]:
    """The reference lists of the 37 PLOS articles (``documents/plos-articles/gold.jsonl``),
    without the ~120 entries JATS left unstructured (no name, year, title or source label:
    their gold is unknown, not empty)."""
    path = data_dir / "documents" / "plos-articles" / "gold.jsonl"
    if not path.exists():
        return []
    recs = map(json.loads, open(path, encoding="utf-8"))
    return [(gold_plos(r), r["text"]) for r in recs if any(lab in _PLOS_FIELDS for lab, _ in r["segments"])]


def predict(text: str, rules: bool = True) -> dict:
    f = parse_reference(text, rules=rules)
    span = author_span(segment(text, rules))
    pred = {k: getattr(f, k) for k in FIELDS if k != "author"}
    pred["author"] = text[span[0] : span[1]] if span else None
    pred["authors"] = [a.family for a in f.authors]
    return pred


def score(pairs: list[tuple[dict, dict]], fields: tuple[str, ...]) -> dict:
    out = {}
    for field in fields:
        tp = npred = ngold = 0
        for gold, pred in pairs:
            if field not in gold:
                continue
            g, p = gold[field], pred.get(field)
            if field == "authors":
                gs, ps = ["|".join(norm_family(x) for x in v) if v else "" for v in (g, p)]
            else:
                gs = [norm(x, field) for x in g] if isinstance(g, list) else [norm(g, field)]
                ps = norm(p, field)
            npred += bool(ps)
            ngold += any(gs) if isinstance(gs, list) else bool(gs)
            tp += bool(ps) and (ps in gs if isinstance(gs, list) else ps == gs)
        prec = tp / npred if npred else 0.0
        rec = tp / ngold if ngold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[field] = (prec, rec, f1, ngold)
    return out


def crossref_synthetic(data_dir: Path) -> list[tuple[dict, str]]:
    rng = random.Random(7)
    msgs = TRAIN.crossref_records(data_dir, held=True)
    pool = [a for m in msgs for a in m.get("author") or [] if a.get("family") and a.get("given")]
    out = []
    for msg in msgs:
        ex = TRAIN.synth(msg, rng, pool)
        if not ex:
            continue
        text, spans = ex
        gold = {lab: text[s:e] for lab, s, e in reversed(spans)}  # first span wins
        names = [(s, e) for lab, s, e in spans if lab == "author"]
        gold["author"] = text[names[0][0] : names[-1][1]] if names else None
        gold["year"] = re.sub(r"\D", "", gold.get("date", ""))[:4] or None
        gold["doi"] = msg["DOI"] if "doi" in gold else None
        authors = [a["family"] for a in msg.get("author") or [] if a.get("family")]
        gold["authors"] = _shown_families(gold["author"], authors)
        out.append((gold, text))
    return out


def _shown_families(author_seg: str | None, families: list[str]) -> list[str] | None:
    """The families the string actually shows (it may stop at "et al.")."""
    if not author_seg:
        return None
    shown, pos, low = [], 0, author_seg.casefold()
    for family in families:
        i = low.find(family.strip().casefold(), pos)
        if i < 0:
            break
        shown.append(family)
        pos = i + len(family.strip())
    return shown


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--limit", type=int, default=0, help="score only the first N strings of each set")
    ap.add_argument("--set", metavar="TEXT", help="score only the sets whose name contains TEXT")
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--errors", metavar="FIELD", help="print mismatches for FIELD")
    ap.add_argument(
        "--dev",
        action="store_true",
        help="score the development parts of GROBID train and of the AnyStyle training "
        "half instead of the reported sets (only meaningful for a model trained "
        "with train_parser.py --dev)",
    )
    ap.add_argument(
        "--grobid-raw", action="store_true", help="score GROBID's monograph booktitles as container, not title"
    )
    ap.add_argument("--model", help="a model file to score instead of the shipped one")
    ap.add_argument("--anystyle-ids", action="store_true", help="also list the ids of the AnyStyle strings scored")
    args = ap.parse_args()
    if args.model:
        import reflint.parse

        reflint.parse.use_model(args.model)
    data = Path(args.data_dir)
    grobid = [json.loads(line) for line in open(data / "grobid-citations.jsonl", encoding="utf-8")]
    anystyle = [json.loads(line) for line in open(data / "anystyle-gold.jsonl", encoding="utf-8")]
    sets = {}
    if args.dev:
        dev = [(gold_grobid(r), r["text"]) for r in grobid if r["split"] == "train" and TRAIN.held_out(r["id"])]
        sets[f"grobid-train dev tenth ({len(dev)})"] = dev
        dev = [r for r in anystyle if not TRAIN.anystyle_held_out(r["id"]) and TRAIN.held_out(r["id"])]
        sets[f"anystyle training half, dev part ({len(dev)})"] = [(gold_anystyle(r), r["text"]) for r in dev]
    else:
        held = [r for r in anystyle if TRAIN.anystyle_held_out(r["id"])]
        ids = [r["id"] for r in held]
        digest = hashlib.sha256("".join(i + "\n" for i in ids).encode()).hexdigest()[:16]
        print(
            f"AnyStyle strings scored: the held-out half only, {len(held):,} of {len(anystyle):,} "
            f"(ids with an odd MD5, train_parser.anystyle_held_out; the even half is trained on)\n"
            f"  ids {ids[0]}, {ids[1]}, ..., {ids[-1]} (--anystyle-ids lists them; "
            f"SHA-256 of the list, one id a line: {digest})"
        )
        if args.anystyle_ids:
            print("\n".join(ids))
        sets[f"anystyle held-out half ({len(held):,} of {len(anystyle):,})"] = [
            (gold_anystyle(r), r["text"]) for r in held
        ]
        sets["grobid-eval (327)"] = [
            (gold_grobid(r, args.grobid_raw), r["text"]) for r in grobid if r["split"] == "evaluation"
        ]
        plos = plos_articles(data)
        if plos:
            sets[f"plos-articles (structured {len(plos):,}; never trained on)"] = plos
        if not args.no_synthetic:
            synth = crossref_synthetic(data)
            sets[f"crossref-synth held-out ({len(synth)})"] = synth
    for name, items in sets.items():
        if args.set and args.set not in name:
            continue
        if args.limit:
            items = items[: args.limit]
        t0 = time.time()
        pairs = [(gold, predict(text)) for gold, text in items]
        dt = time.time() - t0
        baseline = score([(gold, predict(text, rules=False)) for gold, text in items], FIELDS)
        fields = tuple(f for f in FIELDS + ("authors",) if any(f in gold for gold, _ in items))
        print(f"\n{name}: {len(pairs)} strings, {1000 * dt / len(pairs):.1f} ms/string")
        print(f"  {'field':<10} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}   {'F1 CRF only':>11}")
        for field, (p, r, f1, n) in score(pairs, fields).items():
            base = f"{baseline[field][2]:11.3f}" if field in baseline else ""
            print(f"  {field:<10} {p:6.3f} {r:6.3f} {f1:6.3f} {n:6d}   {base}")
        if args.errors:
            for (gold, pred), (_, text) in zip(pairs, items):
                if args.errors not in gold:
                    continue
                g, p = gold.get(args.errors), pred.get(args.errors)
                if args.errors == "authors":
                    wrong = [norm_family(x) for x in g or []] != [norm_family(x) for x in p or []]
                else:
                    gl = g if isinstance(g, list) else [g]
                    wrong = norm(p, args.errors) not in [norm(x, args.errors) for x in gl]
                if wrong:
                    print(f"    {text}\n      gold={g!r}\n      pred={p!r}")


if __name__ == "__main__":
    main()
