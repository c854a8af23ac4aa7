"""Train the CRF reference-string parser (src/reflint/data/parser.crfsuite).

Trains on the GROBID citation ``train`` split, the *training half* of AnyStyle's gold set
(:func:`anystyle_held_out` is False: the MD5 of the record id is even) and synthetic strings
formatted from Crossref records in Vancouver/AMA, APA, Harvard (and IEEE, ACM-like, Chicago)
styles, the health-content styles the GROBID corpus, mostly physics, lacks. Never trains on
what benchmarks/parse_accuracy.py reports: the GROBID ``evaluation`` split, the held-out
half of the AnyStyle gold set and the Crossref records held out by :func:`held_out` are all
excluded. Everything is seeded (and crfsuite's L-BFGS is deterministic), so a rerun writes a
byte-identical model. About 5 minutes on one core.

    python scripts/train_parser.py [DATA_DIR] [--out PATH] [--no-synthetic] [--no-anystyle]
                                   [--dev] [--copies N] [--anystyle-copies N]
                                   [--c1 X] [--c2 X] [--iterations N]

``--dev`` keeps back, for ``parse_accuracy.py --dev``, what :func:`held_out` picks: a tenth
of GROBID train and 151 strings (about a fifth) of the AnyStyle training half. The defaults
(4 synthetic copies, 1 copy of each AnyStyle string, c1=0.2 L1 pruning, c2=0.01,
300 iterations, feature.minfreq=2) were chosen on those (AnyStyle copies and iterations also
by two-fold cross-validation inside the AnyStyle training half, see scripts/PARSER_DATA.md),
and keep the model under 3 MB.

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
    "author": "author",
    "collaboration": "author",
    "editor": "editor",
    "title": "title",
    "journal": "container",
    "booktitle": "container",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
    "biblScope_pages": "pages",
    "date": "date",
    "idno_doi": "doi",
    "url": "url",
    "publisher": "publisher",
    "orgName": "publisher",
    "pubPlace": "location",
    "pubplace": "location",
}  # anything else (notes, series, arXiv/PMID/ISSN ids, ...) -> "note"


def held_out(key: str) -> bool:
    """One in ten, by a stable hash: Crossref records never trained on (the synthetic
    check), and with ``--dev`` the GROBID train strings kept back for development."""
    return int(hashlib.md5(key.lower().encode()).hexdigest(), 16) % 10 == 0


def anystyle_held_out(rec_id: str) -> bool:
    """The AnyStyle half that is reported and never trained or tuned on: records whose id
    (``anystyle-gold-00001``) has an odd MD5 (the digest read as one integer). The even
    half is trained on."""
    return int(hashlib.md5(rec_id.encode()).hexdigest(), 16) % 2 == 1


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


def grobid_segments(rec: dict) -> list[tuple[str, str]]:
    """GROBID segments, with a monograph's title moved from ``booktitle`` to ``title``.

    GROBID tags a book's own title as ``booktitle`` when there is no article title
    ("F. Dolphin. The porphyrins. Academic Press, 1978."); in reflint's fields (and in
    AnyStyle's labels) that is the title, and a book has no container. Booktitles that
    read as proceedings or follow "in" stay containers. Used for training and for scoring.
    """
    segs = rec["segments"]
    labels = {lab for lab, _ in segs}
    if "booktitle" not in labels or labels & {"title", "journal"}:
        return segs
    out = []
    for lab, seg in segs:
        if lab == "booktitle":
            before = rec["text"][: rec["text"].find(seg)].rstrip().lower()
            proc = re.search(r"(?i)\b(?:proc|conference|workshop|symposium|meeting|congress)", seg)
            if not proc and not before.endswith(("in", "in:")):
                lab = "title"
        out.append((lab, seg))
    return out


def grobid_train(data_dir: Path, dev: bool = False) -> list[tuple[str, list]]:
    """The GROBID ``train`` split; with ``dev``, minus the development tenth."""
    out = []
    for line in open(data_dir / "grobid-citations.jsonl", encoding="utf-8"):
        rec = json.loads(line)
        if rec["split"] != "train" or (dev and held_out(rec["id"])):
            continue
        segs = [(GROBID_LABELS.get(lab, "note"), s) for lab, s in grobid_segments(rec)]
        spans = align(rec["text"], segs)
        if spans is not None:
            out.append((rec["text"], spans))
    return out


ANYSTYLE_LABELS = {
    "author": "author",
    "editor": "editor",
    "title": "title",
    "journal": "container",
    "container-title": "container",
    "volume": "volume",
    "pages": "pages",
    "date": "date",
    "doi": "doi",
    "url": "url",
    "publisher": "publisher",
    "location": "location",
    "citation-number": "other",
}  # anything else (note, genre, edition, translator, isbn, collection-title) -> "note"
_LEAD = re.compile(r"(?:[\s\"“”‘’'«(\[]|(?:in|In|IN):?\s)+")
_PREFIX = re.compile(r"(?:[\s(\[]|(?i:pp?|pages?|vols?|volume|v|nos?|nr|issue)(?:\.\s*|\s+)|n°\s*)+")
_TRAIL = re.compile(r"[\s,;:.\"“”‘’'»)\]]+$")


def _trim(text: str, label: str, start: int, end: int) -> tuple[int, int]:
    """Narrow an AnyStyle span to GROBID's convention: separators, quotes, brackets around
    a date, a leading "In" (containers, editors) and "vol." / "no." / "pp." lie outside the
    field. Kept: the period
    of a final initial or "al." (``Raab, F. H.``), a closing bracket that the span opens
    (``Medicine (Baltimore)``)."""
    seg = text[start:end]
    lead = (
        _LEAD
        if label in ("container", "editor")
        else _PREFIX
        if label in ("volume", "issue", "pages")
        else re.compile(r"[\s\"“”‘’'«(\[]+")
    ).match(seg)
    a = start + (lead.end() if lead else 0)
    b = a + len(_TRAIL.sub("", text[a:end]))
    while b < end:  # give back what the stripping should not have taken
        nxt = text[b]
        if nxt == "." and re.search(r"(?:\b[A-Z]|\bal|\bet al)$", text[a:b]):
            b += 1
        elif nxt in ")]" and text[a:b].count("([{"[")]".index(nxt)]) > text[a:b].count(nxt):
            b += 1
        else:
            break
    return (a, b) if b > a else (start, end)


_VOLUME = re.compile(  # "33(2)", "vol. 4, no. 4", "31(4):993–1005"
    r"(?P<volume>.*?\w)\s*(?:\(\s*(?P<issue>[^\W_]+)\s*\)|,?\s*(?:no|nr|n°|issue)\.?\s*(?P<issue2>\w+))"
    r"(?:\s*[:,]\s*(?:pp?\.\s*)?(?P<pages>\w+(?:\s*[-–]\s*\w+)?))?",
    re.I,
)


def anystyle_spans(rec: dict) -> list[tuple[str, int, int]] | None:
    """Spans in reflint's labels for one AnyStyle gold record, trimmed by :func:`_trim`.

    AnyStyle labels "33(2)", "vol. 4, no. 4" and "31(4):993–1005" as one volume; there the
    issue number is made an issue (the benchmark scores it as one) and trailing page numbers
    pages, the brackets and separators "other"."""
    segs = [(ANYSTYLE_LABELS.get(lab, "note"), seg) for lab, seg in rec["segments"]]
    spans = align(rec["text"], segs)
    if spans is None:
        return None
    out = []
    for label, start, end in spans:
        if label == "other":
            continue
        a, b = _trim(rec["text"], label, start, end)
        m = _VOLUME.fullmatch(rec["text"], a, b) if label == "volume" else None
        if m:
            issue = "issue" if m["issue"] else "issue2"
            out += [
                (lab, m.start(g), m.end(g))
                for lab, g in (("volume", "volume"), ("issue", issue), ("pages", "pages"))
                if m[g]
            ]
        else:
            out.append((label, a, b))
    return out


def anystyle_train(data_dir: Path, dev: bool = False) -> list[tuple[str, list]]:
    """The training half of AnyStyle's gold set; with ``dev``, minus what :func:`held_out` picks."""
    out = []
    for line in open(data_dir / "anystyle-gold.jsonl", encoding="utf-8"):
        rec = json.loads(line)
        if anystyle_held_out(rec["id"]) or (dev and held_out(rec["id"])):
            continue
        spans = anystyle_spans(rec)
        if spans is not None:
            out.append((rec["text"], spans))
    return out


