"""Table-driven tests for reflint.documents and reflint.html_text."""

from __future__ import annotations

import codecs
import json
import html
import os
import random
import time
from pathlib import Path

import pytest
from helpers import invoke

from reflint import documents
from reflint.discovery import discover
from reflint.documents import DocumentError, from_text, load, write
from reflint.html_text import visible_text


def make(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def rel(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


# --------------------------------------------------------------------------- discovery

TREE = {
    "a.md": "",
    "b.markdown": "",
    "c.txt": "",
    "d.html": "",
    "e.htm": "",
    "f.bib": "",
    "g.rst": "",
    "h.py": "",
    "UPPER.MD": "",
    ".hidden.md": "",
    "sub/deep/i.md": "",
    "docs/j.md": "",
    "docs/drafts/k.md": "",
    ".git/l.md": "",
    ".venv/m.md": "",
    "node_modules/pkg/n.md": "",
    "sub/.cache/o.md": "",
}
ALL = [
    ".hidden.md",
    "UPPER.MD",
    "a.md",
    "b.markdown",
    "c.txt",
    "d.html",
    "docs/drafts/k.md",
    "docs/j.md",
    "e.htm",
    "f.bib",
    "sub/deep/i.md",
]


@pytest.mark.parametrize(
    "files, args, kwargs, expected",
    [
        pytest.param(TREE, ["."], {}, ALL, id="suffixes-recursion-hidden-dirs"),
        pytest.param(TREE, ["."], {"include": ["docs/"]}, ["docs/drafts/k.md", "docs/j.md"], id="include-dir"),
        pytest.param(
            TREE,
            ["."],
            {"include": ["*.md"], "exclude": ["drafts/"]},
            [".hidden.md", "a.md", "docs/j.md", "sub/deep/i.md"],
            id="include-and-exclude",
        ),
        pytest.param(
            TREE,
            ["."],
            {"exclude": ["*.md", "!a.md", "*.bib", "sub"]},
            ["UPPER.MD", "a.md", "b.markdown", "c.txt", "d.html", "e.htm"],
            id="exclude-negation",
        ),
        pytest.param(TREE, ["docs"], {"exclude": ["/docs/drafts"]}, ["docs/j.md"], id="anchored-relative-to-cwd"),
        pytest.param(
            {"kb/a.md": "", "kb/b.md": "", "c.md": ""},
            ["kb", "kb/a.md", "./kb/b.md", "kb/../c.md"],
            {},
            ["c.md", "kb/a.md", "kb/b.md"],
            id="dedupe-and-sort",
        ),
        pytest.param(
            {
                ".gitignore": "build/\n*.txt\n# comment\n",
                "build/x.md": "",
                "a.txt": "",
                "a.md": "",
                "kb/.gitignore": "private.md\n!keep.txt\n/top.md\n",
                "kb/private.md": "",
                "kb/keep.txt": "",
                "kb/top.md": "",
                "kb/sub/top.md": "",
                "kb/sub/private.md": "",
                "kb/sub/drop.txt": "",
            },
            ["."],
            {},
            ["a.md", "kb/keep.txt", "kb/sub/top.md"],
            id="nested-gitignore",
        ),
        pytest.param(
            {".gitignore": "build/\n*.txt\n", "build/x.md": "", "a.txt": "", "a.md": ""},
            ["."],
            {"respect_gitignore": False},
            ["a.md", "a.txt", "build/x.md"],
            id="gitignore-off",
        ),
        pytest.param(  # explicit files are taken even when ignored or excluded (ruff's rule)
            {".gitignore": "*.md\n", "a.md": "", "b.md": ""},
            ["a.md"],
            {"exclude": ["a.md"]},
            ["a.md"],
            id="explicit-file-bypasses-filters",
        ),
        pytest.param(
            {"a.md": "", "b.md": ""},
            ["a.md", "b.md"],
            {"exclude": ["a.md"], "force_exclude": True},
            ["b.md"],
            id="force-exclude",
        ),
        pytest.param(
            {"kb/a.md": "", "other/b.md": ""}, ["kb"], {"root": "kb", "exclude": ["/a.md"]}, [], id="root-for-patterns"
        ),
    ],
)
def test_discover(tmp_path, monkeypatch, files, args, kwargs, expected):
    make(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    found, notes = discover(args, **kwargs)
    assert rel(found, tmp_path) == expected
    assert all(p.is_absolute() for p in found)
    assert notes == []


def test_discover_parent_gitignore_inside_repo(tmp_path, monkeypatch):
    make(tmp_path, {".gitignore": "kb/drafts/\n", "kb/a.md": "", "kb/drafts/b.md": ""})
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "kb")
    assert rel(discover(["."])[0], tmp_path) == ["kb/a.md"]
    # a directory the user names explicitly is wanted, even if git ignores it
    assert rel(discover(["drafts"])[0], tmp_path) == ["kb/drafts/b.md"]
    # outside a git repository, .gitignore files above the walked root do not apply
    (tmp_path / ".git").rmdir()
    assert rel(discover(["."])[0], tmp_path) == ["kb/a.md", "kb/drafts/b.md"]


@pytest.mark.parametrize(
    "args, note",
    [
        (["missing.md"], "missing.md: no such file or directory - check the path"),
        (
            ["notes.rst"],
            "notes.rst: skipped: unknown file type - reflint reads .md, .markdown, .qmd, .rmd, .txt, .html, .htm, .bib",
        ),
        (["dir/../missing"], "dir/../missing: no such file or directory - check the path"),
        (["dangling.md"], "dangling.md: broken symbolic link - fix or remove the link"),
    ],
)
def test_discover_notes(tmp_path, monkeypatch, args, note):
    make(tmp_path, {"notes.rst": "", "ok.md": "", "dir/x.md": ""})
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    monkeypatch.chdir(tmp_path)
    found, notes = discover(args + ["ok.md"])
    assert rel(found, tmp_path) == ["ok.md"]
    assert notes == [note]


def test_discover_skips_symlinked_dirs_and_invalid_gitignore_is_a_note(tmp_path, monkeypatch):
    make(tmp_path, {"real/a.md": "", ".gitignore": "[z-a]\n"})
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    found, notes = discover(["."])
    assert rel(found, tmp_path) == ["real/a.md"]
    assert (
        len(notes) == 1 and notes[0].startswith(".gitignore: not used (") and notes[0].endswith(") - fix or remove it")
    )


@pytest.mark.parametrize("pattern", ["!", "[z-a]", "a\\"])
def test_discover_invalid_pattern_is_a_document_error(tmp_path, monkeypatch, pattern):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DocumentError, match=r"^<exclude>: invalid glob pattern .* - fix the exclude setting$"):
        discover(["."], exclude=[pattern])


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    "name, data, text, encoding, bom",
    [
        ("utf8.md", "café – ok".encode(), "café – ok", "utf-8", False),
        ("bom.md", codecs.BOM_UTF8 + "café".encode(), "café", "utf-8", True),
        ("le.txt", codecs.BOM_UTF16_LE + "café\r\n".encode("utf-16-le"), "café\r\n", "utf-16-le", True),
        ("be.txt", codecs.BOM_UTF16_BE + "café".encode("utf-16-be"), "café", "utf-16-be", True),
        ("u32.txt", codecs.BOM_UTF32_LE + "x".encode("utf-32-le"), "x", "utf-32-le", True),
        ("cp.md", b"pages 133\x96149 \x93q\x94", "pages 133–149 “q”", "cp1252", False),
        ("bad-utf8.md", b"caf\xc3\xa9 \xff\xfe tail", "cafÃ© ÿþ tail", "cp1252", False),
        ("latin.md", b"undefined in cp1252: \x81\x8d", "undefined in cp1252: \x81\x8d", "latin-1", False),
        (
            "meta.html",
            b'<meta charset="iso-8859-2"><p>\xb1</p>',
            '<meta charset="iso-8859-2"><p>ą</p>',
            "iso8859-2",
            False,
        ),
        (
            "meta2.html",
            b'<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">\x93\xfa',
            '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">日',
            "shift_jis",
            False,
        ),
        (
            "bogus-meta.html",
            b'<meta charset="nonsense"><p>\x96</p>',
            '<meta charset="nonsense"><p>–</p>',
            "cp1252",
            False,
        ),
        ("empty.md", b"", "", "utf-8", False),
    ],
)
def test_decode_and_round_trip(tmp_path, name, data, text, encoding, bom):
    path = tmp_path / name
    path.write_bytes(data)
    doc = load(path)
    assert (doc.text, doc.encoding, doc.bom) == (text, encoding, bom)
    write(doc, doc.text)
    assert path.read_bytes() == data  # untouched text gives the same bytes back
    doc = load(path)
    write(doc, doc.text + "Z")
    again = load(path)
    assert (again.text, again.encoding, again.bom) == (text + "Z", encoding, bom)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"text then a NUL \x00 byte",
        bytes(range(1, 9)) * 200,  # mostly control characters, no NUL
        codecs.BOM_UTF16_LE + b"\x00\xd8",  # BOM then an unpaired surrogate: judged as bytes
    ],
)
def test_binary_is_skipped(tmp_path, data):
    path = tmp_path / "x.md"
    path.write_bytes(data)
    with pytest.raises(DocumentError) as info:
        load(path, display="shown/x.md")
    assert str(info.value) == "shown/x.md: binary file, skipped - pass text files only"
    assert info.value.path == "shown/x.md"


