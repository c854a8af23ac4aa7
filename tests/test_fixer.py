"""The fixer splices non-overlapping edits in order and skips conflicting fixes."""

import pytest

from reflint.fixer import apply_fixes
from reflint.models import Applicability, Edit, Fix


def fx(*edits):
    return Fix(tuple(Edit(*e) for e in edits), Applicability.SAFE, "")


@pytest.mark.parametrize(
    "text,fixes,expected,count",
    [
        ("doi:1179/x", [fx((4, 4, "10."))], "doi:10.1179/x", 1),
        ("abcdef", [fx((4, 6, "")), fx((0, 1, "A"))], "Abcd", 2),  # applied in text order
        ("abcdef", [fx((1, 4, "X")), fx((2, 5, "Y"))], "aXef", 1),  # overlap: second skipped
        ("abcdef", [fx((2, 2, "X")), fx((2, 2, "Y"))], "abXcdef", 1),  # two inserts at one point
        ("abcdef", [fx((0, 2, "X")), fx((2, 2, "Y"))], "XYcdef", 2),  # touching is not overlapping
        ("abcdef", [fx((0, 1, "X"), (5, 6, "Z")), fx((4, 5, "Y"))], "XbcdYZ", 2),
        ("abcdef", [fx((0, 1, "X"), (3, 5, "Z")), fx((4, 6, "Y"))], "XbcZf", 1),  # a multi-edit fix blocks
        ("abc", [], "abc", 0),
    ],
)
def test_apply_fixes(text, fixes, expected, count):
    assert apply_fixes(text, fixes) == (expected, count)


# --------------------------------------------------------------------------- --fix on links (CLI)

import os  # noqa: E402
from pathlib import Path  # noqa: E402

from helpers import invoke  # noqa: E402

DAMAGED = "# Notes\n\nSee doi:10.2519/jospt.2017.7096). for the trial.\n"


def test_fix_writes_hard_linked_files_in_place(tmp_path):
    (tmp_path / "kb").mkdir()
    doc = tmp_path / "kb" / "notes.md"
    doc.write_text(DAMAGED, "utf-8")
    os.link(doc, tmp_path / "kb" / "same-notes.md")
    result = invoke("check", "--fix", "--unsafe-fixes", "kb/notes.md", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    fixed = doc.read_text("utf-8")
    assert fixed != DAMAGED and "jospt.2017.7096" in fixed
    assert (tmp_path / "kb" / "same-notes.md").read_text("utf-8") == fixed  # the other name sees the fix
    assert doc.stat().st_nlink == 2


def test_fix_does_not_rewrite_files_outside_the_tree_through_symlinks(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(DAMAGED, "utf-8")
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "own.md").write_text(DAMAGED, "utf-8")
    (tmp_path / "kb" / "link.md").symlink_to(outside)
    result = invoke("check", "--fix", "--unsafe-fixes", "kb", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert outside.read_text("utf-8") == DAMAGED
    assert (tmp_path / "kb" / "own.md").read_text("utf-8") != DAMAGED
    assert "kb/link.md: symbolic link to a file outside kb, not followed" in result.stderr
    assert Path(tmp_path / "kb" / "link.md").is_symlink()
