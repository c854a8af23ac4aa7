"""reflint: a citation and reference-integrity linter."""

__version__ = "0.2.0"
