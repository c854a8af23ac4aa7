"""Build the RL401 suggestion set: citing paragraphs written from real Crossref records.

    python benchmarks/make_citation_set.py   # writes benchmarks/data/citation-set.jsonl

For each record of ``benchmarks/data/citation-works.jsonl`` (real Crossref journal articles,
MIT; see the data README) a short paragraph about the work's topic is written from its title
and subjects with one of the templates below, closed by an author-year citation of its first
author and year. The words are varied the way writers vary them (plural and singular,
"effective" for "effectiveness", parts of the title left out, the topic named a sentence before
the citation), deterministically from the DOI.

Three kinds of case, with the truth each implies:

* ``present``: the work is in the registry; the right suggestion is its DOI.
* ``absent``: the work is left out of the registry (a third of the records); any suggestion is
  wrong, though other works of that author and year may be there.
* ``other-topic``: the author and year of a registered work, a paragraph about another work's
  topic; any suggestion is wrong.

``split`` is ``tune`` or ``held-out`` by the parity of the first byte of sha1(DOI): the
matcher was tuned on ``tune`` only; benchmarks/citation_suggest.py reports ``held-out``.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
WORKS, OUT = DATA / "citation-works.jsonl", DATA / "citation-set.jsonl"

SMALL = set(
    "a an and are as at by for from in into is of on or the to with without via versus vs "
    "its their our new using based after during between among under over".split()
)

# {topic}: the work's topic (part of its title); {rest}: the remaining title words;
# {field}: a subject area; {cite}: the closing citation.
TEMPLATES = [
    "Interest in {field} keeps growing. One line of work concerns {topic}. Careful measurements "
    "of {rest} have since clarified much of it {cite}.",
    "Writers often ask about {topic}. The short answer depends on {rest}, as a detailed report " "showed {cite}.",
    "In {field}, {topic} has received attention, and {rest} with it. The question was examined " "directly {cite}.",
    "{Topic} is not a simple matter. A closer look at {rest} was published some time ago {cite}.",
    "Much has been written on {topic} and {rest}. We follow the account given by {narrative}.",
    "Readers of this page may wonder about {topic}. This is described in {field} journals, with "
    "{rest} covered most clearly by {narrative}.",
    "Here we summarise {topic}. The original work reported on {rest} in some detail {cite}.",
    "What do we know about {topic}? Quite a lot about {rest}, for {field} at least {cite}.",
]


def seeded(doi: str) -> random.Random:
    return random.Random(int(hashlib.sha1(doi.lower().encode()).hexdigest(), 16))


def split_of(doi: str) -> str:
    return "held-out" if hashlib.sha1(doi.lower().encode()).digest()[0] % 2 else "tune"


def vary(word: str, rng: random.Random) -> str:
    """How a writer might bend one title word: number, -ness/-ive, -ity/-e."""
    w = word.lower()
    options = []
    if w.endswith("ness"):
        options.append(w[:-4])
    if w.endswith("ive"):
        options.append(w + "ness")
    if w.endswith("ies"):
        options.append(w[:-3] + "y")
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 4:
        options.append(w[:-1])
    elif w.isalpha() and w.endswith(("ion", "ment", "er", "or", "ist", "ure", "ance", "ence", "ant", "ent")):
        options.append(w + "s")  # nouns by their endings: "interventions", "patterns"
    if w.endswith("ation"):
        options.append(w[:-5] + "ed")
    return rng.choice(options) if options and rng.random() < 0.35 else w


def topic_parts(title: str, rng: random.Random) -> tuple[str, str]:
    """(topic, rest): the main title split in two, lower-cased, a word or two dropped or bent."""
    main = re.split(r"[:?]\s|\s[-\u2013\u2014]\s|\.\s", re.sub(r"<[^>]+>", "", title))[0]
    words = [w.strip(".,;()[]\"'") for w in main.split()]
    words = [w for w in words if w]
    content = [i for i, w in enumerate(words) if w.lower() not in SMALL]
    drop = set(rng.sample(content, k=len(content) // 5)) if len(content) > 4 else set()
    kept = [vary(w, rng) if i in content else w.lower() for i, w in enumerate(words) if i not in drop]
    cut = max(2, min(len(kept) - 1, len(kept) // 2 + rng.randint(0, 1))) if len(kept) > 3 else len(kept)
    topic, rest = " ".join(kept[:cut]), " ".join(kept[cut:])
    while rest.split() and rest.split()[0] in SMALL:  # "of the X": start the rest at X
        rest = " ".join(rest.split()[1:])
    return topic, rest or "its main findings"


def citation(record: dict, rng: random.Random) -> tuple[str, str, str]:
    """(parenthetical, narrative, family) in the styles writers use."""
    authors = record["author"]
    family = authors[0].get("family") or authors[0].get("name")
    year = record["issued"]["date-parts"][0][0]
    many = len(authors) > 2
    name = (
        f"{family} et al."
        if many
        else (f"{family} and {authors[1]['family']}" if len(authors) == 2 and authors[1].get("family") else family)
    )
    paren = rng.choice([f"({name}, {year})", f"({name} {year})"]).replace(
        " and ", " & ", 1 if rng.random() < 0.5 else 0
    )
    return paren, f"{name} ({year})", family


def paragraph(record: dict, topic_record: dict, rng: random.Random) -> tuple[str, str]:
    title = topic_record["title"][0]
    topic, rest = topic_parts(title, rng)
    subjects = topic_record.get("subject") or topic_record.get("container-title") or ["this field"]
    field = rng.choice(subjects).lower().replace("general ", "").replace(" (miscellaneous)", "")
    paren, narrative, family = citation(record, rng)
    template = rng.choice(TEMPLATES)
    text = template.format(
        topic=topic, Topic=topic[:1].upper() + topic[1:], rest=rest, field=field, cite=paren, narrative=narrative
    )
    return text, family


def build() -> list[dict]:
    records = [json.loads(line)["message"] for line in WORKS.open(encoding="utf-8")]
    cases = []
    for i, record in enumerate(records):
        doi = record["DOI"]
        rng = seeded(doi)
        absent = rng.random() < 1 / 3
        text, family = paragraph(record, record, rng)
        year = str(record["issued"]["date-parts"][0][0])
        cases.append(
            {
                "id": f"{doi}#own",
                "split": split_of(doi),
                "kind": "absent" if absent else "present",
                "paragraph": text,
                "family": family,
                "year": year,
                "truth": None if absent else doi,
                "registry_excludes": doi if absent else None,
            }
        )
        if not absent and rng.random() < 0.5:  # the author's year, another work's topic
            other = records[(i + 1 + rng.randrange(len(records) - 1)) % len(records)]
            text, family = paragraph(record, other, rng)
            cases.append(
                {
                    "id": f"{doi}#other",
                    "split": split_of(doi),
                    "kind": "other-topic",
                    "paragraph": text,
                    "family": family,
                    "year": year,
                    "truth": None,
                    "registry_excludes": None,
                }
            )
    return cases


def main() -> None:
    cases = build()
    with OUT.open("w", encoding="utf-8") as fh:
        for case in cases:
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")
    kinds = {}
    for c in cases:
        kinds[(c["split"], c["kind"])] = kinds.get((c["split"], c["kind"]), 0) + 1
    print(f"wrote {len(cases)} cases to {OUT}: " + ", ".join(f"{s}/{k} {n}" for (s, k), n in sorted(kinds.items())))


if __name__ == "__main__":
    main()
