"""When does a registered DOI name another work than the reference around it describes?

Shared by RL202 (which reports it) and the resolver (which then searches for the right
work, as it does for DOIs that do not exist), so both agree on what a mismatch is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reflint.crossref import INVALID, VALID
from reflint.match import compare, same_work
from reflint.models import Fields

if TYPE_CHECKING:
    from reflint.resolve import DoiStatus


def names_another_work(fields: Fields, record: dict | None) -> bool:
    """Title and first author both disagree with the record (a weak title likeness of 60 or
    more, or an unknown author, is not enough to call the DOI wrong)."""
    if not (record and fields.title and fields.authors):
        return False
    c = compare(fields, record)
    return not same_work(c) and c.author is False and (c.title or 0) < 60


def doi_is_wrong(fields: Fields, status: DoiStatus) -> bool:
    """Not registered (RL201), or registered to another work than the entry describes (RL202):
    either way the resolver searches for the right work."""
    if status.verdict == INVALID:
        return True
    return status.verdict == VALID and names_another_work(fields, status.record)
