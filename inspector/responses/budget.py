"""One response's render budget: the caps, and the checkpoints that enforce them.

Python cannot stop a running function from outside, so the time cap is
enforced cooperatively: code that runs template work calls :func:`tick` (every
loop item, call, filter and output piece does, see
:mod:`inspector.responses.sandbox`), and every :data:`CHECK_EVERY` ticks the
clock is read. The clock is the rendering thread's CPU time: a template's work
is what the cap is about, so a busy machine (a loaded CI runner, other threads
holding the GIL) does not turn an answer that fits into a 500, and a runaway
template still stops after the same work however loaded the machine is. Size
caps are checked before a value is built (:mod:`inspector.responses.guards`), so
no single call can run long on its own.
"""

from __future__ import annotations

import threading
import time

#: the largest rendered body (and header value, and status); 1 MiB
MAX_OUTPUT = 1024 * 1024
#: the most CPU time a response may take to render (status, headers and body together)
MAX_RENDER_SECONDS = 1.0
#: all text produced while rendering, also into {% set %} blocks and macros
MAX_EMITTED = 4 * MAX_OUTPUT
#: the largest string or sequence one operator, method or filter may build
MAX_VALUE = 4 * MAX_OUTPUT
#: the largest width, precision or count argument of padding-like methods and formats
MAX_WIDTH = 64 * 1024
#: how many checkpoints pass between two clock reads
CHECK_EVERY = 64


class RenderLimitError(Exception):
    """A template exceeded a cap (time, output or value size). One-line message."""


class _Budget:
    __slots__ = ("deadline", "emitted", "ticks")

    def __init__(self, seconds: float) -> None:
        self.deadline = time.thread_time() + seconds
        self.emitted = 0
        self.ticks = 0


_state = threading.local()


def current() -> _Budget | None:
    budget: _Budget | None = getattr(_state, "budget", None)
    return budget


def _late() -> RenderLimitError:
    return RenderLimitError(f"rendering took longer than {MAX_RENDER_SECONDS:g} s of CPU time")


def tick() -> None:
    """A checkpoint: raises RenderLimitError once the deadline has passed."""
    budget = current()
    if budget is None:
        return
    budget.ticks += 1
    if budget.ticks % CHECK_EVERY == 0 and time.thread_time() > budget.deadline:
        raise _late()


def check_deadline() -> None:
    """Like :func:`tick`, reading the clock every time."""
    budget = current()
    if budget is not None and time.thread_time() > budget.deadline:
        raise _late()


def count_emitted(size: int) -> None:
    """Count ``size`` characters of output against MAX_EMITTED."""
    budget = current()
    if budget is None:
        return
    budget.emitted += size
    if budget.emitted > MAX_EMITTED:
        raise RenderLimitError(f"the template produced more than {MAX_EMITTED} characters")
    tick()


class Budget:
    """Context manager: one response's render budget, for the current thread."""

    def __init__(self, seconds: float | None = None) -> None:
        self._seconds = MAX_RENDER_SECONDS if seconds is None else seconds
        self._saved: _Budget | None = None

    def __enter__(self) -> Budget:
        self._saved = current()
        _state.budget = _Budget(self._seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        _state.budget = self._saved
