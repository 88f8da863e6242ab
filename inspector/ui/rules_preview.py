"""The live preview of the rules editor: what the edited rule would answer.

:class:`RulePreview` shows a :class:`Preview` (computed off the GUI thread by
:func:`inspector.responses.preview.preview`): whether the preview request would
match the edited rule (and if not, which part failed), which rule of the
edited list would answer it, and the rendered answer: status line, headers as
they would be sent (Content-Length included) and the body. Everything is plain
text, escaped with :func:`visible` and capped, whatever the template or the
request produced.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from inspector.http.record import CaptureRecord
from inspector.http.response import Response, body_allowed, serialise
from inspector.responses import DEFAULT_RULE, Rule
from inspector.responses.preview import Preview
from inspector.text import human_size, visible, visible_bytes
from inspector.ui.rules_form import ERROR_COLOR, monospace_font, plain_label

#: body bytes the preview shows (the rest is summarised)
BODY_LIMIT = 64 * 1024
#: characters of a header value, target or message the preview shows
LINE_LIMIT = 500
OK_COLOR = "#1a7f37"


def sample_record() -> CaptureRecord:
    """The built-in preview request: ``GET /hello/world?lang=fr``."""
    head = (
        b"GET /hello/world?lang=fr HTTP/1.1\r\nHost: localhost:8090\r\n"
        b"User-Agent: Mozilla/5.0\r\nAccept: text/html,*/*\r\n\r\n"
    )
    return CaptureRecord(
        id=0,
        received_at=time.time(),
        client="127.0.0.1:50000",
        server="127.0.0.1:8090",
        method="GET",
        target="/hello/world?lang=fr",
        path="/hello/world",
        query=(("lang", "fr"),),
        http_version="1.1",
        headers=(
            ("Host", "localhost:8090"),
            ("User-Agent", "Mozilla/5.0"),
            ("Accept", "text/html,*/*"),
        ),
        raw_head=head,
    )


def _wrapping_label(parent: QWidget) -> QLabel:
    label = plain_label("", parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _read_only_text(parent: QWidget) -> QPlainTextEdit:
    view = QPlainTextEdit(parent)
    view.setReadOnly(True)
    view.setFont(monospace_font())
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    view.setMaximumBlockCount(0)
    return view


class RulePreview(QWidget):
    """The preview pane (read-only)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = plain_label("Live preview", self)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.request_label = _wrapping_label(self)
        self.match_label = _wrapping_label(self)
        self.answer_label = _wrapping_label(self)
        self.status_label = _wrapping_label(self)
        self.status_label.setFont(monospace_font())
        bold = self.status_label.font()
        bold.setBold(True)
        self.status_label.setFont(bold)
        self.error_label = _wrapping_label(self)
        self._color(self.error_label, ERROR_COLOR.name())
        self.error_label.hide()

        self.headers_view = _read_only_text(self)
        self.headers_view.setPlaceholderText("(no headers)")
        line = self.headers_view.fontMetrics().lineSpacing()
        self.headers_view.setFixedHeight(7 * line + 12)  # scrolls beyond seven headers
        self.body_view = _read_only_text(self)
        self.body_view.setPlaceholderText("(empty body)")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.request_label)
        layout.addWidget(self.match_label)
        layout.addWidget(self.answer_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addWidget(plain_label("Headers and body as they would be sent:", self))
        layout.addWidget(self.headers_view)
        layout.addWidget(self.body_view, 1)

    @staticmethod
    def _color(label: QLabel, color: str | None) -> None:
        if color is None:
            label.setPalette(QPalette())  # nothing set: inherit the window's colours
            return
        palette = label.palette()
        palette.setColor(label.foregroundRole(), color)
        label.setPalette(palette)

    def show_result(
        self,
        result: Preview,
        rules: Sequence[Rule],
        record: CaptureRecord,
        *,
        row: int = -1,
        sample: bool,
    ) -> None:
        """Show ``result``, the preview of the rule at ``row`` of ``rules`` against ``record``.

        Args:
            result: what :func:`inspector.responses.preview.preview` found.
            rules: the edited list it was computed for.
            record: the preview request.
            row: the position of the edited rule in ``rules`` (-1: none selected).
            sample: ``record`` is the built-in sample (said so in the pane).
        """
        where = "built-in sample" if sample else f"request #{record.id}"
        line = f"{record.method} {record.target}".strip() or "(no request line)"
        self.request_label.setText(f"Preview request ({where}): {visible(line, LINE_LIMIT)}")
        self.request_label.setToolTip("Select a request in the table to preview with it." if sample else "")
        self.answer_label.setText(self._answered_by(result, rules, row))
        if result.match is None or result.response is None:
            self.match_label.setText("Select a rule to preview its answer.")
            self._color(self.match_label, None)
            self.status_label.clear()
            self.error_label.hide()
            self.headers_view.clear()
            self.body_view.clear()
            return
        match = result.match
        if match.matched:
            how = "" if match.message == "matches" else f" ({visible(match.message, LINE_LIMIT)})"
            self.match_label.setText(f"✔ This rule matches this request{how}.")
            self._color(self.match_label, OK_COLOR)
        else:
            message = visible(match.message, LINE_LIMIT)
            self.match_label.setText(f"✘ This rule does not match this request: {message}")
            self._color(self.match_label, ERROR_COLOR.name())
        self._show_response(result.response, record)

    @staticmethod
    def _answered_by(result: Preview, rules: Sequence[Rule], row: int) -> str:
        if result.selection_error:
            return f"Cannot tell which rule answers: {visible(result.selection_error, LINE_LIMIT)}"
        position = result.answered_by
        if position is None or not 0 <= position < len(rules):
            default = f"{DEFAULT_RULE.status} “{visible(DEFAULT_RULE.body, LINE_LIMIT)}”"
            return f"No rule of the edited list matches: the built-in default answers {default}."
        name = visible(rules[position].name, LINE_LIMIT) or "(unnamed)"
        this = " (this rule)" if position == row else ""
        kind = " as a CORS preflight" if result.preflight else ""
        return f"Of the edited list, rule {position + 1} “{name}”{this} answers this request{kind}."

    def _show_response(self, response: Response, record: CaptureRecord) -> None:
        method = record.method or "GET"
        _wire, status, reason, headers = serialise(response, method=method, keep_alive=True)
        sent_body = body_allowed(status, method)
        notes = [f"body {human_size(len(response.body))}"]
        if response.delay_ms:
            notes.append(f"sent after {response.delay_ms} ms")
        if not sent_body:
            notes.append(f"no body is sent for {visible(method, 20)} / {status}")
        self.status_label.setText(f"HTTP/1.1 {status} {visible(reason, 100)}   ·   {' · '.join(notes)}")
        if response.error:
            self.error_label.setText(
                "The rule fails to render, so a 500 goes out instead:\n" + visible(response.error, LINE_LIMIT)
            )
            self.error_label.show()
        else:
            self.error_label.hide()
        self.headers_view.setPlainText(
            "\n".join(f"{visible(n, 100)}: {visible(v, LINE_LIMIT)}" for n, v in headers)
        )
        body = response.body
        text = visible_bytes(body[:BODY_LIMIT], None, keep_newlines=True)
        if len(body) > BODY_LIMIT:
            text += f"\n\n… (showing the first {human_size(BODY_LIMIT)} of {human_size(len(body))})"
        self.body_view.setPlainText(text)
