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

The sizes follow the edits: the body's size, the request's, and the
``Content-Length`` line in the headers editor (the value the request will carry;
:func:`inspector.replay.build_request` sets it on sending whatever the line
says) are brought up to date shortly after typing stops. "Mark as a replay"
adds :data:`inspector.replay.REPLAY_HEADER`; it is ticked while the URL is this
listener's and left alone once the user has chosen.

Sending runs on a :class:`inspector.ui.replay_runner.ReplayRunner` (a daemon thread, ``http.client``
response parsing over a raw socket, :mod:`inspector.replay`); closing the dialog
cancels it and never waits for it. The answer is shown as plain text with
control characters made visible.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
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
from inspector.replay import (
    REPLAY_HEADER,
    ReplayCall,
    ReplayError,
    ReplayRequest,
    ReplayResponse,
    build_request,
    mark_replay,
    split_url,
)
from inspector.text import human_size, visible, visible_bytes
from inspector.ui.replay_runner import ReplayRunner

#: how much of a response body the dialog shows
SHOWN_BODY_LIMIT = 256 * 1024
COMMON_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
#: how long typing must pause before the sizes and Content-Length are brought up to date
SIZES_DELAY_MS = 150


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
    if record.scheme == "https" and base.startswith("http://"):
        base = "https://" + base[len("http://") :]  # the listener answers both on one port
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


def with_content_length(text: str, length: int) -> str:
    """Header lines ``text`` with every ``Content-Length`` line saying ``length``
    (name, case and place kept; other lines untouched)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        name, colon, value = line.partition(":")
        if colon and name.strip().lower() == "content-length" and value.strip() != str(length):
            lines[number] = f"{name}: {length}"
    return "\n".join(lines)


def _is_text(body: bytes) -> bool:
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class ReplayDialog(QDialog):
    """Edit and resend one request; shows the response below."""

    #: emitted with each response shown (tests, and the window's status bar)
    response_shown = Signal(object)

    def __init__(
        self,
        record: CaptureRecord,
        listener_url: str = "",
        parent: QWidget | None = None,
        cafile: str | None = None,
    ) -> None:
        super().__init__(parent)
        #: the local CA's ca.pem, trusted for https:// replays besides the system's store
        self.cafile = cafile
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
            "Any http:// or https:// URL. By default this listener (https:// for a request\n"
            "that came over HTTPS, verified with the local CA);\n"
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
        #: the headers text as the dialog last wrote it (unedited by the user until it differs)
        self._auto_headers = self._original_headers
        self.mark_check = QCheckBox(f"Mark as a replay of #{record.id}", self)
        self.mark_check.setChecked(True)
        self.mark_check.setToolTip(
            f"Adds the header '{REPLAY_HEADER}: {record.id}', so the capture of the replay\n"
            "says which request it repeats. Ticked while the URL is this listener."
        )
        self._mark_chosen = False  # the user ticked or unticked it
        self._listener_base = replay_url(record, listener_url).removesuffix(origin_form(record))
        self.size_note = QLabel(self)
        self.size_note.setTextFormat(Qt.TextFormat.PlainText)
        self._sizes_timer = QTimer(self)
        self._sizes_timer.setSingleShot(True)
        self._sizes_timer.setInterval(SIZES_DELAY_MS)

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
        mark_line = QHBoxLayout()
        mark_line.addWidget(self.mark_check)
        mark_line.addStretch(1)
        mark_line.addWidget(self.size_note)
        form.addRow("", mark_line)

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
        self.mark_check.clicked.connect(self._on_mark_check_clicked)
        self.url_edit.textChanged.connect(self._on_url_edit_text_changed)
        for signal in (
            self.body_edit.textChanged,
            self.headers_edit.textChanged,
            self.method_combo.currentTextChanged,
            self.mark_check.toggled,
        ):
            signal.connect(self._sizes_timer.start)
        self._sizes_timer.timeout.connect(self._on_sizes_timer_timeout)
        self.update_sizes()

    # -- building the request ---------------------------------------------------

    def headers_edited(self) -> bool:
        return self.headers_edit.toPlainText() != self._auto_headers

    def body_edited(self) -> bool:
        return self.body_edit.toPlainText() != self._original_body_text

    def body(self) -> bytes:
        """The body to send: the captured bytes until the editor's text changes."""
        return self.body_edit.toPlainText().encode("utf-8") if self.body_edited() else self.record.body

    def update_sizes(self) -> None:
        """Bring the Content-Length line and the size notes up to the editors' state."""
        self._sizes_timer.stop()
        body = self.body()
        text = self.headers_edit.toPlainText()
        wanted = with_content_length(text, len(body))
        if wanted != text:
            unedited = text == self._auto_headers
            cursor = QTextCursor(self.headers_edit.document())
            cursor.select(QTextCursor.SelectionType.Document)
            cursor.insertText(wanted)  # one undo step; the user can take it back
            if unedited:
                self._auto_headers = self.headers_edit.toPlainText()
        if self._body_is_text or self.body_edited():
            self.body_note.setText(human_size(len(body)))
        try:
            head = len(build_request(self.build_request())) - len(body)
        except ReplayError as exc:
            self.size_note.setText(visible(str(exc), 200))
            return
        self.size_note.setText(
            f"request {human_size(head + len(body))}: head {human_size(head)}, "
            f"body {human_size(len(body))} (Content-Length: {len(body)})"
        )

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
        if self.mark_check.isChecked():
            headers = mark_replay(headers, self.record.id)
        body = self.body()
        url = self.url_edit.text().strip()
        split_url(url)  # says what is wrong with the URL before anything is sent
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
        runner = ReplayRunner(ReplayCall(request, cafile=self.cafile))
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

    @Slot()
    def _on_sizes_timer_timeout(self) -> None:
        self.update_sizes()

    @Slot(bool)
    def _on_mark_check_clicked(self, _checked: bool) -> None:
        self._mark_chosen = True

    @Slot(str)
    def _on_url_edit_text_changed(self, url: str) -> None:
        if not self._mark_chosen:
            self.mark_check.setChecked(url.strip().startswith(self._listener_base + "/"))

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
