"""Build a large corpus of Markdown articles from a few real ones, for speed and memory runs.

Each copy of an article is varied (the years in its reference list shift by the copy's
number), so every copy's references are new strings for the parser and its cache, as they
would be in a real repository, while their shape stays real.

    python benchmarks/corpus.py OUT_DIR [--files 1500] [--source DIR]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

SOURCE = Path("/work/shared/data/documents/plos-articles")
_YEAR = re.compile(r"(?<![\d./])(19[5-9]\d|20[0-2]\d)(?![\d/])")


def _vary(text: str, copy: int) -> str:
    head, sep, refs = text.partition("## References")
    if not sep or copy == 0:
        return text
    return head + sep + _YEAR.sub(lambda m: str(int(m.group(1)) - copy % 40 - 1), refs)


def build(out: Path, files: int, source: Path = SOURCE) -> tuple[int, int]:
    """Write ``files`` articles into ``out``; returns (files, bytes)."""
    articles = sorted(source.glob("*.md"))
    if not articles:
        raise SystemExit(f"no .md articles in {source}")
    out.mkdir(parents=True, exist_ok=True)
    texts = [a.read_text("utf-8") for a in articles]
    size = 0
    for i in range(files):
        copy, k = divmod(i, len(texts))
        text = _vary(texts[k], copy)
        size += (out / f"a{i:05d}-{articles[k].stem}.md").write_text(text, "utf-8")
    return files, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    files, size = build(args.out, args.files, args.source)
    print(f"wrote {files} files ({size / 1e6:.1f} MB) to {args.out}")


if __name__ == "__main__":
    main()
