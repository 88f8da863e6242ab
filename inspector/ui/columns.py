"""Side-by-side columns that fold into tabs when the widget gets too narrow for them.

:class:`ColumnsOrTabs` shows a fixed first column (a list, say) and then its
other parts side by side in a splitter while it is at least ``wide_from``
pixels wide; narrower, those parts become the pages of a tab widget beside the
first column, so each stays readable and reachable instead of being squeezed
until its labels are clipped. The widgets move between the two arrangements;
none is ever recreated, so their state (text, selection, scroll) stays.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget


class ColumnsOrTabs(QWidget):
    """A first column, then ``parts`` as columns (wide) or as tabs (narrow).

    Args:
        first: always a column of its own, on the left.
        parts: (title, widget, stretch) of the other columns, left to right;
            the title names its tab.
        wide_from: the narrowest width that still shows every part as a column.
        sizes: the columns' starting widths when wide (first column first).
    """

    def __init__(
        self,
        first: QWidget,
        parts: Sequence[tuple[str, QWidget, int]],
        *,
        wide_from: int,
        sizes: Sequence[int],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._parts = list(parts)
        self._wide_from = wide_from
        self._sizes = list(sizes)
        self._wide: bool | None = None
        self.tabs = QTabWidget(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(first)
        self.splitter.setStretchFactor(0, 0)
        for _title, widget, stretch in self._parts:
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(self.splitter.count() - 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.arrange(wide=True)

    def is_wide(self) -> bool:
        """Every part is a column (not a tab)."""
        return bool(self._wide)

    def arrange(self, *, wide: bool) -> None:
        """Show the parts as columns (``wide``) or as tabs."""
        if wide == self._wide:
            return
        self._wide = wide
        if wide:
            while self.tabs.count():
                self.tabs.removeTab(0)
            for position, (_title, widget, _stretch) in enumerate(self._parts, start=1):
                self.splitter.insertWidget(position, widget)
                widget.show()
            self.tabs.hide()
            self.splitter.setSizes([*self._sizes, 0])
        else:
            for title, widget, _stretch in self._parts:
                self.tabs.addTab(widget, title)
            self.tabs.show()
            self.splitter.setSizes([self._sizes[0], *(0 for _ in self._parts), sum(self._sizes[1:])])

    def show_part(self, widget: QWidget) -> None:
        """Bring ``widget`` into view (its tab, when narrow)."""
        if not self.is_wide():
            self.tabs.setCurrentWidget(widget)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.arrange(wide=event.size().width() >= self._wide_from)
        super().resizeEvent(event)
