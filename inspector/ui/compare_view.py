"""The compare view: two requests side by side, section by section.

At the top, the one-line summary, both requests (id, time, request line,
status), Swap and "Show identical"; below, one collapsible panel per section
(:mod:`inspector.ui.compare_panels`), folded when the section is identical.
The comparison itself is :func:`inspector.diff.compare`, Qt-free and capped;
when the two requests carry more than :data:`SYNC_LIMIT` bytes it runs off the
GUI thread (a 10 MiB body pair takes about a second), and only the latest
result is shown.

A "Make rule condition" click turns the selected difference into a
:class:`~inspector.diff.Separation` here and, when there is a condition, asks
for it to be put into the rules (:attr:`CompareView.rule_requested`); the
result comes back through :meth:`CompareView.show_message`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector.diff import (
    Comparison,
    JsonChange,
    PairRow,
    Separation,
    compare,
    json_condition,
    pair_condition,
)
from inspector.http.record import CaptureRecord
from inspector.models.columns import local_datetime
from inspector.text import tooltip, visible
from inspector.ui.compare_panels import SectionPanel, plain_label
from inspector.ui.preview_worker import PreviewWorker

#: bytes (bodies and raw requests of both sides) compared on the GUI thread; more go to a worker
SYNC_LIMIT: Final = 256 * 1024
#: characters of the summary line shown
SUMMARY_LIMIT: Final = 600
#: characters of a request's line shown
SIDE_LIMIT: Final = 300
#: the colour of messages that say something did not work
ERROR_COLOR: Final = "#c62828"

Side = Literal["left", "right"]


@dataclass(frozen=True, slots=True)
class RuleRequest:
    """A condition to put into the rules, and the two requests it tells apart."""

    separation: Separation
    left: CaptureRecord
    right: CaptureRecord
    into_selected: bool


def side_line(record: CaptureRecord) -> str:
    """``#12 · 2024-05-01 10:31:02.123 +0200 · POST /hook → 500`` (unescaped)."""
    line = f"{record.method} {record.target}".strip() or "(no request line)"
    status = f" → {record.response.status}" if record.response is not None else " → no answer"
    return f"#{record.id} · {local_datetime(record.received_at)} · {line}{status}"


