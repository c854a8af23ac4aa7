"""Options that ``check`` and ``audit`` share, defined once, and what they build: the linter
(config tree, environment, network) and the output stream (file, colour, quiet).

A command takes them with ``@shared_options`` and turns its ``**kwargs`` into
:class:`RunOptions`; adding an option here gives it to both commands.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import click

from reflint.cache import Cache, NullCache
from reflint.config import ConfigError, ConfigTree, from_environment, load_config, read_config
from reflint.crossref import CrossrefClient
from reflint.linter import Linter
from reflint.lock import load_lock
from reflint.ncbi import NcbiClient
from reflint.resolve import Resolver
from reflint.text import printable


class Failure(click.ClickException):
    """A configuration or I/O error: ``error: message`` on stderr and exit 2 (never 1, which
    means "problems found")."""

    exit_code = 2

    def show(self, file=None) -> None:
        error(self.format_message())


def note(message: str) -> None:
    """``note: ...`` on stderr: something the user should know that does not fail the run."""
    click.echo(f"note: {printable(message)}", err=True)


def error(message: str) -> None:
    """``error: ...`` on stderr: something that makes the run exit 2."""
    click.echo(f"error: {printable(message)}", err=True)


def split(values) -> list[str]:
    """``--ignore A,B --ignore C`` -> ``["A", "B", "C"]``."""
    return [v.strip() for value in values or () for v in value.split(",") if v.strip()]


def options(*groups):
    """A decorator applying every click option of ``groups`` in order (first one on top in --help)."""
    flat = [option for group in groups for option in group]

    def decorate(func):
        for option in reversed(flat):
            func = option(func)
        return func

    return decorate


CHECK_TIME_LIMIT = 60.0  # seconds for all lookups of a `check` when none is configured

CONFIG = [
    click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="Config file for every file (default: the closest reflint.toml or pyproject.toml "
        "with [tool.reflint] above each file).",
    ),
]

SELECTION = [
    click.option(
        "--select",
        multiple=True,
        help="Rules to check (codes, prefixes or names; comma-separated). Replaces the config's selection.",
    ),
    click.option("--extend-select", multiple=True, help="Rules to check in addition to the selection."),
    click.option("--ignore", multiple=True, help="Rules to skip, in addition to the config's ignores."),
    click.option("--extend-ignore", multiple=True, help="Same as --ignore (ruff's spelling)."),
    *CONFIG,
]

NETWORK = [
    click.option(
        "--offline",
        is_flag=True,
        default=None,
        help="Use only the references/ library and the cache; other lookups are unknown.",
    ),
    click.option("--no-cache", is_flag=True, default=None, help="Neither read nor write the lookup cache."),
    click.option("--mailto", help="Contact address for Crossref's polite pool (or REFLINT_MAILTO)."),
    click.option("--crossref-url", help="Crossref API base URL (or REFLINT_CROSSREF_URL)."),
    click.option("--doi-url", help="doi.org base URL (or REFLINT_DOI_URL)."),
    click.option(
        "--time-limit",
        type=float,
        help="Seconds for all lookups of the run; what is left after is unknown "
        f"(check: {CHECK_TIME_LIMIT:g} by default; 0: no limit).",
    ),
]

SCOPE = [
    click.option(
        "--changed-since",
        metavar="REF",
        help="Only files and lines changed since git REF (its merge base with HEAD), and untracked files.",
    ),
    click.option(
        "--baseline",
        "baseline_path",
        type=click.Path(dir_okay=False),
        help="Hide the problems recorded in this baseline file.",
    ),
    click.option(
        "--force-exclude", is_flag=True, help="Apply `exclude` to files named on the command line too (for pre-commit)."
    ),
]

OUTCOME = [
    click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems remain."),
    click.option(
        "--strict-network", is_flag=True, help="Exit 1 when some DOI or reference could not be verified (unknown)."
    ),
]

OUTPUT = [
    click.option("-q", "--quiet", is_flag=True, help="Print the problems and nothing else (no summary, no notes)."),
    click.option(
        "-o", "--output-file", type=click.Path(dir_okay=False), help="Write the report to this file instead of stdout."
    ),
    click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour the text output; auto: on a terminal, unless NO_COLOR (FORCE_COLOR forces it).",
    ),
    click.option("--no-progress", is_flag=True, help="Never show a progress bar."),
]

JOBS = [
    click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=None,
        help="Processes that read and check files (default: one per core).",
    ),
]

shared_options = options(SELECTION, NETWORK, SCOPE, OUTCOME, OUTPUT, JOBS)
"""Everything ``check`` and ``audit`` have in common."""


def network_settings(kwargs: dict) -> dict:
    """Pop the NETWORK options out of ``kwargs`` as config settings (None: not given)."""
    return {
        "offline": kwargs.pop("offline"),
        "cache": False if kwargs.pop("no_cache") else None,
        "mailto": kwargs.pop("mailto"),
        "crossref-url": kwargs.pop("crossref_url"),
        "doi-url": kwargs.pop("doi_url"),
        "time-limit": kwargs.pop("time_limit"),
    }


def wants_colour(choice: str, stream: IO | None, env=None) -> bool:
    """--color: always/never as said; auto colours a terminal unless NO_COLOR is set
    (https://no-color.org), and FORCE_COLOR colours even a pipe."""
    env = os.environ if env is None else env
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


@dataclass
class RunOptions:
    """The shared options of one command, as given."""

    select: list[str]
    extend_select: list[str]
    ignore: list[str]
    extend_ignore: list[str]
    config_path: str | None
    network: dict
    changed_since: str | None
    baseline_path: str | None
    force_exclude: bool
    exit_zero: bool
    strict_network: bool
    quiet: bool
    output_file: str | None
    color: str
    no_progress: bool
    _stream: IO | None = field(default=None, repr=False)
    jobs: int | None = None

    @classmethod
    def take(cls, kwargs: dict) -> RunOptions:
        """Pop the shared options out of a command's ``kwargs``."""
        network = network_settings(kwargs)
        return cls(
            split(kwargs.pop("select")),
            split(kwargs.pop("extend_select")),
            split(kwargs.pop("ignore")),
            split(kwargs.pop("extend_ignore")),
            kwargs.pop("config_path"),
            network,
            kwargs.pop("changed_since"),
            kwargs.pop("baseline_path"),
            kwargs.pop("force_exclude"),
            kwargs.pop("exit_zero"),
            kwargs.pop("strict_network"),
            kwargs.pop("quiet"),
            kwargs.pop("output_file"),
            kwargs.pop("color"),
            kwargs.pop("no_progress"),
            jobs=kwargs.pop("jobs"),
        )

    # -- the linter -------------------------------------------------------------------------------

    def linter(self, online: bool = True, default_time_limit: float | None = None, **overrides) -> Linter:
        return build_linter(
            self.config_path,
            self.network if online else None,
            default_time_limit,
            jobs=self.jobs,
            select=self.select,
            **{"extend-select": self.extend_select, "ignore": self.ignore, "extend-ignore": self.extend_ignore},
            **overrides,
        )

    # -- the output -------------------------------------------------------------------------------

    @property
    def stream(self) -> IO:
        """stdout, or the --output-file (opened on first use, UTF-8)."""
        if self._stream is None:
            if self.output_file:
                try:
                    Path(self.output_file).parent.mkdir(parents=True, exist_ok=True)
                    self._stream = open(self.output_file, "w", encoding="utf-8")  # noqa: SIM115
                except OSError as exc:
                    raise Failure(f"{self.output_file}: cannot write the report ({exc.strerror})") from None
            else:
                self._stream = sys.stdout
        return self._stream

    def use_stream(self, stream: IO) -> None:
        """Report to ``stream`` (stderr when stdout carries fixed text)."""
        self._stream = stream

    @property
    def colour(self) -> bool:
        return wants_colour(self.color, None if self.output_file else self.stream)

    def echo(self, text: str, nl: bool = True) -> None:
        click.echo(text, file=self.stream, nl=nl, color=self.colour)

    def note(self, message: str) -> None:
        if not self.quiet:
            note(message)

    def close(self) -> None:
        if self._stream is not None and self.output_file:
            self._stream.close()


def build_linter(
    config_path: str | None,
    network: dict | None = None,
    default_time_limit: float | None = None,
    jobs: int | None = None,
    **overrides,
) -> Linter:
    """The configured linter: the config tree (``--config`` fixes one file for all), the
    environment and ``overrides`` on top; with ``network`` options, one that resolves online
    (or from the lock and cache when offline). ``time-limit = 0`` means no limit; unset, the
    command's ``default_time_limit`` applies."""
    try:
        if config_path:
            root, fixed = read_config(Path(config_path)), True
        else:
            root, fixed = load_config(), False
        flags = {k: v for k, v in {**overrides, **(network or {})}.items() if v not in (None, (), [])}
        given = {**from_environment(), **flags}
        configs = ConfigTree(root, given, fixed)
    except ConfigError as exc:
        raise Failure(str(exc)) from None
    if network is None:
        return Linter(configs, jobs=jobs)
    config = configs.root
    limit = default_time_limit if config["time-limit"] is None else config["time-limit"]
    client = (
        None
        if config["offline"]
        else CrossrefClient(
            config["crossref-url"],
            config["doi-url"],
            config["mailto"],
            timeout=float(config["timeout"]),
            time_limit=float(limit) if limit else None,
        )
    )
    cache = Cache() if config["cache"] else NullCache()
    lock = load_lock(Path(config["references-dir"]))
    ncbi = (
        None
        if config["offline"]
        else NcbiClient(  # PubMed IDs (RL207, RL208); NCBI_API_KEY paces faster
            config["ncbi-url"],
            config["mailto"],
            timeout=float(config["timeout"]),
            time_limit=float(limit) if limit else None,
        )
    )
    return Linter(configs, Resolver(client, cache, lock, ncbi=ncbi), jobs=jobs)
