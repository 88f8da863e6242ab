"""Records crossing from the listener thread to the GUI thread, many of them.

PySide6 6.12.0 aborts the process ("Fatal Python error: none_dealloc") after a
few thousand cross-thread signal emissions; pyproject.toml excludes it. This
test is the guard: with an affected PySide6 it kills the test run.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot

EMISSIONS = 30_000


class _Emitter(QThread):
    item = Signal(object)

    def run(self) -> None:
        for i in range(EMISSIONS):
            self.item.emit((i, None, True))


class _Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[int] = []

    @Slot(object)
    def on_item(self, item: tuple[int, None, bool]) -> None:
        self.seen.append(item[0])


def test_many_cross_thread_emissions_arrive_in_order(qtbot) -> None:
    receiver = _Receiver()
    emitter = _Emitter()
    emitter.item.connect(receiver.on_item)
    emitter.start()
    qtbot.waitUntil(lambda: len(receiver.seen) == EMISSIONS, timeout=60_000)
    assert emitter.wait(5000)
    assert receiver.seen == list(range(EMISSIONS))
