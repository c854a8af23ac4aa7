"""Real published articles are close to clean: reflint must say only what is true of them.

The four PLOS articles in tests/data/plos-articles (CC BY 4.0) hold the shapes that made false
alarms (issue 8); ``benchmarks/false_alarms.py`` measures the same on all 37.
"""

from __future__ import annotations

from pathlib import Path

from reflint.config import DEFAULTS, Config
from reflint.linter import Linter

ARTICLES = Path(__file__).parent / "data" / "plos-articles"


def test_real_articles_draw_only_their_real_defects():
    run = Linter(Config(dict(DEFAULTS))).lint_paths([str(ARTICLES)])
    found = sorted((Path(d.path).name, d.code, f.doc.position(d.start)[0]) for f in run.files for d in f.diagnostics)
    assert found == [
        ("10.1371_journal.pone.0116586.md", "RL303", 106),  # entry 42 repeats entry 21
        ("10.1371_journal.pone.0116586.md", "RL402", 119),  # entry 55 is never cited
    ]


def test_every_entry_of_a_long_numbered_list_is_read():
    run = Linter(Config(dict(DEFAULTS))).lint_paths([str(ARTICLES / "10.1371_journal.pcbi.1004082.md")])
    refs = run.files[0].extraction.references
    assert [r.label for r in refs] == [str(n) for n in range(1, len(refs) + 1)] and len(refs) == 42
