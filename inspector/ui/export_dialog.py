"""Export of the table's rows to HAR or JSONL, off the GUI thread.

The window decides *which* rows (:class:`ExportScope`: the selected rows, the
rows the filter shows, or every row) and hands :class:`ExportThread` a list of
items: live rows as their immutable records, history rows as ids. The thread
reads the stored records itself (the store's reads are thread-safe and never
touch Qt), writes the file with :func:`inspector.store.export_file` (written
next to its name and renamed into place) and reports one line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from inspector.formats import export_file
from inspector.http.record import CaptureRecord
from inspector.store import CaptureStore

#: with more history ids than this, read them by scanning the store in id order
#: rather than one lookup per id
_SCAN_THRESHOLD = 200

FILE_FILTERS = "HAR 1.2 (*.har);;JSON Lines (*.jsonl)"

ExportItem = CaptureRecord | int


class ExportScope(Enum):
    SELECTED = "selected"
    FILTERED = "filtered"
    ALL = "all"

    @property
    def label(self) -> str:
        return {
            ExportScope.SELECTED: "Export selected rows…",
            ExportScope.FILTERED: "Export filtered rows…",
            ExportScope.ALL: "Export everything…",
        }[self]


def resolve(items: Sequence[ExportItem], store: CaptureStore | None) -> Iterator[CaptureRecord]:
    """Records for ``items`` in order; ids no longer stored are skipped."""
    ids = [item for item in items if isinstance(item, int)]
    found: dict[int, CaptureRecord] = {}
    if ids and store is not None:
        if len(ids) > _SCAN_THRESHOLD:
            wanted = set(ids)
            last = max(ids)
            for record in store.iter_records(min(ids)):
                if record.id > last:
                    break
                if record.id in wanted:
                    found[record.id] = record
        else:
            for record_id in ids:
                try:
                    found[record_id] = store.get(record_id)
                except KeyError:
                    pass
    for item in items:
        if isinstance(item, int):
            stored = found.pop(item, None)
            if stored is not None:
                yield stored
        else:
            yield item


def ask_export_path(parent: QWidget, scope: ExportScope, count: int, start_dir: str = "") -> str:
    """A save dialog; returns "" when cancelled. The suffix picks the format
    (.har by default when the name has neither)."""
    title = f"{scope.label.rstrip('…')} ({count:,} requests)"
    start = str(Path(start_dir or Path.home()) / "requests.har")
    path, chosen = QFileDialog.getSaveFileName(parent, title, start, FILE_FILTERS)
    if not path:
        return ""
    if Path(path).suffix.lower() not in (".har", ".jsonl"):
        path += ".jsonl" if "jsonl" in chosen else ".har"
    return path


class ExportThread(QThread):
    """Writes one export file.

    Signals:
        done(bool, str): success, and one line for the status bar.
    """

    done = Signal(bool, str)

    def __init__(
        self,
        path: str,
        items: Sequence[ExportItem],
        store: CaptureStore | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self._items = list(items)
        self._store = store

    def run(self) -> None:
        name = Path(self.path).name
        try:
            count = export_file(self.path, resolve(self._items, self._store))
        except (OSError, ValueError) as exc:
            self.done.emit(False, f"Export to {name} failed: {exc}")
        except Exception as exc:  # a store read error: a message, never a traceback
            self.done.emit(False, f"Export to {name} failed: {type(exc).__name__}: {exc}")
        else:
            missing = len(self._items) - count
            note = f" ({missing:,} no longer stored)" if missing > 0 else ""
            self.done.emit(True, f"Exported {count:,} requests to {self.path}{note}")
