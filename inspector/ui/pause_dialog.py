"""The answer dialog of a paused request: the rule's answer, edited by hand.

It opens pre-filled with what the rule would send (status, headers as
``Name: value`` lines, the body as text) and sends the edited answer, the same
answer with a fault, or the rule's own answer (docs/ARCHITECTURE.md, "Answers").
It says how long the client has waited and when the idle limit ends the
request, and turns read-only when the request can no longer be answered (the
client hung up, the listener stopped, the idle limit). Request data is shown as
plain text only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.http.response import FAULTS
from inspector.models.row_style import error_color
from inspector.responses.answers import DEFAULT_TRICKLE_RATE
from inspector.responses.model import MAX_STATUS, MIN_STATUS
from inspector.responses.pausing import PausedRequest, edited_answer, headers_text, parse_headers
from inspector.text import human_size, visible

if TYPE_CHECKING:
    from inspector.ui.pauses import Pauses

#: what each fault does, for the fault pickers
FAULT_LABELS: Final[dict[str, str]] = {
    "close": "close: close the connection without answering",
    "reset": "reset: abort the connection (TCP reset)",
    "hang": "hang: answer nothing until the client gives up",
    "trickle": "trickle: send the answer slowly",
    "truncate": "truncate: send half the body, then close",
    "malformed": "malformed: send the body as raw bytes, not HTTP",
}
#: the fault picker's first entry
NO_FAULT: Final = "none: send this answer"
#: characters of the request line shown in the title
TITLE_LIMIT: Final = 120


def pause_title(request: PausedRequest) -> str:
    """``#12 GET /pay · paused by rule 'flaky' (answer 2 of 3)``, escaped."""
    record, answer = request.record, request.answer
    step = f" (answer {answer.step} of {answer.steps})" if answer.step is not None else ""
    line = visible(f"{record.method} {record.target}", TITLE_LIMIT)
    return f"#{record.id} {line} · paused by rule {visible(request.rule, 80)!r}{step}"


def waited_line(waited: float, left: float) -> str:
    return (
        f"The client has waited {int(waited)} s; unanswered, the request ends at the idle limit "
        f"in {int(left)} s."
    )


class PauseDialog(QDialog):
    """Edits and sends the answer of one paused request through ``pauses``."""

    def __init__(self, request: PausedRequest, pauses: Pauses, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self._pauses = pauses
        answer = request.answer
        self.setWindowTitle(f"Answer paused request #{request.id}")
        self.title = QLabel(pause_title(request), self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.waited = QLabel(self)
        self.waited.setTextFormat(Qt.TextFormat.PlainText)
        self.waited.setWordWrap(True)

        self.status = QSpinBox(self)
        self.status.setRange(MIN_STATUS, MAX_STATUS)
        self.status.setValue(min(max(answer.status, MIN_STATUS), MAX_STATUS))
        self.headers = QPlainTextEdit(headers_text(answer.headers), self)
        self.headers.setPlaceholderText("Name: value, one per line")
        self.headers.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.headers.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        self.body = QPlainTextEdit(self)
        self._binary: bytes | None = None
        try:
            self.body.setPlainText(answer.body.decode("utf-8"))
        except UnicodeDecodeError:  # a body file's bytes: sent as they are
            self._binary = answer.body
            self.body.setPlaceholderText(
                f"binary body ({human_size(len(answer.body))}): sent as the rule rendered it"
            )
            self.body.setReadOnly(True)
        self.fault = QComboBox(self)
        self.fault.addItem(NO_FAULT, None)
        for name in FAULTS:
            self.fault.addItem(FAULT_LABELS.get(name, name), name)
        self.rate = QSpinBox(self)
        self.rate.setRange(1, 10 * 1024 * 1024)
        self.rate.setValue(answer.bytes_per_s or DEFAULT_TRICKLE_RATE)
        self.rate.setSuffix(" bytes/s")
        self.rate.setEnabled(False)
        fault_row = QHBoxLayout()
        fault_row.addWidget(self.fault, 1)
        fault_row.addWidget(self.rate)
        if answer.fault in FAULTS:
            self.fault.setCurrentIndex(self.fault.findData(answer.fault))

        self.problem = QLabel(self)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {error_color().name()}")
        self.problem.hide()

        buttons = QDialogButtonBox(self)
        self.send_button = QPushButton("&Send", self)
        self.send_button.setDefault(True)
        self.send_button.setToolTip("Send this answer (with the fault, if one is picked)")
        self.rule_button = QPushButton("&Let the rule answer", self)
        self.rule_button.setToolTip("Send what the rule rendered, unedited (its delay and fault too)")
        self.keep_button = QPushButton("&Keep waiting", self)
        self.keep_button.setToolTip("Close this dialog; the request stays paused")
        buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.rule_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.RejectRole)

        form = QFormLayout()
        form.addRow("Status", self.status)
        form.addRow("Headers", self.headers)
        form.addRow("Body", self.body)
        form.addRow("Fault", fault_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.waited)
        layout.addLayout(form, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(640, 520)

        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.rule_button.clicked.connect(self._on_rule_button_clicked)
        self.keep_button.clicked.connect(self.reject)
        self.fault.currentIndexChanged.connect(self._on_fault_current_index_changed)
        pauses.ticked.connect(self._on_pauses_ticked)
        pauses.ended.connect(self._on_pauses_ended)
        self._on_fault_current_index_changed()
        self._on_pauses_ticked()

    @property
    def open_request(self) -> bool:
        """Whether the request can still be answered from here."""
        return self.send_button.isEnabled()

    def answer_body(self) -> bytes:
        return self._binary if self._binary is not None else self.body.toPlainText().encode("utf-8")

    @Slot()
    def _on_send_button_clicked(self) -> None:
        headers, problem = parse_headers(self.headers.toPlainText())
        if problem is None:
            fault = self.fault.currentData()
            try:
                response = edited_answer(
                    self.request.answer,
                    status=self.status.value(),
                    headers=headers,
                    body=self.answer_body(),
                    fault=fault if isinstance(fault, str) else None,
                    bytes_per_s=self.rate.value(),
                )
            except ValueError as exc:
                problem = str(exc)
        if problem is not None:
            self.problem.setText(visible(problem, 300))
            self.problem.show()
            return
        self._pauses.send(self.request, response)
        self.accept()

    @Slot()
    def _on_rule_button_clicked(self) -> None:
        self._pauses.let_rule_answer(self.request)
        self.accept()

    @Slot()
    def _on_fault_current_index_changed(self) -> None:
        self.rate.setEnabled(self.fault.currentData() == "trickle")

    @Slot()
    def _on_pauses_ticked(self) -> None:
        if self.open_request:
            self.waited.setText(waited_line(self.request.waited(), self._pauses.left(self.request)))

    @Slot(int, str)
    def _on_pauses_ended(self, request_id: int, reason: str) -> None:
        if request_id != self.request.id:
            return
        self.waited.setText(f"This request can no longer be answered: {visible(reason, 300)}")
        for button in (self.send_button, self.rule_button):
            button.setEnabled(False)
        self.keep_button.setText("&Close")