@pytest.mark.parametrize(
    "data, newline",
    [
        (b"one\ntwo\n", "\n"),
        (b"one\r\ntwo\r\nthree", "\r\n"),
        (b"one\rtwo\rthree\r", "\r"),
        (b"a\r\nb\r\nc\nd", "\r\n"),  # mostly CRLF: CRLF
        (b"a\nb\nc\r\nd", "\n"),
        (b"no break", "\n"),
        (codecs.BOM_UTF8 + b"x\r\ny\r\n", "\r\n"),
    ],
)
def test_newlines_kept_byte_for_byte(tmp_path, data, newline):
    path = tmp_path / "n.md"
    path.write_bytes(data)
    doc = load(path)
    assert doc.newline == newline
    assert doc.text == data.removeprefix(codecs.BOM_UTF8).decode()  # not normalised
    write(doc, doc.text)
    assert path.read_bytes() == data
    fixed = doc.text.replace("a", "A").replace("one", "ONE")
    write(doc, fixed)
    assert path.read_bytes() == data.replace(b"a", b"A").replace(b"one", b"ONE")


def test_load_display_and_kind(tmp_path, monkeypatch):
    make(tmp_path, {"kb/page.HTM": "<p>x</p>", "kb/refs.bib": "@misc{a}", "kb/notes": "plain"})
    monkeypatch.chdir(tmp_path)
    doc = load(Path("kb/page.HTM"))
    assert (doc.path, doc.kind, doc.plain) == ("kb/page.HTM", "html", "\nx\n")
    assert load(tmp_path / "kb" / "refs.bib").path == "kb/refs.bib"  # absolute in, relative out
    assert load(Path("kb/notes"), display="NOTES").path == "NOTES"
    assert load(Path("kb/notes")).kind == "text"
    with pytest.raises(DocumentError, match="kb/gone.md: no such file or directory - check the path"):
        load(Path("kb/gone.md"))
    with pytest.raises(DocumentError, match="is a directory"):
        load(Path("kb"))


