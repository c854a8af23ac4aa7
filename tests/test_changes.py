"""`--changed-since`: the `git diff -U0` hunk parser (table-driven), the line filter, and the
git call and CLI against real temporary repositories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import git, invoke
from reflint import changes, documents
from reflint.changes import Changes, ChangesError, parse_hunks, unquote
from reflint.models import Diagnostic

HEADER = "diff --git a/{0} b/{0}\nindex 1111111..2222222 100644\n--- a/{0}\n+++ b/{0}\n"


@pytest.mark.parametrize(
    "diff, expected",
    [
        pytest.param("", {}, id="empty"),
        pytest.param(HEADER.format("a.md") + "@@ -2 +2 @@\n-old\n+new\n", {"a.md": ((2, 2),)}, id="one-line"),
        pytest.param(
            HEADER.format("a.md") + "@@ -2,0 +3,2 @@ # Heading\n+x\n+y\n",
            {"a.md": ((3, 4),)},
            id="added-with-context-text",
        ),
        pytest.param(HEADER.format("a.md") + "@@ -3,2 +2,0 @@\n-x\n-y\n", {}, id="pure-deletion"),
        pytest.param(
            HEADER.format("a.md")
            + "@@ -1 +1 @@\n-a\n+b\n@@ -9,2 +9,3 @@\n-c\n-d\n+e\n+f\n+g\n"
            + HEADER.format("b.txt")
            + "@@ -4 +4 @@\n-h\n+i\n",
            {"a.md": ((1, 1), (9, 11)), "b.txt": ((4, 4),)},
            id="hunks-and-files",
        ),
        pytest.param(
            "diff --git a/new.md b/new.md\nnew file mode 100644\nindex 0000000..3333333\n"
            "--- /dev/null\n+++ b/new.md\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n",
            {"new.md": ((1, 3),)},
            id="new-file",
        ),
        pytest.param(
            "diff --git a/gone.md b/gone.md\ndeleted file mode 100644\nindex 3333333..0000000\n"
            "--- a/gone.md\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n",
            {},
            id="deleted-file",
        ),
        pytest.param(
            "diff --git a/sp ace.md b/sp ace.md\nindex 1..2 100644\n--- a/sp ace.md\t\n"
            "+++ b/sp ace.md\t\n@@ -2 +2,2 @@\n-a\n+b\n+c\n",
            {"sp ace.md": ((2, 3),)},
            id="space-in-name-trailing-tab",
        ),
        pytest.param(
            'diff --git "a/\\303\\251.md" "b/\\303\\251.md"\n--- "a/\\303\\251.md"\n'
            '+++ "b/\\303\\251.md"\n@@ -1 +1 @@\n-x\n+y\n',
            {"é.md": ((1, 1),)},
            id="quoted-utf8",
        ),
        pytest.param(
            HEADER.format("a.md") + "@@ -1 +1,2 @@\n-x\n+++ b/evil.md\n+--- a/x\n",
            {"a.md": ((1, 2),)},
            id="content-looks-like-header",
        ),
        pytest.param(
            "diff --git a/old.md b/new.md\nsimilarity index 100%\nrename from old.md\nrename to new.md\n",
            {},
            id="pure-rename",
        ),
        pytest.param(
            "diff --git a/old.md b/new.md\nsimilarity index 80%\nrename from old.md\nrename to new.md\n"
            "index 1..2 100644\n--- a/old.md\n+++ b/new.md\n@@ -5 +5 @@\n-x\n+y\n",
            {"new.md": ((5, 5),)},
            id="rename-with-edit",
        ),
        pytest.param(
            "diff --git a/img.bib b/img.bib\nindex 1..2 100644\nBinary files a/img.bib and b/img.bib differ\n",
            {},
            id="binary",
        ),
        pytest.param(
            HEADER.format("a.md") + "@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n"
            "\\ No newline at end of file\n",
            {"a.md": ((1, 1),)},
            id="no-newline-marker",
        ),
    ],
)
def test_parse_hunks(diff, expected):
    assert parse_hunks(diff) == expected


@pytest.mark.parametrize(
    "quoted, path",
    [
        ("plain.md", "plain.md"),
        ('"b/tab\\"q.md"', 'b/tab"q.md'),
        ('"b/a\\tb\\\\c.md"', "b/a\tb\\c.md"),
        ('"b/\\303\\251t\\303\\251.md"', "b/été.md"),
    ],
)
def test_unquote(quoted, path):
    assert unquote(quoted) == path


TEXT = "line one\nline two doi:1/x\nline three\nline four\n"


def _diag(doc, start_line, start_col, end_line, end_col):
    return Diagnostic(
        "RL101",
        "doi-missing-prefix",
        "error",
        "m",
        doc.path,
        doc.offset(start_line, start_col),
        doc.offset(end_line, end_col),
    )


@pytest.mark.parametrize(
    "ranges, span, kept",
    [
        pytest.param(((2, 2),), (2, 10, 2, 18), True, id="on-changed-line"),
        pytest.param(((3, 4),), (2, 10, 2, 18), False, id="unchanged-line"),
        pytest.param(((3, 3),), (2, 10, 3, 3), True, id="multi-line-span-ends-on-changed"),
        pytest.param(((3, 3),), (2, 10, 3, 1), False, id="exclusive-end-at-line-start"),
        pytest.param(((1, 1), (4, 4)), (2, 1, 3, 5), False, id="between-ranges"),
        pytest.param(None, (2, 10, 2, 18), True, id="whole-file"),
        pytest.param((), (2, 10, 2, 18), False, id="no-lines"),
    ],
)
def test_keep(tmp_path, ranges, span, kept):
    path = tmp_path / "a.md"
    path.write_text(TEXT, "utf-8")
    doc = documents.load(path)
    diag = _diag(doc, *span)
    assert Changes({os.path.realpath(path): ranges}).keep(doc, [diag]) == ([diag] if kept else [])


def test_keep_unknown_file_keeps_nothing(tmp_path):
    doc = documents.from_text(TEXT, str(tmp_path / "other.md"))
    assert Changes({}).keep(doc, [_diag(doc, 2, 10, 2, 18)]) == []


# -- against real repositories ---------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path):
    """main: a.md (5 lines), b.md; branch `feature` checked out, not yet changed."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "a.md").write_text("1\n2\n3\n4\n5\n", "utf-8")
    (root / "b.md").write_text("b\n", "utf-8")
    (root / ".gitignore").write_text("ignored.md\n", "utf-8")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    return root


