"""Pandoc and Quarto citation keys are checked against the bibliography the front matter names."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reflint import documents
from reflint.config import DEFAULTS, Config
from reflint.linter import Linter

BIB = textwrap.dedent("""\
    @article{gattie2017effectiveness,
      author = {Gattie, Eric and Cleland, Joshua A. and Snodgrass, Suzanne},
      title = {The Effectiveness of Trigger Point Dry Needling},
      journal = {J Orthop Sports Phys Ther}, year = {2017}, doi = {10.2519/jospt.2017.7096}}

    @article{zhou2015dry,
      author = {Zhou, Kehua and Ma, Yan and Brogan, Michael S.},
      title = {Dry needling versus acupuncture: the ongoing debate},
      journal = {Acupunct Med}, year = {2015}}
    """)


def post(folder: Path, body: str, bib: str = "index.bib", extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.bib").write_text(BIB, "utf-8")
    page = folder / "index.qmd"
    page.write_text(f"---\ntitle: Needling\nbibliography: {bib}\n{extra}---\n\n{body}\n", "utf-8")
    return page


def check(page: Path, code: str) -> list:
    linter = Linter(Config({**DEFAULTS, "select": [code]}))
    return linter.lint_document(documents.load(str(page))).diagnostics


def test_an_unknown_key_in_a_quarto_post_is_one_rl401(tmp_path):
    page = post(
        tmp_path / "post",
        "Needling helps [@gattie2017effectiveness], maybe [@nosuchkey2020]; "
        "acupuncture differs (@fig-sites, @zhou2015dry).",
    )
    found = check(page, "RL401")
    assert [d.data["keys"] for d in found] == [["nosuchkey2020"]]
    assert "index.bib" in found[0].message


def test_narrative_keys_count_only_when_they_look_like_keys(tmp_path):
    page = post(
        tmp_path / "post",
        "As @gattie2017effectiveness found, and @zhou2015dry argued; "
        "the `@param` tag and @v0 are not citations, @smith2019trial is.",
    )
    assert [d.data["keys"] for d in check(page, "RL401")] == [["smith2019trial"]]


def test_an_owned_bibliography_entry_never_cited_is_rl402(tmp_path):
    page = post(tmp_path / "post", "Needling helps [@gattie2017effectiveness].")
    found = check(page, "RL402")
    assert [(d.data["key"], documents.load(str(page)).position(d.start)[0]) for d in found] == [("zhou2015dry", 3)]


def test_nocite_and_shared_bibliographies_are_not_blamed_on_the_page(tmp_path):
    nocite = post(tmp_path / "a", "Needling helps [@gattie2017effectiveness].", extra="nocite: |\n  @zhou2015dry\n")
    assert check(nocite, "RL402") == []
    shared = post(tmp_path / "b", "Needling helps [@gattie2017effectiveness].")
    (shared.parent / "other.md").write_text("Another page.\n", "utf-8")
    assert check(shared, "RL402") == []


def test_a_missing_bibliography_is_a_note_not_a_flood_of_rl401(tmp_path):
    page = post(tmp_path / "post", "Needling helps [@nosuchkey2020].", bib="missing.bib")
    assert check(page, "RL401") == []
    run = Linter(Config({**DEFAULTS, "select": ["RL401"]})).lint_paths([str(page)])
    assert any("missing.bib" in note and "cannot be read" in note for note in run.notes)


def test_an_edited_bibliography_is_read_again_by_a_warm_run(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from reflint.cli import main

    monkeypatch.setenv("REFLINT_CACHE_DIR", str(tmp_path / "cache"))
    page = post(tmp_path / "post", "Needling helps [@nosuchkey2020].")
    args = ["check", "--offline", "--select", "RL401", "--jobs", "1", str(page)]
    assert CliRunner().invoke(main, args).exit_code == 1
    bib = page.parent / "index.bib"
    bib.write_text(BIB + "\n@misc{nosuchkey2020, title = {Now it exists}, year = {2020}}\n", "utf-8")
    assert CliRunner().invoke(main, args).exit_code == 0
