"""Settings from ``reflint.toml`` or ``[tool.reflint]`` in ``pyproject.toml``; CLI flags win.

Like ruff, the nearest config file above the working directory applies; ``reflint.toml``
holds the keys at top level. Unknown keys are errors, so a typo never silently does nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from reflint.rules import SelectorError, resolve_selector


class ConfigError(Exception):
    pass


DEFAULTS: dict = {
    "select": [],
    "extend-select": [],
    "ignore": [],
    "per-file-ignores": {},
    "include": [],
    "exclude": [],
    "respect-gitignore": True,
    "doi-url-style": "https://doi.org/",
    "references-dir": "references",
    "bib-layout": "per-document",  # or "single": one references/library.bib
    "evidence-phrases": [],
    "mailto": None,  # Crossref polite pool; REFLINT_MAILTO also works
    "crossref-url": None,  # default https://api.crossref.org, or REFLINT_CROSSREF_URL
    "doi-url": None,  # default https://doi.org, or REFLINT_DOI_URL
    "offline": False,
    "cache": True,
    "timeout": 10.0,  # seconds per request (REFLINT_TIMEOUT)
    "time-limit": None,  # seconds for all lookups of a run; then the rest is unknown
}


@dataclass
class Config:
    values: dict = field(default_factory=lambda: dict(DEFAULTS))
    source: Path | None = None

    def __getitem__(self, key: str):
        return self.values[key]

    def merged(self, overrides: dict) -> "Config":
        """A copy with the non-empty CLI overrides applied on top."""
        values = dict(self.values)
        values.update({k: v for k, v in overrides.items() if v not in (None, (), [])})
        checked = Config(values, self.source)
        checked.validate()
        return checked

    def validate(self) -> None:
        where = f"{self.source}: " if self.source else ""
        unknown = set(self.values) - set(DEFAULTS)
        if unknown:
            raise ConfigError(f"{where}unknown setting(s) {', '.join(sorted(unknown))}; "
                              f"known: {', '.join(sorted(DEFAULTS))}")
        if self.values["bib-layout"] not in ("per-document", "single"):
            raise ConfigError(f"{where}bib-layout must be \"per-document\" or \"single\"")
        try:
            for key in ("select", "extend-select", "ignore"):
                for sel in self.values[key]:
                    resolve_selector(sel)
            for codes in self.values["per-file-ignores"].values():
                for sel in codes:
                    resolve_selector(sel)
        except SelectorError as exc:
            raise ConfigError(f"{where}{exc}") from None


def find_config(start: Path) -> Path | None:
    for directory in [start, *start.parents]:
        for name in ("reflint.toml", "pyproject.toml"):
            candidate = directory / name
            if candidate.is_file() and (name == "reflint.toml" or _has_tool_table(candidate)):
                return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return "reflint" in tomllib.loads(path.read_text("utf-8")).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Read ``path`` (or the nearest config above ``start``); defaults when there is none."""
    path = path or find_config((start or Path.cwd()).resolve())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc}) - fix the file's syntax") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("reflint", {})
    config = Config({**DEFAULTS, **data}, path)
    config.validate()
    return config