def key(root: Path, name: str) -> str:
    return os.path.realpath(root / name)


def test_since_committed_staged_unstaged_and_untracked(repo):
    (repo / "a.md").write_text("1\nTWO\n3\n4\n5\n", "utf-8")
    git(repo, "commit", "-qam", "two")
    (repo / "a.md").write_text("1\nTWO\n3\nFOUR\n5\n", "utf-8")  # unstaged
    (repo / "b.md").write_text("b\nb2\n", "utf-8")
    git(repo, "add", "b.md")  # staged
    (repo / "new.md").write_text("new\n", "utf-8")
    (repo / "ignored.md").write_text("x\n", "utf-8")
    found = changes.since("main", repo)
    assert found.lines == {key(repo, "a.md"): ((2, 2), (4, 4)), key(repo, "b.md"): ((2, 2),), key(repo, "new.md"): None}
    assert found.touches(repo / "new.md") and not found.touches(repo / "ignored.md")


def test_since_uses_the_merge_base(repo):
    """Commits landed on main after the branch was cut are not the branch's changes."""
    (repo / "a.md").write_text("1\n2\n3\n4\nFIVE\n", "utf-8")
    git(repo, "commit", "-qam", "feature edit")
    git(repo, "checkout", "-q", "main")
    (repo / "b.md").write_text("main moved on\n", "utf-8")
    git(repo, "commit", "-qam", "main edit")
    git(repo, "checkout", "-q", "feature")
    assert changes.since("main", repo).lines == {key(repo, "a.md"): ((5, 5),)}


