"""The references/ library on disk: file names a writer expects, normal permissions, each work
once in the single layout, and nothing in it that `reflint check` would report."""

from __future__ import annotations

import os
import stat

import bibtexparser
import pytest

from helpers import invoke

PYNE = (
    "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. "
    "doi:10.1093/rheumatology/ken161"
)
PYNE_NO_DOI = "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology (Oxford). 2008;47(8):1132-6."
MEAKINS = (
    "Meakins A. Acupuncture: what's the point? Br J Sports Med. 2017;51(6):484. " "doi:10.1136/bjsports-2016-096248"
)
OTHER_PYNE = (
    "Pyne D, Shenker NG. Demystifying the acupuncture debate. Clin Med. 2008;8(1):10-12. "
    "doi:10.7861/clinmedicine.8-1-10"
)


def page(*entries: str) -> str:
    return "Acupuncture is debated.\n\n## References\n\n" + "".join(f"- {e}\n" for e in entries)


def make(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def test_files_are_named_by_the_document_stem_and_keep_folders(tmp_path):
    make(
        tmp_path,
        {
            "kb/dry-needling.md": page(PYNE),
            "kb/sub/dry-needling.md": page(MEAKINS),
            "kb/refs.bib": "@article{x, title={T}, author={A, B}, year={2020}}\n",
        },
    )
    assert invoke("bib", "kb", cwd=tmp_path).exit_code == 0
    out = tmp_path / "references"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.bib")) == [
        "dry-needling.bib",
        "refs.bib",
        "sub/dry-needling.bib",
    ]


def test_documents_sharing_a_stem_keep_their_suffixes(tmp_path):
    make(
        tmp_path,
        {
            "kb/faq.md": page(PYNE),
            "kb/faq.html": "<h2>References</h2><ol><li>" + MEAKINS + "</li></ol>",
            "kb/other.md": page(MEAKINS),
        },
    )
    assert invoke("bib", "kb", cwd=tmp_path).exit_code == 0
    assert sorted(p.name for p in (tmp_path / "references").iterdir()) == ["faq.html.bib", "faq.md.bib", "other.bib"]


def test_same_names_given_as_files_do_not_overwrite_each_other(tmp_path):
    make(tmp_path, {"a/notes.md": page(PYNE), "b/notes.md": page(MEAKINS)})
    assert invoke("bib", "a/notes.md", "b/notes.md", cwd=tmp_path).exit_code == 0
    written = sorted(
        p.relative_to(tmp_path / "references").as_posix() for p in (tmp_path / "references").rglob("*.bib")
    )
    assert written == ["a/notes.md.bib", "b/notes.md.bib"]


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_files_get_the_permissions_the_umask_gives(tmp_path, umask, mode):
    make(tmp_path, {"kb/a.md": page(PYNE)})
    old = os.umask(umask)
    try:
        assert invoke("bib", "kb", cwd=tmp_path).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "references" / "a.bib").stat().st_mode) == mode


def test_a_rewritten_file_keeps_its_permissions(tmp_path):
    make(tmp_path, {"kb/a.md": page(PYNE)})
    assert invoke("bib", "kb", cwd=tmp_path).exit_code == 0
    target = tmp_path / "references" / "a.bib"
    target.chmod(0o640)
    make(tmp_path, {"kb/a.md": page(PYNE, MEAKINS)})
    assert invoke("bib", "kb", cwd=tmp_path).exit_code == 0
    assert "meakins2017acupuncture" in target.read_text("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_single_layout_writes_each_work_once_under_the_first_key(tmp_path):
    """The same DOI twice, and the same work without its DOI, are one entry; a different
    work whose key would clash gets `a`."""
    make(
        tmp_path,
        {
            "kb/a.md": page(PYNE),
            "kb/b.md": page(PYNE_NO_DOI, MEAKINS),
            "kb/c.md": page(OTHER_PYNE, PYNE),
            "kb/lib.bib": "@article{mykey, title={Acupuncture: what's the point?}, author={Meakins, A.},"
            " journal={BJSM}, year={2017}, doi={10.1136/bjsports-2016-096248}}\n",
            "reflint.toml": 'bib-layout = "single"\n',
        },
    )
    assert invoke("bib", "kb", cwd=tmp_path).exit_code == 0
    assert [p.name for p in (tmp_path / "references").iterdir()] == ["library.bib"]
    library = bibtexparser.parse_string((tmp_path / "references" / "library.bib").read_text("utf-8"))
    assert not library.failed_blocks
    keys = sorted(e.key for e in library.entries)
    assert keys == ["meakins2017acupuncture", "pyne2008demystifying", "pyne2008demystifyinga"]
    dois = [e["doi"].lower() for e in library.entries if "doi" in e.fields_dict]
    assert len(dois) == len(set(dois))
    assert invoke("bib", "kb", "--check", cwd=tmp_path).exit_code == 0


def test_what_bib_writes_passes_check(tmp_path):
    """Damaged DOIs in the sources are written repaired or not at all, keys are unique, an
    unparseable entry is a @misc note: `reflint check references/` has nothing to say."""
    make(
        tmp_path,
        {
            "kb/a.md": page(
                "Dommerholt J. Trigger point dry needling. J Man Manip Ther. "
                "2006;14(4):70E-87E. doi:1179/jmt.2006.14.4.70E",
                "Hall ML, et al. Effects of dry needling: a review. Physiotherapy. "
                "2018;104(2):167-177. doi:10.1016/",
                "Personal communication with a clinic, see our website",
            ),
            "kb/b.bib": "@article{w, title={Monkeypox in the {UK}}, author={Ward, T.}, journal={BMJ},"
            " year={2022}, doi={http://dx.doi.org/10.1136/ bmj-2022-073153}}\n",
        },
    )
    assert invoke("bib", "kb", cwd=tmp_path).exit_code == 0
    text = (tmp_path / "references" / "a.bib").read_text("utf-8")
    assert "doi = {10.1179/jmt.2006.14.4.70E}" in text
    assert "10.1016/}" not in text
    assert "@misc{anonndpersonal,\n  note = {Personal communication with a clinic, see our website}\n}" in text
    assert "doi = {10.1136/bmj-2022-073153}" in (tmp_path / "references" / "b.bib").read_text("utf-8")
    assert "{UK}" in (tmp_path / "references" / "b.bib").read_text("utf-8")
    checked = invoke("check", "references", "--select", "ALL", cwd=tmp_path)
    assert checked.exit_code == 0, checked.output
