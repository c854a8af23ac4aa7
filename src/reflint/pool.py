"""Run one function over many files on every core, results in input order.

A process pool (``multiprocessing``), because parsing is pure Python and holds the GIL.
Workers are forked where the platform allows (nothing to re-import, no pickled state) and
spawned elsewhere; each worker builds its state once with ``initializer(*initargs)``. With
one job, or a single file, everything runs in this process: same functions, same order,
so ``--jobs 1`` and ``--jobs N`` print the same bytes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any, Callable, Iterable, Iterator


def default_jobs() -> int:
    """The cores this process may run on (``sched_getaffinity`` knows about cgroups and taskset)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _start_worker(thresholds: tuple[int, ...], initializer: Callable, initargs: tuple) -> None:
    """A worker takes this process's garbage-collector thresholds (``reflint.cli.run``
    sets them): forked workers inherit them, spawned ones would start with Python's own."""
    gc.set_threshold(*thresholds)
    initializer(*initargs)


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class FilePool:
    """``with FilePool(jobs, items, init, args) as pool: pool.map(func, items)``.

    Create it before starting any thread: forking a process that runs threads can copy a
    held lock into the child.
    """

    def __init__(self, jobs: int | None, size: int, initializer: Callable, initargs: tuple = ()):
        self.jobs = max(1, min(jobs or default_jobs(), size))
        self._init, self._args = initializer, initargs
        self._pool = None
        self._local_ready = False
        if self.jobs > 1:
            self._pool = _context().Pool(self.jobs, _start_worker, (gc.get_threshold(), initializer, initargs))

    def map(self, func: Callable[[Any], Any], items: Iterable) -> Iterator:
        """``func(item)`` for each item, lazily and in order; a worker's exception is raised here."""
        if self._pool is None:
            if not self._local_ready:
                self._init(*self._args)
                self._local_ready = True
            return map(func, items)
        return self._pool.imap(func, items, chunksize=1)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()  # results are all in: nothing is left to finish
            self._pool.join()
            self._pool = None

    def __enter__(self) -> "FilePool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