@pytest.mark.parametrize(
    "text, path, kind, expected_kind, plain",
    [
        ("<p>a &amp; b</p>", "x.html", None, "html", "\na & b\n"),
        ("<p>a</p>", "x.md", None, "markdown", "<p>a</p>"),
        ("x", "<string>", None, "text", "x"),
        ("<b>x</b>", "<string>", "html", "html", "x"),
        ("@book{k}", "refs.BIB", None, "bibtex", "@book{k}"),
    ],
)
def test_from_text(text, path, kind, expected_kind, plain):
    doc = from_text(text, path, kind)
    assert (doc.kind, doc.plain, doc.path) == (expected_kind, plain, path)
    if expected_kind != "html":
        assert doc.source_starts is None and doc.to_source(0, 1) == (0, 1)


def test_huge_single_line_loads_in_linear_time(tmp_path):
    path = tmp_path / "big.md"
    path.write_bytes(b"Gattie E. doi:10.2519/jospt.2017.7096; " * (5_000_000 // 39))
    started = time.perf_counter()
    doc = load(path)
    assert len(doc.text) > 4_900_000 and doc.line_starts == [0]
    assert time.perf_counter() - started < 5  # a generous bound: catches quadratic work only


# --------------------------------------------------------------------------- HTML


def check_maps(text: str, plain: str, starts, ends) -> None:
    """Every plain char comes from a source span that produces it."""
    assert len(starts) == len(ends) == len(plain)
    previous = 0
    for i, char in enumerate(plain):
        s, e = starts[i], ends[i]
        assert previous <= s < e <= len(text), (i, char)
        previous = s
        span = text[s:e]
        if span == char:
            continue
        if span.startswith("<"):
            assert char in "\n ", (i, span)
        elif span.startswith("&") and len(span) > 1:
            assert char in html.unescape(span).replace("\xa0", " "), (i, span)
        else:
            raise AssertionError((i, char, span))


@pytest.mark.parametrize(
    "source, plain",
    [
        ("<p>Gattie E, Cleland JA.</p>", "\nGattie E, Cleland JA.\n"),
        ("a<br>b<br/>c<hr />d", "a\nb\nc\nd"),
        ("<ul><li>one</li><li>two</ul>", "\n\none\n\ntwo\n"),
        ("<h2>References</h2>\n<ol><li>X</li></ol>", "\nReferences\n\n\n\nX\n\n"),
        ("<table><tr><td>[1]</td><td>Smith</td></tr></table>", "\n\n [1]  Smith \n\n"),
        ("Smith <i>et al.</i> <a href='https://doi.org/10.1/x'>link</a>", "Smith et al. link"),
        ("A&amp;B&nbsp;C &#8211; &#x2014; Caf&eacute; &lt;x&gt;", "A&B C – — Café <x>"),
        (
            "&copy 2020 &notit; &AMP &#150; &#0; &#99999999999999999999; &foo; & &#;",
            "© 2020 ¬it; & – \ufffd \ufffd &foo; & &#;",
        ),
        ("&NotEqualTilde; x", "\u2242\u0338 x"),
        ("<head><title>Title</title><style>p{}</style><meta charset=utf-8></head><body>Text</body>", "Text"),
        ("a<script type='x'>if (a < b && c > d) {}</script>b<SCRIPT>x</SCRIPT >c<script src=x />d", "abcd"),
        ("a<!-- hidden <p> -->b<!DOCTYPE html>c<?xml v?>d<![CDATA[x]]>e", "abcde"),
        ('<a title="x > y" href="z">t</a> <p class=a"b>u', "t \nu"),
        ("a < b, 3<4, <3 and <> and </ >", "a < b, 3<4, <3 and <> and "),
        ("<b unclosed tag at the end", "<b unclosed tag at the end"),
        ("text <!-- unclosed comment", "text <!-- unclosed comment"),
        ("<script>never closed<p>kept", "never closed\nkept"),
        ("<p<p>x", "x"),
        ("line1\r\n<p>line2</p>\r\n", "line1\r\n\nline2\n\r\n"),
        ("", ""),
    ],
)
def test_html_plain_text_and_maps(source, plain):
    doc = from_text(source, "x.html")
    assert doc.plain == plain
    check_maps(source, doc.plain, doc.source_starts, doc.source_ends)


@pytest.mark.parametrize(
    "source, word, in_source",
    [
        ("<p>See <b>Gattie</b> et al.</p>", "Gattie", "Gattie"),
        ("<li>Caf&eacute; study. doi:10.1/x&amp;y</li>", "Café", "Caf&eacute;"),
        ("<li>doi:10.1/x&amp;y</li>", "10.1/x&y", "10.1/x&amp;y"),
        ("<p>J Orthop<br>Sports</p>", "Orthop\nSports", "Orthop<br>Sports"),
        ("<p>x&nbsp;y</p>", "x y", "x&nbsp;y"),
    ],
)
def test_html_to_source(source, word, in_source):
    doc = from_text(source, "x.html")
    start = doc.plain.index(word)
    s, e = doc.to_source(start, start + len(word))
    assert source[s:e] == in_source


def test_html_fuzz_never_crashes_and_maps_stay_exact():
    rng = random.Random(0)
    alphabet = [
        "<",
        ">",
        "&",
        ";",
        "#",
        "x",
        "1",
        "/",
        "!",
        "-",
        "'",
        '"',
        "=",
        " ",
        "\n",
        "p",
        "a",
        "amp",
        "script",
        "style",
        "br",
        "<!--",
        "-->",
        "&nbsp;",
        "&#x41;",
        "td",
    ]
    for _ in range(400):
        source = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        plain, starts, ends = visible_text(source)
        check_maps(source, plain, starts, ends)


@pytest.mark.parametrize(
    "source",
    [
        "<p>Gattie E. <i>Title</i> &amp; more &#8211; x</p>\n" * 20_000,  # 1 MB of ordinary HTML
        "<a " * 300_000,  # tags that never close
        '<a x="' * 200_000 + ">",  # quotes that never close, with a ">" far away
        "<a x='1>'" * 100_000,  # every tag's quoted value runs on and fails: bounded, not quadratic
        "&" * 500_000 + "&amp" + "a" * 500_000,
        "&#" + "9" * 1_000_000,
        "<script>" * 200_000,
        "<!--" * 300_000,
        "<!" * 500_000,
        "<title>" * 100_000 + "</title" * 100_000,
    ],
    ids=[
        "ordinary",
        "unclosed-tags",
        "unclosed-quotes",
        "quote-after-gt",
        "ampersands",
        "digits",
        "scripts",
        "comments",
        "bangs",
        "raw-close-without-gt",
    ],
)
def test_html_pathological_input_is_linear(source):
    started = time.perf_counter()
    plain, starts, ends = visible_text(source)
    assert time.perf_counter() - started < 10  # generous: quadratic work would take hours
    assert len(starts) == len(plain)


# --------------------------------------------------------------------------- writing


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if "reflint-tmp" in p.name)


def loaded(tmp_path: Path, data: bytes = b"doi:10.1/x.\n", mode: int | None = None):
    path = tmp_path / "doc.md"
    path.write_bytes(data)
    if mode is not None:
        path.chmod(mode)
    return path, load(path)


def test_write_is_atomic_and_keeps_mode(tmp_path):
    path, doc = loaded(tmp_path, mode=0o640)
    inode = path.stat().st_ino
    write(doc, "doi:10.1/x\n")
    assert path.read_bytes() == b"doi:10.1/x\n"
    assert path.stat().st_mode & 0o777 == 0o640
    assert path.stat().st_ino != inode  # replaced by rename, never truncated in place
    assert leftovers(tmp_path) == []
    write(doc, "second\n")  # the same document may be written again
    assert path.read_bytes() == b"second\n"


def test_write_through_symlink_keeps_the_link(tmp_path):
    path, _ = loaded(tmp_path)
    link = tmp_path / "link.md"
    link.symlink_to(path)
    doc = load(link)
    write(doc, "new\n")
    assert link.is_symlink() and path.read_bytes() == b"new\n"


def deny_access(monkeypatch):
    monkeypatch.setattr(documents.os, "access", lambda path, mode, **kw: False)


def fail_replace(monkeypatch):
    def replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(documents.os, "replace", replace)


def fail_fsync(monkeypatch):
    def fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(documents.os, "fsync", fsync)


@pytest.mark.parametrize(
    "mode, sabotage, message",
    [
        # chmod 444: refused even for root, whom os.access would let through
        (0o444, None, "doc.md: permission denied - make it writable or run without --fix"),
        (0o644, deny_access, "doc.md: permission denied - make it writable or run without --fix"),
        (0o644, fail_replace, "doc.md: permission denied, file left unchanged - make it writable or run without --fix"),
        (
            0o644,
            fail_fsync,
            "doc.md: No space left on device, file left unchanged - make it writable or run without --fix",
        ),
    ],
    ids=["read-only", "no-access", "replace-fails", "disk-full"],
)
def test_write_refuses_and_leaves_file_unchanged(tmp_path, monkeypatch, mode, sabotage, message):
    monkeypatch.chdir(tmp_path)
    path, doc = loaded(tmp_path, mode=mode)
    if sabotage:
        sabotage(monkeypatch)
    with pytest.raises(DocumentError) as info:
        write(doc, "changed\n")
    assert str(info.value) == message
    assert path.read_bytes() == b"doi:10.1/x.\n"
    assert path.stat().st_mode & 0o777 == mode
    assert leftovers(tmp_path) == []


def test_write_vanished_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path, doc = loaded(tmp_path)
    path.unlink()
    with pytest.raises(DocumentError, match="doc.md: file vanished before it could be fixed"):
        write(doc, "changed\n")
    assert not path.exists() and leftovers(tmp_path) == []


def test_write_refuses_when_changed_on_disk(tmp_path):
    path, doc = loaded(tmp_path)
    path.write_bytes(b"edited meanwhile in an editor\n")
    with pytest.raises(DocumentError, match="changed on disk since it was read"):
        write(doc, "changed\n")
    assert path.read_bytes() == b"edited meanwhile in an editor\n"


@pytest.mark.parametrize(
    "data, new_text, where",
    [
        (b"pages 1\x962\n", "pages 1\u21922\n", "'→' at 1:8 cannot be written in cp1252"),
        (b"a\n\x81\n", "a\n\u4e00\n", "'一' at 2:1 cannot be written in latin-1"),
    ],
)
def test_write_unencodable_text_is_refused(tmp_path, data, new_text, where):
    path, doc = loaded(tmp_path, data)
    with pytest.raises(DocumentError, match=where):
        write(doc, new_text)
    assert path.read_bytes() == data and leftovers(tmp_path) == []


def test_document_error_format():
    error = DocumentError("kb/a.md", "binary file, skipped - pass text files only")
    assert str(error) == "kb/a.md: binary file, skipped - pass text files only"
    assert (error.path, error.message) == ("kb/a.md", "binary file, skipped - pass text files only")


def test_write_from_text_document_uses_its_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.md").write_text("old")
    write(from_text("old", "t.md"), "new")
    assert (tmp_path / "t.md").read_text() == "new"
    assert os.listdir(tmp_path) == ["t.md"]


# --------------------------------------------------------------------------- reflint's own output, links, leftovers

GENERATED_BIB = (
    "% Generated by reflint from a.md. Do not edit: run `reflint bib` to refresh.\n\n@article{x, doi = {1179/x}}\n"
)
GENERATED_HTML = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="generator" content="reflint 0.1.0">\n</head><body><p>doi:1179/x</p></body></html>\n'
)