def test_since_from_a_subdirectory(repo):
    (repo / "docs").mkdir()
    (repo / "docs" / "c.md").write_text("c\n", "utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "docs")
    assert changes.since("main", repo / "docs").lines == {key(repo, "docs/c.md"): ((1, 1),)}


@pytest.mark.parametrize(
    "ref, message",
    [
        ("no-such-branch", "no such commit"),
        ("-x", "expected a git revision"),
    ],
)
def test_since_bad_ref(repo, ref, message):
    with pytest.raises(ChangesError, match=message):
        changes.since(ref, repo)


def test_since_outside_a_repository(tmp_path):
    with pytest.raises(ChangesError, match="not inside a git repository"):
        changes.since("main", tmp_path)


def test_check_lints_only_changed_lines(repo):
    (repo / "a.md").write_text("1\ndoi:1093/rheumatology/ken161\n3\n4\n5\n", "utf-8")
    git(repo, "commit", "-qam", "old problem")
    git(repo, "branch", "-f", "main")  # the problem on line 2 is now part of main
    git(repo, "checkout", "-q", "-B", "feature")
    (repo / "a.md").write_text("1\ndoi:1093/rheumatology/ken161\n3\ndoi:10.1016/\n5\n", "utf-8")
    (repo / "b.md").write_text("doi:1179/jmt.2006.14.4.70E\n", "utf-8")
    git(repo, "commit", "-qam", "new problems")
    (repo / "exclude-me.md").write_text("doi:10.1016/\n", "utf-8")
    (repo / "reflint.toml").write_text('exclude = ["exclude-me.md"]\n', "utf-8")
    everything = invoke("check", cwd=repo)
    assert "a.md:2:" in everything.output and "exclude-me" not in everything.output
    result = invoke("check", "--changed-since", "main", cwd=repo)
    assert result.exit_code == 1, result.output
    lines = [l for l in result.output.splitlines() if l.endswith("prefix") or "truncated" in l]
    assert [l.split(" ")[0] for l in lines] == ["a.md:4:1:", "b.md:1:5:"]
    clean = invoke("check", "--changed-since", "HEAD", "a.md", cwd=repo)
    assert clean.exit_code == 0 and "All checks passed." in clean.output


def test_check_changed_since_errors_exit_2(repo, tmp_path):
    result = invoke("check", "--changed-since", "nope", cwd=repo)
    assert result.exit_code == 2 and "nope: no such commit" in result.output
    outside = tmp_path / "outside"
    outside.mkdir()
    result = invoke("check", "--changed-since", "main", cwd=outside)
    assert result.exit_code == 2 and "not inside a git repository" in result.output


def test_force_exclude_applies_to_named_files(tmp_path):
    (tmp_path / "reflint.toml").write_text('exclude = ["drafts/**"]\n', "utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "d.md").write_text("doi:10.1016/\n", "utf-8")
    assert invoke("check", "drafts/d.md", cwd=tmp_path).exit_code == 1
    result = invoke("check", "--force-exclude", "drafts/d.md", cwd=tmp_path)
    assert result.exit_code == 0, result.output


def test_fix_touches_only_changed_lines(repo):
    (repo / "a.md").write_text("doi:1093/rheumatology/ken161\n2\n3\n4\n5\n", "utf-8")
    git(repo, "commit", "-qam", "old problem")
    git(repo, "branch", "-f", "main")
    (repo / "a.md").write_text("doi:1093/rheumatology/ken161\n2\ndoi:1179/jmt.2006.14.4.70E\n4\n5\n", "utf-8")
    result = invoke("check", "--changed-since", "main", "--fix", "--unsafe-fixes", cwd=repo)
    assert result.exit_code == 0, result.output
    assert (repo / "a.md").read_text("utf-8").splitlines()[:3] == [
        "doi:1093/rheumatology/ken161",
        "2",
        "doi:10.1179/jmt.2006.14.4.70E",
    ]
