"""The Replay dialog: edit a captured request and send it again.

Prefilled from a record: method, URL (the listener's address, else the Host
header, plus the target), header lines ``Name: value`` in the captured order and
case, and the body. What was not edited is sent byte for byte: the captured
header pairs and body bytes are kept and used unless their editor's text
changed (a binary body is shown escaped and read-only until "Edit as text").

Sending runs on a :class:`ReplayThread` (``http.client`` response parsing over a
raw socket, :mod:`inspector.replay`); the answer is shown as plain text with
control characters made visible.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inspector.http.record import CaptureRecord, Pairs
from inspector.replay import ReplayError, ReplayRequest, ReplayResponse, send, split_url
from inspector.text import human_size, visible, visible_bytes

#: how much of a response body the dialog shows
SHOWN_BODY_LIMIT = 256 * 1024
COMMON_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def replay_url(record: CaptureRecord, listener_url: str = "") -> str:
    """Where to send ``record`` again: the listener while it listens, else Host."""
    target = record.target or "/"
    if "://" in target.split("?", 1)[0]:
        return target  # absolute-form
    if not target.startswith("/"):
        target = "/"
    if listener_url:
        return listener_url.rstrip("/") + target
    host = record.header("Host") or record.server
    return f"http://{host}{target}"


def headers_text(headers: Pairs) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers)


def parse_headers_text(text: str) -> Pairs:
    """``Name: value`` lines back to pairs (blank lines skipped).

    Raises:
        ReplayError: a line without a colon.
    """
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise ReplayError(f"header line {number} has no 'Name:'")
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def _is_text(body: bytes) -> bool:
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class ReplayThread(QThread):
    """Sends one request off the GUI thread.

    Signals:
        replied(object): the :class:`ReplayResponse`.
        failed(str): one readable line.
    """

    replied = Signal(object)
    failed = Signal(str)

    def __init__(self, request: ReplayRequest, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.request = request

    def run(self) -> None:
        try:
            response = send(self.request)
        except ReplayError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # never a traceback in the window
            self.failed.emit(f"replay failed: {type(exc).__name__}: {exc}")
        else:
            self.replied.emit(response)


class ReplayDialog(QDialog):
    """Edit and resend one request; shows the response below."""

    #: emitted with each response shown (tests, and the window's status bar)
    response_shown = Signal(object)

    def __init__(self, record: CaptureRecord, listener_url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Replay request #{record.id}")
        self.resize(820, 640)
        self.record = record
        self._thread: ReplayThread | None = None
        self._original_headers = headers_text(record.headers)
        self._body_is_text = _is_text(record.body)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.method_combo = QComboBox(self)
        self.method_combo.setEditable(True)
        self.method_combo.addItems(COMMON_METHODS)
        self.method_combo.setCurrentText(record.method or "GET")
        self.url_edit = QLineEdit(replay_url(record, listener_url), self)
        self.url_edit.setToolTip("Any http:// URL (https is not supported)")
        self.headers_edit = QPlainTextEdit(self)
        self.headers_edit.setFont(mono)
        self.headers_edit.setPlainText(self._original_headers)
        self._original_headers = self.headers_edit.toPlainText()  # as the editor holds it
        self.headers_edit.setToolTip(
            "One 'Name: value' per line, sent in this order and case.\n"
            "Content-Length is set to the body's length; Transfer-Encoding is dropped."
        )
        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setFont(mono)
        self.body_note = QLabel(self)
        self.body_note.setTextFormat(Qt.TextFormat.PlainText)
        self.edit_body_button = QPushButton("Edit as text", self)
        if self._body_is_text:
            self.body_edit.setPlainText(record.body.decode("utf-8"))
            self.body_note.setText(f"{human_size(len(record.body))}")
            self.edit_body_button.hide()
        else:
            self.body_edit.setPlainText(visible_bytes(record.body, None, keep_newlines=True))
            self.body_edit.setReadOnly(True)
            self.body_note.setText(
                f"Binary body, {human_size(len(record.body))}: sent byte for byte unless you edit it."
            )
        self._original_body_text = self.body_edit.toPlainText()

        request_box = QWidget(self)
        form = QFormLayout(request_box)
        form.setContentsMargins(0, 0, 0, 0)
        line = QHBoxLayout()
        line.addWidget(self.method_combo)
        line.addWidget(self.url_edit, 1)
        form.addRow("Request", line)
        form.addRow("Headers", self.headers_edit)
        body_line = QHBoxLayout()
        body_line.addWidget(self.body_note, 1)
        body_line.addWidget(self.edit_body_button)
        form.addRow("Body", body_line)
        form.addRow("", self.body_edit)

        self.status_label = QLabel("Not sent yet.", self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.response_edit = QPlainTextEdit(self)
        self.response_edit.setReadOnly(True)
        self.response_edit.setFont(mono)
        self.response_edit.setPlaceholderText("The response appears here.")
        response_box = QWidget(self)
        response_layout = QVBoxLayout(response_box)
        response_layout.setContentsMargins(0, 0, 0, 0)
        response_layout.addWidget(self.status_label)
        response_layout.addWidget(self.response_edit, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(request_box)
        splitter.addWidget(response_box)
        splitter.setChildrenCollapsible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.send_button = self.buttons.addButton("Send", QDialogButtonBox.ButtonRole.ActionRole)
        self.send_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)

        self.send_button.clicked.connect(self._on_send_button_clicked)
        self.edit_body_button.clicked.connect(self._on_edit_body_button_clicked)
        self.buttons.rejected.connect(self.reject)

    # -- building the request ---------------------------------------------------

    def headers_edited(self) -> bool:
        return self.headers_edit.toPlainText() != self._original_headers

    def body_edited(self) -> bool:
        return self.body_edit.toPlainText() != self._original_body_text

    def build_request(self) -> ReplayRequest:
        """The request the editors describe; unedited parts are the captured bytes.

        Raises:
            ReplayError: a header line without a name, or a URL that is not http://.
        """
        headers = (
            parse_headers_text(self.headers_edit.toPlainText())
            if self.headers_edited()
            else self.record.headers
        )
        body = self.body_edit.toPlainText().encode("utf-8") if self.body_edited() else self.record.body
        url = self.url_edit.text().strip()
        split_url(url)  # says "https is not supported" before anything is sent
        method = self.method_combo.currentText().strip()
        return ReplayRequest(method=method, url=url, headers=headers, body=body)

    def send(self) -> None:
        """Send what the editors hold (off the GUI thread)."""
        if self._thread is not None:
            return
        try:
            request = self.build_request()
        except ReplayError as exc:
            self.status_label.setText(visible(str(exc), 500))
            return
        thread = ReplayThread(request, self)
        thread.replied.connect(self._on_thread_replied)
        thread.failed.connect(self._on_thread_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        self.send_button.setEnabled(False)
        self.status_label.setText(visible(f"Sending {request.method} {request.url}…", 500))
        thread.start()

    # -- slots ------------------------------------------------------------------

    @Slot()
    def _on_send_button_clicked(self) -> None:
        self.send()

    @Slot()
    def _on_edit_body_button_clicked(self) -> None:
        self.body_edit.setReadOnly(False)
        self.body_edit.setFocus()
        self.body_note.setText("Editing: the text below is sent as UTF-8 (escapes are sent literally).")
        self.edit_body_button.hide()

    @Slot(object)
    def _on_thread_replied(self, response: ReplayResponse) -> None:
        truncated = " (cut off)" if response.body_truncated else ""
        self.status_label.setText(
            visible(
                f"HTTP/{response.http_version} {response.status} {response.reason} · "
                f"{human_size(len(response.body))}{truncated} · {response.elapsed_ms:.1f} ms",
                500,
            )
        )
        head = headers_text(response.headers)
        body = visible_bytes(response.body[:SHOWN_BODY_LIMIT], None, keep_newlines=True)
        if len(response.body) > SHOWN_BODY_LIMIT:
            body += f"\n… ({human_size(len(response.body) - SHOWN_BODY_LIMIT)} more not shown)"
        self.response_edit.setPlainText(visible(head, None, keep_newlines=True) + "\n\n" + body)
        self.response_shown.emit(response)

    @Slot(str)
    def _on_thread_failed(self, message: str) -> None:
        self.status_label.setText(visible(message, 500))
        self.response_edit.clear()

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self._thread
        self._thread = None
        self.send_button.setEnabled(True)
        if thread is not None:
            thread.wait()
            thread.deleteLater()

    def done(self, result: int) -> None:
        thread = self._thread
        if thread is not None:  # a send in flight: let it end (bounded by its timeout)
            thread.wait()
        super().done(result)
