"""Runs the rules editor's preview off the GUI thread; the GUI never waits for it.

Strategy. A preview renders a template against a request: bounded (linear
matching, the 1 s render budget) but far too slow for the GUI thread, which
must never stall. :class:`PreviewWorker`
hands each job to a private one-thread pool and numbers it with a generation
counter. A new job first drops the jobs still queued (``QThreadPool.clear``),
so at most one runs and one waits; a result that arrives after a newer job was
asked for is dropped, so the pane only ever shows the latest edit. The pool is
a child of the worker: destroying the worker waits for the one running job
(at most the render budget), never for a queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Results(QObject):
    """Carries finished jobs back to the GUI thread (queued: it lives there)."""

    finished = Signal(int, object)


class _Job(QRunnable):
    def __init__(self, generation: int, work: Callable[[], Any], results: _Results) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._generation = generation
        self._work = work
        self._results = results

    def run(self) -> None:
        try:
            result: Any = self._work()
        except Exception as exc:  # the job reports, the pool thread goes on
            result = exc
        self._results.finished.emit(self._generation, result)


class PreviewWorker(QObject):
    """Runs one job at a time off the GUI thread; only the latest job's result is delivered.

    Signals:
        ready(object): the result of the latest job (or the exception it raised).
    """

    ready = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self._pool = QThreadPool(self)  # first child: destroyed (and waited for) first
        self._pool.setMaxThreadCount(1)
        self._results = _Results(self)
        self._results.finished.connect(self._on_results_finished)

    @property
    def generation(self) -> int:
        """The number of the latest job asked for."""
        return self._generation

    def submit(self, work: Callable[[], Any]) -> int:
        """Run ``work()`` off the GUI thread; returns its generation. Never blocks."""
        self._generation += 1
        self._pool.clear()  # queued jobs are stale now
        self._pool.start(_Job(self._generation, work, self._results))
        return self._generation

    def wait(self, msecs: int = -1) -> bool:
        """Wait for the running job (for teardown and tests; the GUI never calls it)."""
        return self._pool.waitForDone(msecs)

    @Slot(int, object)
    def _on_results_finished(self, generation: int, result: object) -> None:
        if generation == self._generation:
            self.ready.emit(result)
