"""Settings from ``reflint.toml`` or ``[tool.reflint]`` in ``pyproject.toml``, the environment
and the command line, in that order of precedence (the last wins).

Like ruff, each file is linted with the settings of the config file closest to it
(:class:`ConfigTree`); ``--config FILE`` uses one file for everything. Settings of the run
itself (network, cache, the references library) come from the config found from the working
directory. Every key's type and value is checked, so a typo or a string where a list belongs
is an error that names the file, the key and the value, never a setting silently ignored.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reflint.rules import SelectorError, resolve_selector
from reflint.selection import KEYS as SELECTION_KEYS
from reflint.selection import select_layers


class ConfigError(Exception):
    """A config file, environment variable or option with a wrong value; ``str()`` says where."""


DEFAULTS: dict = {
    "select": [],
    "extend-select": [],
    "ignore": [],
    "extend-ignore": [],
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
    "ncbi-url": None,  # default https://eutils.ncbi.nlm.nih.gov/entrez/eutils, or REFLINT_NCBI_URL
    "offline": False,
    "cache": True,
    "timeout": 10.0,  # seconds per request (REFLINT_TIMEOUT)
    "time-limit": None,  # seconds for all lookups of a run; then the rest is unknown
}
CONFIG_NAMES = ("reflint.toml", "pyproject.toml")


# -- validation: each checker returns what was expected, or None when the value is fine ----------


def _strings(value) -> str | None:
    ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return None if ok else 'a list of strings, e.g. ["drafts/**"]'


def _selectors(value) -> str | None:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return 'a list of rule codes, prefixes or names, e.g. ["RL1", "doi-truncated"]'
    for selector in value:
        try:
            resolve_selector(selector)
        except SelectorError as exc:
            return str(exc)
    return None


def _per_file(value) -> str | None:
    expected = 'a table of glob = [rule selectors], e.g. "legacy/**" = ["RL1"]'
    if not isinstance(value, dict):
        return expected
    for codes in value.values():
        if (problem := _selectors(codes)) is not None:
            return problem if isinstance(codes, list) else expected
    return None


def _boolean(value) -> str | None:
    return None if isinstance(value, bool) else "true or false (without quotes)"


def _text(value) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty string"


def _optional_text(value) -> str | None:
    return None if value is None or (isinstance(value, str) and value.strip()) else "a non-empty string"


def _url(value) -> str | None:
    if value is None or (isinstance(value, str) and value.startswith(("https://", "http://"))):
        return None
    return 'an http(s) URL, e.g. "https://api.crossref.org"'


def _seconds(value) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    return None if ok else "a positive number of seconds, e.g. 10"


def _time_limit(value) -> str | None:
    """Unset (the command's default), 0 (no limit) or a number of seconds."""
    ok = value is None or isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return None if ok else "a number of seconds, e.g. 60, or 0 for no limit"


def _layout(value) -> str | None:
    return None if value in ("per-document", "single") else '"per-document" or "single"'


CHECKS: dict[str, Callable[[object], str | None]] = {
    "select": _selectors,
    "extend-select": _selectors,
    "ignore": _selectors,
    "extend-ignore": _selectors,
    "per-file-ignores": _per_file,
    "include": _strings,
    "exclude": _strings,
    "respect-gitignore": _boolean,
    "doi-url-style": _text,
    "references-dir": _text,
    "bib-layout": _layout,
    "evidence-phrases": _strings,
    "mailto": _optional_text,
    "crossref-url": _url,
    "doi-url": _url,
    "ncbi-url": _url,
    "offline": _boolean,
    "cache": _boolean,
    "timeout": _seconds,
    "time-limit": _time_limit,
}


def _toml(value) -> str:
    """A value as it would be written in TOML, to quote it back in a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def validate(values: dict, where: str) -> None:
    """Raise ConfigError naming ``where`` (a file, ``--option`` or variable), key and value."""
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}; " f"known: {', '.join(sorted(DEFAULTS))}")
    for key, value in values.items():
        problem = CHECKS[key](value) if key in CHECKS else None  # tests/test_config.py: none missing
        if problem is not None:
            name = where if where == f"--{key}" else f"{where}: {key}"  # an option names itself
            if "rule selector" in problem:
                raise ConfigError(f"{name}: {problem}")
            raise ConfigError(f"{name} = {_toml(value)} is not valid: expected {problem}")


# -- the environment ------------------------------------------------------------------------------

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def from_environment(env=None) -> dict:
    """REFLINT_OFFLINE and REFLINT_TIMEOUT as settings; a bad value is a ConfigError."""
    env = os.environ if env is None else env
    values: dict = {}
    if "REFLINT_OFFLINE" in env:
        raw = env["REFLINT_OFFLINE"].strip().lower()
        if raw not in _TRUE + _FALSE:
            raise ConfigError(
                f"REFLINT_OFFLINE={env['REFLINT_OFFLINE']} is not valid: expected 1 or 0 " "(true/false, yes/no)"
            )
        values["offline"] = raw in _TRUE
    if env.get("REFLINT_TIMEOUT", "").strip():
        raw = env["REFLINT_TIMEOUT"]
        try:
            seconds = float(raw)
        except ValueError:
            seconds = -1.0
        if not seconds > 0 or seconds == float("inf"):
            raise ConfigError(
                f"REFLINT_TIMEOUT={raw} is not valid: expected a positive number of " "seconds, e.g. REFLINT_TIMEOUT=10"
            )
        values["timeout"] = seconds
    return values


# -- one config -----------------------------------------------------------------------------------


@dataclass
class Config:
    """The settings that apply to some files. ``cli`` is the command line's rule selection,
    the last selection layer (see :mod:`reflint.selection`)."""

    values: dict = field(default_factory=lambda: dict(DEFAULTS))
    source: Path | None = None
    cli: dict = field(default_factory=dict)

    def __getitem__(self, key: str):
        return self.values[key]

    @property
    def directory(self) -> Path | None:
        """Where this config's globs (exclude, include, per-file-ignores) are rooted."""
        return self.source.parent if self.source else None

    def merged(self, overrides: dict) -> Config:
        """A copy with the environment and the non-empty CLI overrides applied on top.

        Selection keys form the command line's own layer: ``--select`` replaces the config's
        selection, ``--ignore`` adds to its ignores."""
        given = {k: list(v) if isinstance(v, tuple) else v for k, v in overrides.items() if v not in (None, (), [])}
        selection = {k: given.pop(k) for k in SELECTION_KEYS if k in given}
        for key, value in selection.items():
            validate({key: value}, f"--{key}")
        for key, value in given.items():
            validate({key: value}, f"--{key}")
        return Config({**self.values, **given}, self.source, {**self.cli, **selection})

    def rules(self):
        """The rules this config enables: the file's selection, then the command line's."""
        return select_layers([self.values, self.cli])


def find_config(start: Path) -> Path | None:
    """The closest ``reflint.toml``, or ``pyproject.toml`` with ``[tool.reflint]``, at or above
    ``start``. An unreadable or invalid pyproject.toml is an error, not skipped: it may hold
    the settings the user expects."""
    for directory in [start, *start.parents]:
        found = _config_in(directory)
        if found is not None:
            return found
    return None


def _config_in(directory: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = directory / name
        if candidate.is_file() and (name == "reflint.toml" or "reflint" in _read(candidate).get("tool", {})):
            return candidate
    return None


def _shown(path: Path) -> str:
    """A config path as the user should see it: relative to the working directory when inside."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{_shown(path)}: cannot read config ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_shown(path)}: invalid TOML ({exc}) - fix the file's syntax") from None


def read_config(path: Path) -> Config:
    """One config file, validated; ``[tool.reflint]`` of a pyproject.toml."""
    data = _read(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("reflint", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{_shown(path)}: [tool.reflint] must be a table")
    validate(data, _shown(path))
    return Config({**DEFAULTS, **data}, path)


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Read ``path`` (or the closest config at or above ``start``); defaults when there is none."""
    path = path or find_config((start or Path.cwd()).resolve())
    return read_config(path) if path is not None else Config()


# -- the config of every file ---------------------------------------------------------------------


class ConfigTree:
    """The config that applies to each file: the closest one above it (ruff's hierarchical
    discovery), or always ``root`` when it was given explicitly (``--config``).

    ``root`` is the run's config (found from the working directory); it also applies to files
    with no config of their own above them. The environment and command-line overrides apply
    on top of every config.
    """

    def __init__(self, root: Config, overrides: dict | None = None, fixed: bool = False):
        self.overrides = overrides or {}
        self.root = root.merged(self.overrides)
        self.fixed = fixed
        self._by_dir: dict[Path, Config] = {}
        self._by_source: dict[Path, Config] = {}
        if root.source is not None:
            self._by_source[root.source.resolve()] = self.root

    def for_path(self, path: str | os.PathLike) -> Config:
        if self.fixed:
            return self.root
        return self._for_directory(Path(os.path.abspath(path)).parent)

    def _for_directory(self, directory: Path) -> Config:
        """The closest config at or above ``directory``; every directory is looked at once."""
        found = self._by_dir.get(directory)
        if found is None:
            source = _config_in(directory)
            if source is not None:
                found = self._load(source.resolve())
            elif directory.parent == directory:
                found = self.root  # no config anywhere above: the run's (default) settings
            else:
                found = self._for_directory(directory.parent)
            self._by_dir[directory] = found
        return found

    def _load(self, source: Path) -> Config:
        if source not in self._by_source:
            self._by_source[source] = read_config(source).merged(self.overrides)
        return self._by_source[source]
