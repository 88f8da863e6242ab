"""The detail pane's Upstream tab: a forwarded request as it went upstream and the
answer as it came back, with the call's timings.

The Response tab shows what the client got; this one shows the other hop: the
URL called, the header fields sent (Host rewritten, X-Forwarded-* added), the
status, fields and body received, and when the connection was ready, the first
byte came and the answer was complete (milliseconds from the hand-over to the
forwarder). Every value is plain text through :func:`visible`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from inspector.http.record import CaptureRecord, UpstreamExchange
from inspector.models.pairs_table import PairsTableModel
from inspector.text import human_size, visible
from inspector.ui.bytes_view import BytesView
from inspector.ui.detail_parts import LABEL_LIMIT, form, pairs_table

FIELDS = ("Request", "Status", "Timings", "Received", "Error")


def timings_text(upstream: UpstreamExchange) -> str:
    """``connected 3.1 ms · first byte 9.8 ms · done 10.2 ms`` (from the hand-over)."""
    parts = []
    if upstream.connect_ms is None:
        parts.append("reused a kept-alive connection" if upstream.status is not None else "")
    else:
        parts.append(f"connected {upstream.connect_ms:.1f} ms")
    if upstream.first_byte_ms is not None:
        parts.append(f"first byte {upstream.first_byte_ms:.1f} ms")
    parts.append(f"{'done' if upstream.error is None else 'gave up'} {upstream.duration_ms:.1f} ms")
    return " · ".join(part for part in parts if part)


def status_line(upstream: UpstreamExchange) -> str:
    if upstream.status is None:
        return "no answer"
    early = "".join(f"{code}, then " for code in upstream.informational)
    return f"{early}HTTP/1.1 {upstream.status} {upstream.reason}".rstrip()


class UpstreamView(QSplitter):
    """One forwarded request's upstream call (see the module notes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        area, _layout, self.fields = form(self, FIELDS)
        self.sent_model = PairsTableModel(("Name", "Value"), parent=self)
        self.received_model = PairsTableModel(("Name", "Value"), parent=self)
        self.parts = QTabWidget(self)
        self.parts.setDocumentMode(True)
        self.sent_table = pairs_table(self.parts, self.sent_model)
        self.received_table = pairs_table(self.parts, self.received_model)
        self.body_view = BytesView(save_title="Save upstream body", parent=self.parts)
        self.parts.addTab(self.sent_table, "Sent headers")
        self.parts.addTab(self.received_table, "Received headers")
        self.parts.addTab(self.body_view, "Received body")
        self.addWidget(area)
        self.addWidget(self.parts)
        self.setStretchFactor(1, 1)

    def models(self) -> list[PairsTableModel]:
        return [self.sent_model, self.received_model, self.body_view.form_model]

    def set_record(self, record: CaptureRecord | None) -> None:
        """Show ``record``'s upstream call (cleared when it has none)."""
        upstream = None if record is None else record.upstream
        if record is None or upstream is None:
            for label in self.fields.values():
                label.clear()
            self.sent_model.clear()
            self.received_model.clear()
            self.body_view.set_data(b"", None)
            return
        self._set("Request", f"{record.method} {upstream.url}")
        self._set("Status", status_line(upstream))
        self._set("Timings", timings_text(upstream))
        self._set("Received", f"body {human_size(upstream.body_size)}")
        self._set("Error", upstream.error or "none")
        self.sent_model.set_rows(upstream.request_headers)
        self.received_model.set_rows(upstream.headers)
        self.parts.setTabText(1, f"Received headers ({len(upstream.headers)})")
        self.parts.setTabText(0, f"Sent headers ({len(upstream.request_headers)})")
        content_type = next((v for n, v in upstream.headers if n.lower() == "content-type"), None)
        self.body_view.set_data(upstream.body, content_type, content_type or "", f"upstream-{record.id}.body")

    def _set(self, name: str, text: str) -> None:
        self.fields[name].setText(visible(text, LABEL_LIMIT))
