"""``python -m reflint`` is the ``reflint`` command."""

from reflint.cli import run

run()