# ---- synthetic strings from Crossref records -------------------------------------------

PLACES = [
    "New York",
    "London",
    "Oxford",
    "Cambridge",
    "Boston",
    "Berlin",
    "Philadelphia",
    "Amsterdam",
    "Chicago",
    "Sydney",
    "Toronto",
    "Paris",
    "Baltimore",
    "New York, NY",
]
STYLES = ["vancouver", "vancouver", "apa", "apa", "harvard", "harvard", "ieee", "acm", "chicago"]


def _initials(given: str, tight: bool, rng: random.Random) -> str:
    """``Joshua Adam`` -> ``JA`` (Vancouver) or ``J. A.`` / ``J.A.`` (APA, Harvard, IEEE)."""
    letters = ["-".join(q[0] for q in p.split("-") if q) for p in re.split(r"[\s.]+", given) if p]
    if tight:
        return "".join(x.replace("-", "") for x in letters)
    return (" " if rng.random() < 0.7 else "").join(f"{x}." for x in letters)


def _name(a: dict, style: str, first: bool, rng: random.Random) -> str:
    fam, given = a["family"].strip(), (a.get("given") or "").strip()
    if rng.random() < 0.04:
        fam = fam.upper()
    if not given:
        return fam
    if style == "vancouver" or (style == "harvard" and rng.random() < 0.4):
        return f"{fam}{', ' if style == 'harvard' else ' '}{_initials(given, True, rng)}"
    if style in ("apa", "harvard"):
        return f"{fam}, {_initials(given, False, rng)}"
    if style == "ieee":
        return f"{_initials(given, False, rng)} {fam}"
    if style == "chicago" and first:
        return f"{fam}, {given}"
    return f"{given} {fam}"  # acm, chicago after the first


