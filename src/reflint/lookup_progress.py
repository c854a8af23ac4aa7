"""A progress line on stderr while `check` waits for the registry, once waiting is noticeable.

Most runs answer from the library and the cache in well under a second, and a progress bar
that flashes by is noise; a run that waits on the network with nothing on screen looks hung.
So the line appears only after ``DELAY`` seconds of lookups (and only on a terminal: the
caller decides), counts the lookups done, and disappears when they are.
"""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

DELAY = 1.5  # seconds of lookups before the line appears


class DelayedProgress:
    """Wraps a run's Resolver: ``resolve`` shows progress once it has taken ``delay`` seconds."""

    def __init__(self, resolver, console: Console | None = None, delay: float = DELAY):
        self.resolver, self.delay = resolver, delay
        self.console = console or Console(stderr=True, highlight=False)
        self.shown = False

    def __getattr__(self, name):
        return getattr(self.resolver, name)

    def resolve(self, extractions):
        total = self.resolver.pending(extractions) or None  # None: indeterminate
        bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        task = bar.add_task("Looking up DOIs and references", total=total)
        lock = threading.Lock()
        state = {"done": False}

        def show() -> None:
            with lock:
                if not state["done"]:
                    bar.start()
                    self.shown = True

        def advance(n: int) -> None:
            bar.advance(task, n)
            expected = bar.tasks[0].total
            if expected is not None and bar.tasks[0].completed > expected:  # follow-up lookups
                bar.update(task, total=bar.tasks[0].completed)

        timer = threading.Timer(self.delay, show)
        timer.daemon = True
        previous, self.resolver.progress = self.resolver.progress, advance
        timer.start()
        try:
            return self.resolver.resolve(extractions)
        finally:
            timer.cancel()
            with lock:
                state["done"] = True
                if self.shown:
                    bar.stop()
            self.resolver.progress = previous
