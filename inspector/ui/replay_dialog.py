"""The Replay dialog: edit a captured request and send it again.

Prefilled from a record: method, URL, header lines ``Name: value`` in the
captured order and case, and the body. What was not edited is sent byte for
byte: the captured header pairs and body bytes are kept and used unless their
editor's text changed (a binary body is shown escaped and read-only until
"Edit as text").

The URL is this listener (the one running, else the one that captured the
request) plus the request's path and query, whatever the request named: an
absolute-form target or a Host header that points elsewhere is offered as a
second choice in the URL box, never sent to by default.

Sending runs on a :class:`ReplayRunner` (a daemon thread, ``http.client``
response parsing over a raw socket, :mod:`inspector.replay`); closing the dialog
cancels it and never waits for it. The answer is shown as plain text with
control characters made visible.
"""

from __future__ import annotations

import threading
from typing import ClassVar
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Qt, Signal, Slot
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

from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT, url_for
from inspector.http.record import CaptureRecord, Pairs
from inspector.replay import ReplayCall, ReplayError, ReplayRequest, ReplayResponse, split_url
from inspector.text import human_size, visible, visible_bytes

#: how much of a response body the dialog shows
SHOWN_BODY_LIMIT = 256 * 1024
COMMON_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def origin_form(record: CaptureRecord) -> str:
    """The path and query ``record`` asked for, as an origin-form target ("/" when
    it named none: ``*``, authority-form, a malformed target)."""
    target = record.target
    if "://" in target.split("?", 1)[0]:  # absolute-form
        parts = urlsplit(target)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return target if target.startswith("/") else "/"


def replay_url(record: CaptureRecord, listener_url: str = "") -> str:
    """Where a replay goes by default: this listener (the running one, else the
    one that captured ``record``) and the request's path and query."""
    if listener_url:
        base = listener_url.rstrip("/")
    else:
        base = f"http://{record.server}" if record.server else url_for(DEFAULT_HOST, DEFAULT_PORT)
    return base + origin_form(record)


def replay_choices(record: CaptureRecord, listener_url: str = "") -> list[str]:
    """The URLs the dialog offers: :func:`replay_url` first, then the request's
    own URL (:attr:`CaptureRecord.url`) when it names another place."""
    choices = [replay_url(record, listener_url)]
    original = record.url
    if original and record.method != "CONNECT" and original not in choices:
        choices.append(original)
    return choices


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


class ReplayRunner(QObject):
    """Runs one :class:`ReplayCall` on a daemon thread and reports through signals.

    It has no parent and keeps itself alive (:attr:`_running`) until the call has
    ended, so a dialog closed mid-replay neither waits for it nor is reached by
    it, and the app can quit while a server still trickles (daemon threads do
    not hold the process).

    Signals:
        replied(object): the :class:`ReplayResponse`.
        failed(str): one readable line.
        ended(): the call is over (answered, failed or cancelled).
    """

    replied = Signal(object)
    failed = Signal(str)
    ended = Signal()

    _running: ClassVar[set[ReplayRunner]] = set()

    def __init__(self, call: ReplayCall) -> None:
        super().__init__(None)
        self.call = call
        self.ended.connect(self._on_self_ended)

    def start(self) -> None:
        ReplayRunner._running.add(self)
        threading.Thread(target=self._run, name="replay", daemon=True).start()

    def cancel(self) -> None:
        """End the call soon; nothing more is reported but :attr:`ended`."""
        self.call.cancel()

    def _run(self) -> None:  # the daemon thread
        try:
            response = self.call.run()
        except ReplayError as exc:
            if not self.call.cancelled:
                self.failed.emit(str(exc))
        except Exception as exc:  # never a traceback in the window
            self.failed.emit(f"replay failed: {type(exc).__name__}: {exc}")
        else:
            if not self.call.cancelled:
                self.replied.emit(response)
        finally:
            self.ended.emit()

    @Slot()
    def _on_self_ended(self) -> None:
        ReplayRunner._running.discard(self)
        self.deleteLater()


class ReplayDialog(QDialog):
    """Edit and resend one request; shows the response below."""

    #: emitted with each response shown (tests, and the window's status bar)
    response_shown = Signal(object)

    def __init__(self, record: CaptureRecord, listener_url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Replay request #{record.id}")
        self.resize(820, 640)
        self.record = record
        self._runner: ReplayRunner | None = None
        self._original_headers = headers_text(record.headers)
        self._body_is_text = _is_text(record.body)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)

        self.method_combo = QComboBox(self)
        self.method_combo.setEditable(True)
        self.method_combo.addItems(COMMON_METHODS)
        self.method_combo.setCurrentText(record.method or "GET")
        self.url_combo = QComboBox(self)
        self.url_combo.setEditable(True)
        self.url_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.url_combo.addItems(replay_choices(record, listener_url))
        self.url_combo.setToolTip(
            "Any http:// URL (https is not supported). By default this listener;\n"
            "the request's own URL, when it names another host, is the second choice."
        )
        url_edit = self.url_combo.lineEdit()
        assert url_edit is not None  # an editable combo has one
        #: the URL the request goes to
        self.url_edit: QLineEdit = url_edit
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
        line.addWidget(self.url_combo, 1)
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
        if self._runner is not None:
            return
        try:
            request = self.build_request()
        except ReplayError as exc:
            self.status_label.setText(visible(str(exc), 500))
            return
        runner = ReplayRunner(ReplayCall(request))
        runner.replied.connect(self._on_runner_replied)
        runner.failed.connect(self._on_runner_failed)
        runner.ended.connect(self._on_runner_ended)
        self._runner = runner
        self.send_button.setEnabled(False)
        self.status_label.setText(visible(f"Sending {request.method} {request.url}…", 500))
        runner.start()

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
    def _on_runner_replied(self, response: ReplayResponse) -> None:
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
    def _on_runner_failed(self, message: str) -> None:
        self.status_label.setText(visible(message, 500))
        self.response_edit.clear()

    @Slot()
    def _on_runner_ended(self) -> None:
        self._runner = None
        self.send_button.setEnabled(True)

    def done(self, result: int) -> None:
        runner = self._runner
        if runner is not None:  # a send in flight: cancel it, never wait for it
            self._runner = None
            runner.replied.disconnect(self._on_runner_replied)
            runner.failed.disconnect(self._on_runner_failed)
            runner.ended.disconnect(self._on_runner_ended)
            runner.cancel()
        super().done(result)