def _damage(s: str, rng: random.Random) -> str:
    """PDF copy-paste damage: ligatures, hyphenation breaks."""
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


class _Pieces:
    """A string built from labelled pieces; the punctuation around them is "other"."""

    def __init__(self, rng: random.Random) -> None:
        self.text, self.spans, self.rng = "", [], rng

    def add(self, label: str, piece: str) -> None:
        if label != "other" and piece:
            self.spans.append((label, len(self.text), len(self.text) + len(piece)))
        self.text += piece

    def field(self, label: str, value: str | None, before: str = "", after: str = "") -> None:
        """Add ``before + value + after`` when ``value`` is set (nothing otherwise)."""
        if value:
            if self.rng.random() < 0.03:
                before = re.sub(r"^([,.;:])", r" \1", before)  # stray space before punctuation
            self.add("other", before)
            self.add(label, value)
            self.add("other", after)


def synth(msg: dict, rng: random.Random, pool: list[dict]) -> tuple[str, list] | None:
    """Format one Crossref record in a random style; returns (text, spans) or None.

    ``pool`` supplies editor names for chapters. One in eight articles is rendered as a
    book (title, place, publisher) so the model sees books in health-style formatting.
    """
    title = html.unescape(re.sub(r"<[^>]+>", "", (msg.get("title") or [""])[0]))
    title = re.sub(r"\s+", " ", title).strip()
    year = ((msg.get("issued") or {}).get("date-parts") or [[None]])[0][0]
    authors = [a for a in msg.get("author") or [] if a.get("family")]
    if not title or not year or len(title) > 300 or not authors:
        return None
    ctitles, short = msg.get("container-title") or [], msg.get("short-container-title") or []
    container = short[0] if short and rng.random() < 0.5 else (ctitles[-1] if ctitles else None)
    kind = msg.get("type", "")
    kind = (
        "book"
        if kind in ("book", "monograph", "edited-book", "reference-book") or rng.random() < 0.12
        else "chapter"
        if kind in ("book-chapter", "proceedings-article") and container
        else "article"
    )
    vol, iss, doi = msg.get("volume"), msg.get("issue"), msg.get("DOI")
    page = (msg.get("page") or "").replace("-", rng.choice(["-", "-", "–"])) or None
    publisher = msg.get("publisher") if kind != "article" else None
    place = rng.choice(PLACES) if kind != "article" and rng.random() < 0.7 else None
    style = rng.choice(STYLES)
    p = _Pieces(rng)
    if rng.random() < 0.35:
        p.add("other", rng.choice(["{n}. ", "[{n}] ", "• ", "{n}) ", "{n} "]).format(n=rng.randint(1, 80)))

    max_auth = {"vancouver": 6, "apa": 20, "harvard": 3}.get(style, 6)
    etal = len(authors) > max_auth or (len(authors) > 2 and rng.random() < 0.15)
    shown = authors[: rng.choice([1, 3, max_auth])] if etal else authors
    last_join = {"vancouver": ", ", "apa": ", & "}.get(style, rng.choice([" and ", ", and ", " & "]))
    for i, a in enumerate(shown):
        if i:
            p.add("author", last_join if i == len(shown) - 1 and not etal else ", ")
        p.add("author", _name(a, style, i == 0, rng))
    if etal:
        p.add("author", rng.choice([", et al", " et al", ", et al.", " et al."]))
    year_first = style in ("apa", "harvard") or (style in ("acm", "chicago") and rng.random() < 0.3)
    ytxt = str(year) + (rng.choice("ab") if year_first and rng.random() < 0.05 else "")
    dot = "" if p.text.endswith(".") else "."
    if not year_first:
        p.add("other", dot)
    elif style == "apa" or rng.random() < 0.6:
        p.field("date", ytxt, dot + " (" if style == "apa" else " (", ").")
    else:
        p.field("date", ytxt, dot + " ", ".")

    quoted = style == "ieee" or (style == "chicago" and kind != "book")
    end = "" if title[-1] in "?!." else "," if style == "ieee" else "."
    p.field("title", _damage(title, rng), " “" if quoted else " ", end + ("”" if quoted else ""))
    cont = _damage(container, rng) if container and kind != "book" else None
    if kind == "chapter":
        eds = rng.sample(pool, k=rng.randint(1, 3)) if rng.random() < 0.5 else []
        ed = ", ".join(_name(e, "ieee" if style == "apa" else style, False, rng) for e in eds)
        p.add("other", " In: " if style == "vancouver" else " In ")
        p.field("editor", ed, "", {"vancouver": ", editors. ", "apa": " (Eds.), "}.get(style, " (eds), "))
        p.field("container", cont)
    elif cont:
        p.field("container", cont, " ")
    if kind != "article":
        if style == "apa":
            p.field("pages", page, " (pp. ", ")")
            p.field("publisher", publisher, ". ")
        else:
            p.field("location", place, ". " if cont else " ", ":")
            p.field("publisher", publisher, " " if place else ". " if cont else " ")
            if not year_first:
                p.field("date", str(year), "; " if style == "vancouver" else ", ")
            p.field("pages", page, ". p. " if style == "vancouver" else ", pp. ")
    elif style == "vancouver":
        month = f" {rng.choice(['Jan', 'Mar', 'Jun', 'Oct'])}" if rng.random() < 0.2 else ""
        p.field("date", f"{year}{month}", ". ")
        p.field("volume", vol, ";")
        p.field("issue", iss, "(", ")")
        p.field("pages", page, ":")
    elif style in ("ieee", "acm") or (style == "harvard" and rng.random() < 0.3):
        p.field("volume", vol, ", vol. ")
        p.field("issue", iss, ", no. ")
        p.field("pages", page, ", pp. ")
        if not year_first:
            p.field("date", str(year), ", ")
    elif style == "chicago":
        p.field("volume", vol, " ")
        p.field("issue", iss, ", no. ")
        if not year_first:
            p.field("date", str(year), " (", ")")
        p.field("pages", page, ": ")
    else:  # APA / Harvard
        p.field("volume", vol, ", ")
        p.field("issue", iss, "(", ")")
        p.field("pages", page, ", pp. " if style == "harvard" and rng.random() < 0.5 else ", ")
    p.add("other", "" if p.text.endswith(".") else ".")
    if doi and rng.random() < 0.6:
        form = rng.choice(["doi:{d}", "https://doi.org/{d}", "DOI: {d}", "doi: {d}", "http://dx.doi.org/{d}"])
        p.field("doi", form.format(d=doi), " ", "." if rng.random() < 0.3 else "")
    if rng.random() < 0.05:
        p.field("note", str(rng.randint(10**6, 4 * 10**7)), " PMID: ")
    return p.text, p.spans


