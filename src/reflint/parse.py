"""Placeholder until the CRF parser lands: returns empty fields."""

from reflint.models import Fields


def parse_reference(text: str) -> Fields:
    return Fields()
