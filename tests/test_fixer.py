"""The fixer splices non-overlapping edits in order and skips conflicting fixes."""

import pytest

from reflint.fixer import apply_fixes
from reflint.models import Applicability, Edit, Fix


def fx(*edits):
    return Fix(tuple(Edit(*e) for e in edits), Applicability.SAFE, "")


@pytest.mark.parametrize("text,fixes,expected,count", [
    ("doi:1179/x", [fx((4, 4, "10."))], "doi:10.1179/x", 1),
    ("abcdef", [fx((4, 6, "")), fx((0, 1, "A"))], "Abcd", 2),          # applied in text order
    ("abcdef", [fx((1, 4, "X")), fx((2, 5, "Y"))], "aXef", 1),         # overlap: second skipped
    ("abcdef", [fx((2, 2, "X")), fx((2, 2, "Y"))], "abXcdef", 1),      # two inserts at one point
    ("abcdef", [fx((0, 2, "X")), fx((2, 2, "Y"))], "XYcdef", 2),       # touching is not overlapping
    ("abcdef", [fx((0, 1, "X"), (5, 6, "Z")), fx((4, 5, "Y"))], "XbcdYZ", 2),
    ("abcdef", [fx((0, 1, "X"), (3, 5, "Z")), fx((4, 6, "Y"))], "XbcZf", 1),  # a multi-edit fix blocks
    ("abc", [], "abc", 0),
])
def test_apply_fixes(text, fixes, expected, count):
    assert apply_fixes(text, fixes) == (expected, count)