def crossref_records(data_dir: Path, held: bool) -> list[dict]:
    """Crossref messages in the training part (``held=False``) or the held-out part."""
    msgs = (json.loads(line)["message"] for line in open(data_dir / "crossref-works.jsonl", encoding="utf-8"))
    return [m for m in msgs if m.get("DOI") and held_out(m["DOI"]) == held]


def synthetic(msgs: list[dict], rng: random.Random, copies: int) -> list[tuple[str, list]]:
    pool = [a for m in msgs for a in m.get("author") or [] if a.get("family") and a.get("given")]
    out = []
    for msg in msgs:
        for _ in range(copies):
            ex = synth(msg, rng, pool)
            if ex:
                out.append(ex)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(REPO / "src" / "reflint" / "data" / "parser.crfsuite"))
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--no-anystyle", action="store_true", help="leave AnyStyle's training half out")
    ap.add_argument(
        "--dev",
        action="store_true",
        help="keep back what held_out() picks from GROBID train and the AnyStyle "
        "training half (scored by parse_accuracy.py --dev)",
    )
    ap.add_argument("--copies", type=int, default=4, help="synthetic strings per Crossref record")
    ap.add_argument("--anystyle-copies", type=int, default=1, help="times each AnyStyle training string is repeated")
    ap.add_argument("--c1", type=float, default=0.2)
    ap.add_argument("--c2", type=float, default=0.01)
    ap.add_argument("--iterations", type=int, default=300)
    args = ap.parse_args()
    import pycrfsuite

    data_dir = Path(args.data_dir)
    rng = random.Random(SEED)
    grobid = grobid_train(data_dir, args.dev)
    synth_ex = [] if args.no_synthetic else synthetic(crossref_records(data_dir, False), rng, args.copies)
    anystyle = [] if args.no_anystyle else anystyle_train(data_dir, args.dev)
    held = " (minus the --dev part)" if args.dev else ""
    print(f"{data_dir / 'grobid-citations.jsonl'} split=train{held}: {len(grobid)} strings")
    print(
        f"{data_dir / 'anystyle-gold.jsonl'} training half (MD5 of id even){held}: "
        f"{len(anystyle)} strings x {args.anystyle_copies}"
    )
    print(
        f"{data_dir / 'crossref-works.jsonl'}: {len(synth_ex)} synthetic strings "
        f"({args.copies} per record, the held-out tenth of records excluded)"
    )
    examples = grobid + anystyle * args.anystyle_copies + synth_ex
    rng.shuffle(examples)
    t0 = time.time()
    trainer = pycrfsuite.Trainer(verbose=False)
    for text, spans in examples:
        trainer.append(*to_example(text, spans))
    trainer.set_params(
        {
            "c1": args.c1,
            "c2": args.c2,
            "max_iterations": args.iterations,
            "feature.minfreq": 2,
            "feature.possible_transitions": True,
        }
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    trainer.train(args.out)
    size = Path(args.out).stat().st_size
    print(f"trained on {len(examples)} strings in {time.time() - t0:.0f}s -> {args.out} " f"({size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