def test_discover_never_takes_reflints_own_output(tmp_path, monkeypatch):
    make(
        tmp_path,
        {
            "a.md": "",
            "references/a.md.bib": GENERATED_BIB,
            "report.html": GENERATED_HTML,
            "mine.bib": "@article{x, doi = {1179/x}}\n",
            # the mark only counts where reflint puts it: a page about reflint is linted
            "about.html": "<p>Our page says &lt;meta name=generator content=reflint&gt;</p>\n",
            "notes.md": 'Write <meta name="generator" content="reflint"> in the head.\n',
            # `reflint check . > report.txt`: known by its shape, as text has no header
            "report.txt": "a.md:3:5: RL101 DOI `1179/x` is missing the `10.` prefix\n"
            "  fix (unsafe): Prepend `10.`: `10.1179/x`\n"
            "Found 1 problem. 1 more fixable with `--fix --unsafe-fixes`.\n",
            "clean.txt": "All checks passed.\n",
            "story.txt": "We ran the linter twice.\nFound 3 problems.\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    found, notes = discover(["."])
    assert rel(found, tmp_path) == ["a.md", "about.html", "mine.bib", "notes.md", "story.txt"]
    assert notes == []
    found, notes = discover(["references/a.md.bib", "report.html"])
    assert found == []
    assert notes == [
        "references/a.md.bib: generated by reflint, not linted - lint the documents it was made from",
        "report.html: generated by reflint, not linted - lint the documents it was made from",
    ]


def test_a_directory_named_explicitly_is_linted_even_if_excluded(tmp_path, monkeypatch):
    make(
        tmp_path,
        {"docs/a.md": "", "examples/b.md": "", "examples/sub/c.md": "", "tests/data/d.md": "", "tests/e.md": ""},
    )
    monkeypatch.chdir(tmp_path)
    exclude = ["examples/", "tests/data/", "*.tmp.md"]
    assert rel(discover(["."], exclude=exclude)[0], tmp_path) == ["docs/a.md", "tests/e.md"]
    assert rel(discover(["examples"], exclude=exclude)[0], tmp_path) == ["examples/b.md", "examples/sub/c.md"]
    assert rel(discover(["examples/sub/"], exclude=exclude)[0], tmp_path) == ["examples/sub/c.md"]
    assert rel(discover(["tests"], exclude=exclude)[0], tmp_path) == ["tests/e.md"]  # the rest still applies
    assert discover(["examples"], exclude=exclude, force_exclude=True)[0] == []  # pre-commit: excluded


def test_discover_follows_no_symlink_out_of_the_tree(tmp_path, monkeypatch):
    make(tmp_path, {"outside/secret.md": "doi:1179/x\n", "kb/a.md": "", "kb/sub/b.md": ""})
    (tmp_path / "kb/escape.md").symlink_to(tmp_path / "outside/secret.md")
    (tmp_path / "kb/alias.md").symlink_to(tmp_path / "kb/sub/b.md")  # inside: the same file once
    monkeypatch.chdir(tmp_path)
    found, notes = discover(["kb"])
    assert rel(found, tmp_path) == ["kb/a.md", "kb/sub/b.md"]
    assert notes == ["kb/escape.md: symbolic link to a file outside kb, not followed - name the file itself to lint it"]
    found, notes = discover(["kb/escape.md"])  # named explicitly: the user asked for it
    assert rel(found, tmp_path) == ["kb/escape.md"] and notes == []


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_stale_temp_files_are_removed_and_backups_reported(tmp_path, monkeypatch):
    make(
        tmp_path,
        {
            "kb/a.md": "",
            "kb/.a.md.x1y2z3w4.reflint-tmp": "half a fix",
            "kb/.a.md.young123.reflint-tmp": "a fix being written now",
            "kb/.b.md.k9k9k9k9.reflint-backup": "the original",
        },
    )
    age(tmp_path / "kb/.a.md.x1y2z3w4.reflint-tmp", 3600)
    age(tmp_path / "kb/.b.md.k9k9k9k9.reflint-backup", 3600)
    monkeypatch.chdir(tmp_path)
    for args in (["kb"], ["kb/a.md"]):  # walking a directory, or naming a file in it
        found, notes = discover(args)
        assert rel(found, tmp_path) == ["kb/a.md"]  # never linted
        assert leftovers(tmp_path / "kb") == [".a.md.young123.reflint-tmp"]
        assert notes[-1] == (
            "kb/.b.md.k9k9k9k9.reflint-backup: the original text of a file whose --fix was "
            "interrupted - compare it with the file, then remove it"
        )
        assert (tmp_path / "kb/.b.md.k9k9k9k9.reflint-backup").exists()
        make(tmp_path, {"kb/.a.md.x1y2z3w4.reflint-tmp": "half a fix"})
        age(tmp_path / "kb/.a.md.x1y2z3w4.reflint-tmp", 3600)
    assert "kb/.a.md.x1y2z3w4.reflint-tmp: removed, a temporary file left by an interrupted --fix" in notes


def test_write_keeps_hard_links_linked(tmp_path):
    path, doc = loaded(tmp_path, mode=0o640)
    other = tmp_path / "other-name.md"
    os.link(path, other)
    inode = path.stat().st_ino
    write(doc, "doi:10.1/x\n")
    assert other.read_bytes() == path.read_bytes() == b"doi:10.1/x\n"
    assert path.stat().st_ino == inode and path.stat().st_nlink == 2
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no backup left


def test_write_in_place_failure_puts_the_original_back(tmp_path, monkeypatch):
    path, doc = loaded(tmp_path)
    os.link(path, tmp_path / "other-name.md")
    calls = []
    real_fsync = os.fsync

    def fsync(fd):  # the backup's fsync succeeds, the rewrite's fails (disk full)
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(documents.os, "fsync", fsync)
    with pytest.raises(DocumentError, match="No space left on device, file left unchanged"):
        write(doc, "a much longer text that would have been written\n")
    assert path.read_bytes() == (tmp_path / "other-name.md").read_bytes() == b"doi:10.1/x.\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_write_in_place_names_the_backup_when_even_restoring_fails(tmp_path, monkeypatch):
    path, doc = loaded(tmp_path)
    os.link(path, tmp_path / "other-name.md")
    real_fsync, calls = os.fsync, []

    def fsync(fd):  # only the backup reaches the disk
        calls.append(fd)
        if len(calls) > 1:
            raise OSError(5, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(documents.os, "fsync", fsync)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DocumentError, match=r"the original text is in \.doc\.md\.\w+\.reflint-backup - restore it"):
        write(doc, "new\n")
    backups = [p for p in tmp_path.iterdir() if p.name.endswith(".reflint-backup")]
    assert len(backups) == 1 and backups[0].read_bytes() == b"doi:10.1/x.\n"


# --------------------------------------------------------------------------- the same, end to end

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = (
    "# Notes\n\nNeedling helps a little (Gattie et al. 2017).\n\n## References\n\n"
    "1. Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling. "
    "J Orthop Sports Phys Ther. 2017;47(3):133-149. doi:2519/jospt.2017.7096\n"
)


def test_bib_never_reads_its_own_output(tmp_path):
    make(
        tmp_path,
        {
            "docs/notes.md": DOCUMENT,  # and a .bib of the user's own kept in the library
            "references/mine.bib": "@article{mine, title={Kept by hand}, year={2019}}\n",
        },
    )
    for _ in range(3):  # the default path is ".", which holds references/ too
        assert invoke("bib", cwd=tmp_path).exit_code == 0
    written = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "references").rglob("*"))
    assert written == ["references/docs", "references/docs/notes.bib", "references/mine.bib"]
    result = invoke("bib", "--check", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    check = invoke("check", ".", cwd=tmp_path)  # the library keeps the damaged DOI's repair out of sight
    assert "references/" not in check.output and "docs/notes.md" in check.output


def test_check_never_lints_the_audit_report(tmp_path):
    make(tmp_path, {"notes.md": DOCUMENT})
    before = invoke("check", ".", "--format", "json", cwd=tmp_path)
    audit = invoke("audit", ".", "--html", "reflint-report.html", cwd=tmp_path)
    assert audit.exit_code == 1 and (tmp_path / "reflint-report.html").is_file()
    after = invoke("check", ".", "--format", "json", cwd=tmp_path)
    assert after.stdout == before.stdout  # the report's copies of the problems are not new problems


def test_the_repository_itself_is_clean():
    """Its own [tool.reflint] excludes the fixtures; examples/ named explicitly is still linted."""
    result = invoke("check", ".", "--offline", cwd=REPO)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "All checks passed."
    examples = invoke("check", "examples/", "--offline", cwd=REPO)
    assert examples.exit_code == 1 and "examples/dry-needling.md" in examples.stdout


def test_a_fix_killed_before_its_rename_leaves_a_temp_file_the_next_run_removes(tmp_path, monkeypatch):
    import signal
    import subprocess
    import sys

    path, _ = loaded(tmp_path)
    killed = (
        "import os, signal, sys\nfrom reflint import documents\n"
        "os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)\n"
        "documents.write(documents.load(sys.argv[1]), 'doi:10.1/x\\n')\n"
    )
    assert subprocess.run([sys.executable, "-c", killed, str(path)]).returncode == -signal.SIGKILL
    assert path.read_bytes() == b"doi:10.1/x.\n"  # the document itself is whole
    [temp] = leftovers(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert discover(["."]) == ([path], [])  # young: it may belong to a fix running now
    age(tmp_path / temp, 120)
    assert discover(["."]) == ([path], [f"{temp}: removed, a temporary file left by an interrupted --fix"])
    assert leftovers(tmp_path) == []


def test_an_excluded_directory_named_from_outside_its_project_is_linted(tmp_path):
    """The closer config's exclude yields to the command line too (`reflint check repo/examples/`)."""
    make(
        tmp_path,
        {
            "repo/pyproject.toml": '[tool.reflint]\nexclude = ["examples/"]\n',
            "repo/examples/a.md": DOCUMENT,
            "repo/docs/b.md": DOCUMENT,
        },
    )
    named = invoke("check", "repo/examples/", "--format", "json", cwd=tmp_path)
    assert {d["path"] for d in json.loads(named.stdout)["diagnostics"]} == {"repo/examples/a.md"}
    walked = invoke("check", "repo", "--format", "json", cwd=tmp_path)
    assert {d["path"] for d in json.loads(walked.stdout)["diagnostics"]} == {"repo/docs/b.md"}
