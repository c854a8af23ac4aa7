"""Train the CRF reference-string parser (src/reflint/data/parser.crfsuite).

Trains on the GROBID citation ``train`` split plus synthetic Vancouver/AMA, APA and Harvard
strings formatted from Crossref records (the health-content styles the GROBID corpus,
mostly physics, lacks). Never trains on what benchmarks/parse_accuracy.py reports: the GROBID
``evaluation`` split, the AnyStyle gold set, and the Crossref records held out by
:func:`held_out` are all excluded. Everything is seeded, so a rerun writes the same model.

    python scripts/train_parser.py [DATA_DIR] [--out PATH] [--no-synthetic]

See scripts/PARSER_DATA.md for provenance and licences.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from reflint.crf import numbering_end, sequence_features, to_crfsuite, tokenize  # noqa: E402

SEED = 20240601
GROBID_LABELS = {
    "author": "author", "collaboration": "author", "editor": "editor", "title": "title",
    "journal": "container", "booktitle": "container", "volume": "volume", "issue": "issue",
    "pages": "pages", "biblScope_pages": "pages", "date": "date", "idno_doi": "doi",
    "url": "url", "publisher": "publisher", "orgName": "publisher", "pubPlace": "location",
    "pubplace": "location",
}  # anything else (notes, series, arXiv/PMID/ISSN ids, ...) -> "note"


def held_out(doi: str) -> bool:
    """Crossref records kept out of training, for the synthetic author-name check."""
    return int(hashlib.md5(doi.lower().encode()).hexdigest(), 16) % 10 == 0


def align(text: str, segments: list[tuple[str, str]]) -> list[tuple[str, int, int]] | None:
    """Locate gold segments in order in ``text``; None if one cannot be found."""
    spans, pos = [], 0
    for label, seg in segments:
        i = text.find(seg, pos)
        if i < 0:
            return None
        spans.append((label, i, i + len(seg)))
        pos = i + len(seg)
    return spans


def to_example(text: str, spans: list[tuple[str, int, int]]) -> tuple[list, list[str]]:
    """Token features and labels; tokens outside every span (punctuation, "In") are "other"."""
    tokens = tokenize(text, numbering_end(text))
    labels = []
    for _, start, _ in tokens:
        labels.append(next((lab for lab, s, e in spans if s <= start < e), "other"))
    return to_crfsuite(sequence_features(text, tokens)), labels


def grobid_train(data_dir: Path) -> list[tuple[str, list]]:
    out = []
    for line in open(data_dir / "grobid-citations.jsonl", encoding="utf-8"):
        rec = json.loads(line)
        if rec["split"] != "train":
            continue
        segs = [(GROBID_LABELS.get(lab, "note"), s) for lab, s in rec["segments"]]
        spans = align(rec["text"], segs)
        if spans is not None:
            out.append((rec["text"], spans))
    return out


# ---- synthetic strings from Crossref records -------------------------------------------

def _initials(given: str, rng: random.Random, style: str) -> str:
    parts = [p for p in re.split(r"[\s.]+", given) if p]
    letters = []
    for p in parts:
        letters.append("-".join(q[0] for q in p.split("-") if q) if "-" in p else p[0])
    if style == "tight":  # Vancouver: JA
        return "".join(x.replace("-", "") for x in letters)
    sep = " " if rng.random() < 0.7 else ""
    return sep.join(f"{x}." for x in letters)  # APA: J. A. / J.A.


def _damage(s: str, rng: random.Random) -> str:
    """PDF copy-paste damage: ligatures, hyphenation breaks, stray spaces."""
    if rng.random() < 0.15:
        s = s.replace("fi", "ﬁ").replace("fl", "ﬂ")
    if rng.random() < 0.12:
        words = s.split(" ")
        long = [i for i, w in enumerate(words) if len(w) > 7 and w.isalpha()]
        if long:
            i = rng.choice(long)
            cut = rng.randint(3, len(words[i]) - 3)
            words[i] = words[i][:cut] + rng.choice(["- ", "-", " "]) + words[i][cut:]
            s = " ".join(words)
    return s


def synth(msg: dict, rng: random.Random) -> tuple[str, list] | None:
    """Format one Crossref record in a random style; returns (text, spans) or None."""
    title = html.unescape(re.sub(r"<[^>]+>", "", (msg.get("title") or [""])[0])).strip()
    year = ((msg.get("issued") or {}).get("date-parts") or [[None]])[0][0]
    authors = [a for a in msg.get("author") or [] if a.get("family")]
    if not title or not year or len(title) > 300:
        return None
    title = re.sub(r"\s+", " ", title)
    ctitles = msg.get("container-title") or []
    short = msg.get("short-container-title") or []
    container = ctitles[-1] if ctitles else ""
    if short and rng.random() < 0.5:
        container = short[0]
    vol, iss, page = msg.get("volume"), msg.get("issue"), msg.get("page")
    doi = msg.get("DOI")
    kind = msg.get("type", "")
    style = rng.choice(["vancouver", "vancouver", "apa", "apa", "harvard", "harvard", "ieee"])
    dash = rng.choice(["-", "-", "–"])
    if page:
        page = page.replace("-", dash)
    pieces: list[tuple[str, str]] = []  # (label, text); punctuation is "other"

    def add(label: str, text: str) -> None:
        pieces.append((label, text))

    if rng.random() < 0.35:
        add("other", rng.choice(["{n}. ", "[{n}] ", "• ", "{n}) ", "{n} "]).format(n=rng.randint(1, 80)))
    # authors
    max_auth = {"vancouver": 6, "apa": 20, "harvard": 3, "ieee": 6}[style]
    etal = len(authors) > max_auth or (len(authors) > 2 and rng.random() < 0.15)
    shown = authors[: rng.choice([1, 3, max_auth])] if etal else authors
    names = []
    for a in shown:
        fam, given = a["family"].strip(), (a.get("given") or "").strip()
        if style == "vancouver":
            names.append(f"{fam} {_initials(given, rng, 'tight')}".strip())
        elif style == "ieee":
            names.append(f"{_initials(given, rng, 'dots')} {fam}".strip())
        elif style == "harvard" and rng.random() < 0.4:
            names.append(f"{fam}, {_initials(given, rng, 'tight')}" if given else fam)
        else:
            names.append(f"{fam}, {_initials(given, rng, 'dots')}" if given else fam)
    for i, name in enumerate(names):
        if i:
            last = i == len(names) - 1 and not etal
            if style == "vancouver" or not last:
                add("author", ", ")
            elif style == "apa":
                add("author", ", & ")
            else:
                add("author", rng.choice([" & ", " and ", ", and "]))
        add("author", name)
    if etal:
        add("author", rng.choice([", et al", " et al", ", et al."]))
    if names:
        add("other", "" if pieces[-1][1].endswith(".") else ".")
        add("other", " ")
    ytxt = str(year) + (rng.choice("ab") if rng.random() < 0.05 else "")
    if style in ("apa", "harvard") and names:
        add("other", "(" if style == "apa" or rng.random() < 0.7 else "")
        add("date", ytxt)
        add("other", "). " if pieces[-1 - 1][1] == "(" else ". ")
    t = _damage(title, rng)
    quoted = style == "ieee"
    add("other", "“" if quoted else "")
    add("title", t)
    add("other", ("," if quoted else "" if t[-1] in "?!." else ".") + ("” " if quoted else " "))
    is_book = kind in ("book", "monograph", "edited-book", "reference-book")
    is_part = kind in ("book-chapter", "proceedings-article", "reference-entry") and container
    if is_part:
        add("other", "In: " if style == "vancouver" else "In ")
    if container and not is_book:
        add("container", _damage(container, rng))
    publisher = msg.get("publisher") or ""
    if is_book or is_part:
        add("other", ". " if style != "apa" else ", ")
        if publisher:
            add("publisher", publisher)
            add("other", "; " if style == "vancouver" else ", ")
        if style not in ("apa", "harvard"):
            add("date", str(year))
        if page:
            add("other", ". p. " if style == "vancouver" else " (pp. " if style == "apa" else ", pp. ")
            add("pages", page)
            add("other", ")" if style == "apa" else "")
    elif style == "vancouver":
        add("other", ". " if container else "")
        add("date", str(year) if rng.random() < 0.8 else f"{year} {rng.choice(['Jan', 'Mar', 'Jun', 'Oct'])}")
        if vol:
            add("other", ";")
            add("volume", vol)
        if iss:
            add("other", "(")
            add("issue", iss)
            add("other", ")")
        if page:
            add("other", ":")
            add("pages", page)
    elif style == "ieee":
        for lab, pre, val in (("volume", ", vol. ", vol), ("issue", ", no. ", iss), ("pages", ", pp. ", page)):
            if val:
                add("other", pre)
                add(lab, val)
        add("other", ", ")
        add("date", str(year))
    else:  # APA / Harvard journal article
        if vol:
            add("other", ", " if rng.random() < 0.8 else " ")
            add("volume", vol)
        if iss:
            add("other", "(")
            add("issue", iss)
            add("other", ")")
        if page:
            add("other", ", " if style == "apa" or rng.random() < 0.5 else ", pp. ")
            add("pages", page)
    add("other", ".")
    if doi and rng.random() < 0.6:
        add("other", " ")
        form = rng.choice(["doi:{d}", "https://doi.org/{d}", "DOI: {d}", "doi: {d}", "http://dx.doi.org/{d}"])
        add("doi", form.format(d=doi))
        if rng.random() < 0.3:
            add("other", ".")
    if rng.random() < 0.05:
        add("other", " PMID: ")
        add("note", str(rng.randint(10**6, 4 * 10**7)))
    text, spans, pos = "", [], 0
    for label, piece in pieces:
        if label != "other" and piece:
            spans.append((label, pos, pos + len(piece)))
        text += piece
        pos += len(piece)
    if style == "harvard" and not names:
        return None
    return text.strip(), spans


def synthetic(data_dir: Path, rng: random.Random, copies: int) -> list[tuple[str, list]]:
    out = []
    for line in open(data_dir / "crossref-works.jsonl", encoding="utf-8"):
        msg = json.loads(line)["message"]
        if not msg.get("DOI") or held_out(msg["DOI"]):
            continue
        for _ in range(copies):
            ex = synth(msg, rng)
            if ex:
                out.append(ex)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(REPO / "src" / "reflint" / "data" / "parser.crfsuite"))
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--copies", type=int, default=2, help="synthetic strings per Crossref record")
    ap.add_argument("--c1", type=float, default=0.2)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--iterations", type=int, default=150)
    args = ap.parse_args()
    import pycrfsuite

    data_dir = Path(args.data_dir)
    rng = random.Random(SEED)
    grobid = grobid_train(data_dir)
    synth_ex = [] if args.no_synthetic else synthetic(data_dir, rng, args.copies)
    print(f"grobid-citations.jsonl split=train: {len(grobid)} strings")
    print(f"crossref-works.jsonl synthetic (held-out records excluded): {len(synth_ex)} strings")
    examples = grobid + synth_ex
    rng.shuffle(examples)
    t0 = time.time()
    trainer = pycrfsuite.Trainer(verbose=False)
    for text, spans in examples:
        trainer.append(*to_example(text, spans))
    trainer.set_params({
        "c1": args.c1, "c2": args.c2, "max_iterations": args.iterations,
        "feature.minfreq": 2, "feature.possible_transitions": True,
    })
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    trainer.train(args.out)
    size = Path(args.out).stat().st_size
    print(f"trained on {len(examples)} strings in {time.time() - t0:.0f}s -> {args.out} ({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
