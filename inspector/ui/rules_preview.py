"""The live preview of the rules editor: what a request gets, and the edited rule's answer.

:class:`RulePreview` shows a :class:`Preview` (computed off the GUI thread by
:func:`inspector.responses.preview.preview`): whether the preview request would
match the edited rule (and if not, which part failed), which rule of the
edited list would answer it, which answer that rule's next request gets and
why (mode, counter, state key value), and one rendered answer: status line,
its fault if it has one (the listener performs it instead of sending the answer
plainly), headers as they would be sent (Content-Length included) and the body
(as text; a binary body, such as a picture from a file, as a hex dump).

The rendered answer is one of two, and its title always says which: what this
request gets (from whichever rule answers it, or the built-in default), or the
edited rule's answer selected in the form, "if it answered". The two buttons
over it switch between them; when they are the same answer only one shows.
Everything is plain text, escaped with :func:`visible` and capped, whatever the
template or the request produced.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.http.record import CaptureRecord
from inspector.http.response import Response, body_allowed, serialise
from inspector.responses import Rule
from inspector.responses.preview import Preview
from inspector.text import human_size, visible, visible_bytes
from inspector.ui.body_render import hex_dump, looks_binary
from inspector.ui.rules_widgets import ERROR_COLOR, monospace_font, plain_label

#: body bytes the preview shows (the rest is summarised)
BODY_LIMIT = 64 * 1024
#: bytes of a binary body (a picture sent from a file, say) shown as a hex dump
HEX_LIMIT = 4 * 1024
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
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps, never widens
    return label


def _read_only_text(parent: QWidget) -> QPlainTextEdit:
    view = QPlainTextEdit(parent)
    view.setReadOnly(True)
    view.setFont(monospace_font())
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    view.setMaximumBlockCount(0)
    return view


def _quoted(rules: Sequence[Rule], position: int) -> str:
    return f"rule {position + 1} “{visible(rules[position].name, LINE_LIMIT) or '(unnamed)'}”"


class RulePreview(QWidget):
    """The preview pane (read-only).

    Signals:
        view_changed(bool): the user switched the rendered answer (True: the
            edited rule's selected answer; False: what the request gets).
    """

    view_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._show_selected = False
        self._last: tuple[Preview, Sequence[Rule], CaptureRecord, int, bool] | None = None
        self.title_label = plain_label("Live preview", self)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.request_label = _wrapping_label(self)
        self.match_label = _wrapping_label(self)
        self.answer_label = _wrapping_label(self)
        self.pick_label = _wrapping_label(self)
        self.gets_button = QToolButton(self)
        self.gets_button.setText("What this request gets")
        self.selected_button = QToolButton(self)
        self.selected_button.setText("This rule's answer")
        self._views = QButtonGroup(self)
        for button in (self.gets_button, self.selected_button):
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self._views.addButton(button)
        self.gets_button.setChecked(True)
        self.block_label = _wrapping_label(self)
        self.block_label.setFont(font)
        self.status_label = _wrapping_label(self)
        bold = monospace_font()
        bold.setBold(True)
        self.status_label.setFont(bold)
        self.fault_label = _wrapping_label(self)
        self.error_label = _wrapping_label(self)
        self._color(self.error_label, ERROR_COLOR.name())
        self.error_label.hide()

        self.headers_view = _read_only_text(self)
        self.headers_view.setPlaceholderText("(no headers)")
        line = self.headers_view.fontMetrics().lineSpacing()
        self.headers_view.setFixedHeight(6 * line + 12)  # scrolls beyond six headers
        self.body_view = _read_only_text(self)
        self.body_view.setPlaceholderText("(empty body)")
        self.body_view.setMinimumHeight(4 * line)

        switch = QHBoxLayout()
        switch.setSpacing(0)
        switch.addWidget(self.gets_button)
        switch.addWidget(self.selected_button)
        switch.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.title_label, self.request_label, self.match_label, self.answer_label, self.pick_label,
        ):  # fmt: skip
            layout.addWidget(widget)
        layout.addLayout(switch)
        for widget in (self.block_label, self.status_label, self.fault_label, self.error_label):
            layout.addWidget(widget)
        layout.addWidget(self.headers_view)
        layout.addWidget(self.body_view, 1)
        self._views.buttonClicked.connect(self._on_views_button_clicked)

    @staticmethod
    def _color(label: QLabel, color: str | None) -> None:
        if color is None:
            label.setPalette(QPalette())  # nothing set: inherit the window's colours
            return
        palette = label.palette()
        palette.setColor(label.foregroundRole(), color)
        label.setPalette(palette)

    def show_selected_answer(self, selected: bool) -> None:
        """Render the edited rule's selected answer (True) or what the request gets (False)."""
        self._show_selected = selected
        (self.selected_button if selected else self.gets_button).setChecked(True)
        if self._last is not None:
            self.show_result(*self._last[:3], row=self._last[3], sample=self._last[4])

    @property
    def showing_selected(self) -> bool:
        return self._show_selected

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
        self._last = (result, rules, record, row, sample)
        where = "built-in sample" if sample else f"request #{record.id}"
        line = f"{record.method} {record.target}".strip() or "(no request line)"
        self.request_label.setText(f"Preview request ({where}): {visible(line, LINE_LIMIT)}")
        self.request_label.setToolTip("Select a request in the table to preview with it." if sample else "")
        self.answer_label.setText(self._answered_by(result, rules, row))
        edited = rules[row] if 0 <= row < len(rules) and result.response is not None else None
        self._show_match(result)
        self._show_pick(result, edited)
        answers_here = result.answered_by is not None and result.answered_by == row
        same = edited is not None and answers_here and (
            len(edited.answers) == 1 or (result.pick is not None and result.pick.step == result.answer + 1)
        )
        can_switch = edited is not None and not same
        self.gets_button.setVisible(can_switch)
        self.selected_button.setVisible(can_switch)
        if edited is not None:
            many = len(edited.answers) > 1
            number = f" {result.answer + 1}" if many else ""
            self.selected_button.setText(f"This rule's answer{number}")
        if can_switch and self._show_selected and result.response is not None and edited is not None:
            self.block_label.setText(self._selected_title(result, edited, answers_here))
            self._show_response(result.response, record)
        elif result.gets is not None:
            self.block_label.setText(self._gets_title(result, rules, row))
            self._show_response(result.gets, record)
        else:
            self.block_label.setText("")
            self._show_response(None, record)

    def show_failure(self, message: str) -> None:
        """The preview itself failed (a bug, never a rule's problem): say so, show no answer."""
        self._last = None
        self.block_label.setText("")
        self._show_response(None, sample_record())
        self.error_label.setText(f"The preview failed, so nothing is shown: {visible(message, LINE_LIMIT)}")
        self.error_label.show()

    def _show_match(self, result: Preview) -> None:
        match = result.match
        if match is None:
            self.match_label.setText("Select a rule to preview its answer.")
            self._color(self.match_label, None)
        elif match.matched:
            how = "" if match.message == "matches" else f" ({visible(match.message, LINE_LIMIT)})"
            self.match_label.setText(f"✔ This rule matches this request{how}.")
            self._color(self.match_label, OK_COLOR)
        else:
            message = visible(match.message, LINE_LIMIT)
            self.match_label.setText(f"✘ This rule does not match this request: {message}")
            self._color(self.match_label, ERROR_COLOR.name())

    def _show_pick(self, result: Preview, edited: Rule | None) -> None:
        pick = result.pick
        if edited is None or pick is None or len(edited.answers) == 1:
            self.pick_label.hide()
            return
        why = visible(pick.why, LINE_LIMIT)
        if pick.step is None:
            text = f"The next request this rule answers draws: {why}."
        else:
            text = f"The next request this rule answers gets answer {pick.step} of {pick.steps} ({why})."
        self.pick_label.setText(text)
        self.pick_label.show()

    @staticmethod
    def _answered_by(result: Preview, rules: Sequence[Rule], row: int) -> str:
        if result.selection_error:
            return f"Cannot tell which rule answers: {visible(result.selection_error, LINE_LIMIT)}"
        position = result.answered_by
        if position is None or not 0 <= position < len(rules):
            return "No rule of the edited list matches: the built-in default answers (200 “hello world”)."
        this = " (this rule)" if position == row else ""
        kind = " as a CORS preflight" if result.preflight else ""
        return f"Of the edited list, {_quoted(rules, position)}{this} answers this request{kind}."

    @staticmethod
    def _gets_title(result: Preview, rules: Sequence[Rule], row: int) -> str:
        position = result.answered_by
        if position is None or not 0 <= position < len(rules):
            return "What this request gets: the built-in default answer"
        who = "this rule" if position == row else _quoted(rules, position)
        if result.preflight:
            return f"What this request gets: {who}'s answer to a CORS preflight"
        pick = result.gets_pick
        if pick is None or pick.steps is None:
            return f"What this request gets: the answer of {who}"
        if pick.step is None:
            return f"What this request gets: a random answer of {who}; answer 1 of {pick.steps} shown"
        return f"What this request gets: answer {pick.step} of {pick.steps} of {who}"

    @staticmethod
    def _selected_title(result: Preview, edited: Rule, answers_here: bool) -> str:
        count = len(edited.answers)
        which = f"answer {result.answer + 1} of {count}" if count > 1 else "answer"
        if answers_here:
            return f"This rule's {which}, selected in the form (not the next request's)"
        return f"This rule's {which}, if it answered this request (it does not)"

    def _show_response(self, response: Response | None, record: CaptureRecord) -> None:
        if response is None:
            for widget in (self.status_label, self.fault_label, self.headers_view, self.body_view):
                widget.clear()
            self.fault_label.hide()
            self.error_label.hide()
            return
        method = record.method or "GET"
        _wire, status, reason, headers = serialise(response, method=method, keep_alive=True)
        sent_body = body_allowed(status, method)
        notes = [f"body {human_size(len(response.body))}"]
        if response.delay_ms:
            notes.append(f"sent after {response.delay_ms} ms")
        if not sent_body:
            notes.append(f"no body is sent for {visible(method, 20)} / {status}")
        self.status_label.setText(f"HTTP/1.1 {status} {visible(reason, 100)}   ·   {' · '.join(notes)}")
        self._show_fault(response)
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
        binary = looks_binary(body)
        wrap = QPlainTextEdit.LineWrapMode
        self.body_view.setLineWrapMode(wrap.NoWrap if binary else wrap.WidgetWidth)  # hex lines stay whole
        if binary:
            text = hex_dump(body, HEX_LIMIT)
            shown = min(len(body), HEX_LIMIT)
        else:
            text = visible_bytes(body[:BODY_LIMIT], None, keep_newlines=True)
            shown = min(len(body), BODY_LIMIT)
        if len(body) > shown:
            text += f"\n\n… (showing the first {human_size(shown)} of {human_size(len(body))})"
        self.body_view.setPlainText(text)

    def _show_fault(self, response: Response) -> None:
        fault = response.fault
        if not fault:
            self.fault_label.hide()
            return
        self.fault_label.setText(
            f"Fault “{fault}” is set: the listener performs it on the connection "
            "instead of sending the answer below plainly."
        )
        self.fault_label.show()

    @Slot(QAbstractButton)
    def _on_views_button_clicked(self, _button: QAbstractButton) -> None:
        selected = self.selected_button.isChecked()
        if selected != self._show_selected:
            self._show_selected = selected
            if self._last is not None:
                self.show_result(*self._last[:3], row=self._last[3], sample=self._last[4])
            self.view_changed.emit(selected)