class CompareView(QWidget):
    """Shows :func:`inspector.diff.compare` of two requests.

    Signals:
        rule_requested(object): a :class:`RuleRequest`.
        compared(): a comparison is shown (after :meth:`compare` or :meth:`swap`).
    """

    rule_requested = Signal(object)
    compared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._left: CaptureRecord | None = None
        self._right: CaptureRecord | None = None
        self._comparison: Comparison | None = None
        self.panels: dict[str, SectionPanel] = {}
        self._worker = PreviewWorker(self)
        self._worker.ready.connect(self._on_worker_ready)

        self.summary_label = plain_label("", self)
        font = self.summary_label.font()
        font.setBold(True)
        self.summary_label.setFont(font)
        self.left_label = self._side_label()
        self.right_label = self._side_label()
        self.swap_button = QPushButton("Swap sides", self)
        self.swap_button.setToolTip("Compare the right request with the left one instead")
        self.identical_box = QCheckBox("Show identical", self)
        self.identical_box.setToolTip("Unfold the identical sections and list what is the same on both sides")
        self.message_label = plain_label("", self)
        self.message_label.hide()

        top = QGridLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.summary_label, 0, 0, 1, 3)
        top.addWidget(QLabel("Left:", self), 1, 0)
        top.addWidget(self.left_label, 1, 1)
        top.addWidget(self.swap_button, 1, 2)
        top.addWidget(QLabel("Right:", self), 2, 0)
        top.addWidget(self.right_label, 2, 1)
        top.addWidget(self.identical_box, 2, 2)
        top.addWidget(self.message_label, 3, 0, 1, 3)
        top.setColumnStretch(1, 1)

        self._sections = QWidget()
        self._sections_box = QVBoxLayout(self._sections)
        self._sections_box.setContentsMargins(0, 0, 4, 0)
        self._sections_box.setSpacing(2)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self._sections)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroll_area, 1)

        self.swap_button.clicked.connect(self._on_swap_button_clicked)
        self.identical_box.toggled.connect(self._on_identical_box_toggled)

    def _side_label(self) -> QLabel:
        label = QLabel(self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # a long request line is cut by the label, never widens the window
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        return label

    # -- public API ---------------------------------------------------------------

    @property
    def comparison(self) -> Comparison | None:
        """What is shown (None while a comparison is under way)."""
        return self._comparison

    @property
    def records(self) -> tuple[CaptureRecord, CaptureRecord] | None:
        if self._left is None or self._right is None:
            return None
        return self._left, self._right

    def compare(self, left: CaptureRecord, right: CaptureRecord) -> None:
        """Compare ``left`` with ``right`` (off the GUI thread when they are large)."""
        self._left, self._right = left, right
        for label, record in ((self.left_label, left), (self.right_label, right)):
            text = side_line(record)
            label.setText(visible(text, SIDE_LIMIT))
            label.setToolTip(tooltip(text))
        self.message_label.hide()
        size = sum(len(r.body) + len(r.raw) for r in (left, right))
        if size <= SYNC_LIMIT:
            self._worker.submit(lambda: None)  # a comparison still running is stale now
            self._show(compare(left, right))
            return
        self._comparison = None
        self._clear_panels()
        self.summary_label.setText("Comparing…")
        self.swap_button.setEnabled(False)
        self._worker.submit(lambda: compare(left, right))

    def swap(self) -> None:
        if self._left is not None and self._right is not None:
            self.compare(self._right, self._left)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for a comparison under way (teardown and tests)."""
        return self._worker.wait(msecs)

    def set_show_identical(self, show: bool) -> None:
        self.identical_box.setChecked(show)

    def show_message(self, text: str, *, error: bool = False) -> None:
        """One line under the requests (what became of a rule condition)."""
        self.message_label.setText(visible(text, SUMMARY_LIMIT))
        self.message_label.setStyleSheet(f"color: {ERROR_COLOR};" if error else "")
        self.message_label.show()

    def separation_for(self, item: object, source: str, side: Side) -> Separation | None:
        """The condition (or why there is none) for a difference of ``source``."""
        records = self.records
        if records is None:
            return None
        left, right = records
        if isinstance(item, PairRow) and source in ("header", "query"):
            return pair_condition(item, "header" if source == "header" else "query", left, right, prefer=side)
        if isinstance(item, JsonChange):
            return json_condition(item, left, right, prefer=side)
        return None

    # -- internals ---------------------------------------------------------------

    def _clear_panels(self) -> None:
        while self._sections_box.count():
            item = self._sections_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.panels = {}

    def _show(self, comparison: Comparison) -> None:
        records = self.records
        if records is None:
            return
        self._comparison = comparison
        self._clear_panels()
        self.summary_label.setText(visible(comparison.summary, SUMMARY_LIMIT))
        sides = (f"#{records[0].id}", f"#{records[1].id}")
        show = self.identical_box.isChecked()
        for section in comparison.sections:
            panel = SectionPanel(section, sides, self._sections)
            panel.set_show_same(show)
            if show:
                panel.set_folded(False)
            panel.rule_wanted.connect(self._on_panel_rule_wanted)
            self._sections_box.addWidget(panel)
            self.panels[section.key] = panel
        self._sections_box.addStretch(1)
        self.swap_button.setEnabled(True)
        self.compared.emit()

    # -- slots -------------------------------------------------------------------

    @Slot(object)
    def _on_worker_ready(self, result: object) -> None:
        if isinstance(result, Comparison):
            self._show(result)
        elif isinstance(result, Exception):
            self.summary_label.setText(visible(f"Could not compare: {type(result).__name__}: {result}", 300))
            self.swap_button.setEnabled(True)

    @Slot()
    def _on_swap_button_clicked(self) -> None:
        self.swap()

    @Slot(bool)
    def _on_identical_box_toggled(self, show: bool) -> None:
        for panel in self.panels.values():
            panel.set_show_same(show)
            panel.set_folded(panel.section.identical and not show)

    @Slot(object, str, str, bool)
    def _on_panel_rule_wanted(self, item: object, source: str, side: str, into_selected: bool) -> None:
        records = self.records
        separation = self.separation_for(item, source, "left" if side == "left" else "right")
        if records is None or separation is None:
            return
        if separation.condition is None:
            self.show_message(f"No rule condition: {separation.reason}", error=True)
            return
        self.rule_requested.emit(RuleRequest(separation, records[0], records[1], into_selected))
