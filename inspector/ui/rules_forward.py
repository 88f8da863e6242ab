"""The rule form's Forward section: where a forward rule sends requests, and a Test button.

:class:`ForwardSection` edits a rule's ``forward`` (URL, timeout, keep Host,
verify TLS, record) and checks it with :func:`parse_target` as the user types:
a value that cannot be used is shown in one line under the URL and the rule
keeps its last usable upstream until it is fixed. "Test" sends the preview
request (the selected capture, or the built-in sample) to the upstream on a
one-worker :class:`Forwarder`, off the GUI thread, and shows the status and
time, or the one-line reason the call failed (docs/ARCHITECTURE.md,
"Threads"). Every text shown is plain text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from inspector.http.record import CaptureRecord
from inspector.text import visible
from inspector.ui.rules_preview import sample_record
from inspector.ui.rules_widgets import (
    error_label,
    hint_label,
    left_row,
    monospace_font,
    plain_label,
    set_error,
    stack,
)
from inspector.upstream import Forwarder, ForwardResult, TargetError, UpstreamTarget, parse_target
from inspector.upstream.target import DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS

#: the choices of the verify TLS box, in order (the third uses the CA file field)
VERIFY_CHOICES = ("System trust store", "Do not check", "Only this CA file:")
#: characters of a test result shown
RESULT_LIMIT = 300
RECORD_HINT = "Each new method + path + query answered upstream becomes a rule above this one."


class _Results(QObject):
    """Carries a test's result from the forwarder's worker to the GUI thread."""

    done = Signal(int, object)


def result_text(result: ForwardResult) -> str:
    """``200 OK · 12 ms · 2 bytes`` or the one-line reason the call failed."""
    upstream = result.upstream
    if upstream.error is not None or upstream.status is None:
        return visible(upstream.error or f"no answer ({result.response.status})", RESULT_LIMIT)
    reason = f" {upstream.reason}" if upstream.reason else ""
    size = f"{upstream.body_size} bytes"
    return visible(f"{upstream.status}{reason} · {upstream.duration_ms:.0f} ms · {size}", RESULT_LIMIT)


class ForwardSection(QWidget):
    """Edits a rule's ``forward``.

    Signals:
        edited(): the user changed something (the new value is :meth:`target`).
        tested(str): a test ended; the text shown (for tests and tools).
    """

    edited = Signal()
    tested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._target: UpstreamTarget | None = None
        self._problem: str | None = None
        self._folder: Path | None = None
        self._probe: CaptureRecord | None = None
        self._forwarder: Forwarder | None = None
        self._tests = 0  # a result is shown only for the latest test
        self._results = _Results(self)
        self._results.done.connect(self._on_result)

        self.use_check = QCheckBox("Forward matching requests to an upstream instead of answering", self)
        self.url_edit = QLineEdit(self)
        self.url_edit.setFont(monospace_font())
        self.url_edit.setPlaceholderText("http://127.0.0.1:9000/base")
        self.url_error = error_label(self)
        self.timeout_spin = QSpinBox(self)
        self.timeout_spin.setRange(1, MAX_TIMEOUT_MS)
        self.timeout_spin.setSuffix(" ms")
        self.timeout_spin.setValue(DEFAULT_TIMEOUT_MS)
        self.keep_host_check = QCheckBox("Keep the client's Host", self)
        self.verify_combo = QComboBox(self)
        self.verify_combo.addItems(list(VERIFY_CHOICES))
        self.ca_edit = QLineEdit(self)
        self.ca_edit.setPlaceholderText("ca.pem (relative to the rules file's folder)")
        self.record_check = QCheckBox("Record", self)
        self.record_check.setToolTip(RECORD_HINT)
        self.test_button = QPushButton("Test", self)
        self.test_button.setToolTip("Send the preview request to the upstream and show what came back")
        self.result_label = plain_label("", self)
        self.result_label.setWordWrap(True)
        self._layout()
        self._connect_signals()
        self._update_enabled()

    def _layout(self) -> None:
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.use_check)
        form.addRow(plain_label("URL:", self), stack(self.url_edit, self.url_error))
        form.addRow(plain_label("Timeout:", self), left_row(self.timeout_spin, self.keep_host_check))
        verify = QHBoxLayout()
        verify.addWidget(self.verify_combo)
        verify.addWidget(self.ca_edit, 1)
        form.addRow(plain_label("Verify TLS:", self), verify)
        record = QHBoxLayout()
        record.addWidget(self.record_check)
        record.addWidget(hint_label(RECORD_HINT, self), 1)
        form.addRow(plain_label("", self), record)
        test = QHBoxLayout()
        test.addWidget(self.test_button)
        test.addWidget(self.result_label, 1)
        form.addRow(plain_label("", self), test)

    def _connect_signals(self) -> None:
        for line in (self.url_edit, self.ca_edit):
            line.textEdited.connect(self._on_changed)
        for check in (self.use_check, self.keep_host_check, self.record_check):
            check.toggled.connect(self._on_changed)
        self.timeout_spin.valueChanged.connect(self._on_changed)
        self.verify_combo.currentIndexChanged.connect(self._on_changed)
        self.test_button.clicked.connect(self.test)

    # -- showing and reading ----------------------------------------------------------

    def set_folder(self, folder: Path | None) -> None:
        """The rules file's folder (where a relative CA file is)."""
        self._folder = folder

    def set_probe_record(self, record: CaptureRecord | None) -> None:
        """The request "Test" sends (None: the built-in sample)."""
        self._probe = record

    def set_target(self, target: UpstreamTarget | None) -> None:
        """Show a rule's ``forward`` (None: the rule answers itself). Emits nothing."""
        self._target = target
        self._problem = None
        self._loading = True
        try:
            self.use_check.setChecked(target is not None)
            self.url_edit.setText(target.url if target is not None else "")
            self.timeout_spin.setValue(target.timeout_ms if target is not None else DEFAULT_TIMEOUT_MS)
            self.keep_host_check.setChecked(target is not None and target.keep_host)
            verify = target.verify_tls if target is not None else True
            self.verify_combo.setCurrentIndex(0 if verify is True else 1 if verify is False else 2)
            self.ca_edit.setText(verify if isinstance(verify, str) else "")
            self.record_check.setChecked(target is not None and target.record)
        finally:
            self._loading = False
        self.result_label.setText("")
        self._update_enabled()
        set_error(self.url_error, None)

    def target(self) -> UpstreamTarget | None:
        """The edited ``forward``; while the fields cannot be used, the last usable one."""
        return self._target

    def problem(self) -> str | None:
        """Why the fields cannot be used (one line), or None."""
        return self._problem

    def show_problems(self, messages: list[str] | None) -> None:
        """Show the rules' problems with ``forward`` under the URL, after any of the fields'."""
        set_error(self.url_error, [*([self._problem] if self._problem else []), *(messages or [])] or None)

    def _value(self) -> dict[str, Any]:
        verify: bool | str = (True, False, self.ca_edit.text())[self.verify_combo.currentIndex()]
        return {
            "url": self.url_edit.text(),
            "timeout_ms": self.timeout_spin.value(),
            "keep_host": self.keep_host_check.isChecked(),
            "verify_tls": verify,
            "record": self.record_check.isChecked(),
        }

    def _read(self) -> None:
        self._problem = None
        if not self.use_check.isChecked():
            self._target = None
            return
        try:
            self._target = parse_target(self._value())
        except TargetError as exc:
            self._problem = str(exc)

    def _update_enabled(self) -> None:
        on = self.use_check.isChecked()
        for widget in (self.url_edit, self.timeout_spin, self.keep_host_check, self.verify_combo,
                       self.record_check, self.test_button):  # fmt: skip
            widget.setEnabled(on)
        self.ca_edit.setEnabled(on and self.verify_combo.currentIndex() == 2)

    def _on_changed(self, *_args: object) -> None:
        self._update_enabled()
        if self._loading:
            return
        self._read()
        set_error(self.url_error, [self._problem] if self._problem else None)
        self.edited.emit()

    # -- testing ----------------------------------------------------------------

    @Slot()
    def test(self) -> None:
        """Send the preview request to the edited upstream; the result comes back later."""
        self._read()
        if self._problem is not None or self._target is None:
            self._show_result(self._problem or "forwarding is off")
            return
        if self._forwarder is None:
            forwarder = self._forwarder = Forwarder(workers=1, queue_limit=4)
            self.destroyed.connect(lambda *_: forwarder.close(timeout=0.5))
        self._tests += 1
        number = self._tests
        record = self._probe if self._probe is not None else sample_record()
        self.result_label.setText("Testing…")
        target = self._target.in_folder(self._folder)
        self._forwarder.submit(record, target, lambda result: self._results.done.emit(number, result))

    @Slot(int, object)
    def _on_result(self, number: int, result: ForwardResult) -> None:
        if number == self._tests:
            self._show_result(result_text(result))

    def _show_result(self, text: str) -> None:
        self.result_label.setText(text)
        self.tested.emit(text)

    def close_forwarder(self) -> None:
        """End the test worker and its kept connection (a later test starts them again)."""
        forwarder, self._forwarder = self._forwarder, None
        if forwarder is not None:
            forwarder.close()
