"""The detail pane: every part of the selected request, one tab each.

Overview, Query, Headers (trailers after, marked), Body (by content type),
Raw (the bytes as received), Response (what was sent back) and, for a
forwarded request, Upstream (the other hop: what went upstream and came
back). For a record of an imported session (:meth:`DetailPane.set_imported`)
the response is what the server answered when the file was recorded, and the
pane says so: the tab is "Captured response", and nothing calls it this
listener's answer. Every label that shows request data is plain text; every
value goes through
:func:`visible`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHeaderView, QLabel, QSplitter, QTabWidget, QWidget

from inspector.filter_query import Field, FilterQuery
from inspector.http.record import CaptureRecord
from inspector.models.columns import local_datetime
from inspector.models.pairs_table import PairsTableModel
from inspector.replay import REPLAY_HEADER, replay_of
from inspector.text import human_size, visible
from inspector.ui.bytes_view import HEX, TEXT, BytesView
from inspector.ui.detail_parts import LABEL_LIMIT, TLS_FIELDS, form, pairs_table, tls_overview
from inspector.ui.match_highlight import row_reasons
from inspector.ui.upstream_view import UpstreamView

#: after the title of a tab that holds a match of the filter
MATCH_MARK = " •"

OVERVIEW_FIELDS = (
    "Request",
    "URL",
    "Replay of",
    "Client",
    "Server",
    *TLS_FIELDS,
    "Received",
    "Host",
    "User-Agent",
    "Content-Type",
    "Sizes",
    "Response",
    "Duration",
    "Notes",
    "Error",
)

#: the Headers table's column that marks trailers
MARKER_COLUMN = 2

RESPONSE_FIELDS = ("Answer", "Status", "Rule", "Sent", "Duration", "Error")
#: the Response tab's title, for live capture and for an imported session
RESPONSE_TAB, CAPTURED_TAB = "Response", "Captured response"
#: whose answer the Response tab shows
LIVE_ANSWER = "sent by this listener"
CAPTURED_ANSWER = (
    "captured: what the server answered when the file was recorded (imported), not this listener's answer"
)


def request_line(record: CaptureRecord) -> str:
    if not record.method and not record.target:
        return "(no request line)"
    version = f" HTTP/{record.http_version}" if record.http_version else ""
    return f"{record.method} {record.target}{version}"


class DetailPane(QTabWidget):
    """Tabs showing one capture record (or nothing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDocumentMode(True)
        self._record: CaptureRecord | None = None
        self._imported = False
        self._query = FilterQuery()

        overview, self._overview_form, self.overview = form(self, OVERVIEW_FIELDS)
        self.addTab(overview, "Overview")

        self.query_model = PairsTableModel(("Name", "Value"), parent=self)
        self.query_table = pairs_table(self, self.query_model)
        self.addTab(self.query_table, "Query")

        self.headers_model = PairsTableModel(("Name", "Value"), marker_title="", parent=self)
        self.headers_table = pairs_table(self, self.headers_model)
        # the values fill the pane; the "trailer" marker column only as wide as
        # its word, and shown only when there are trailers
        header = self.headers_table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MARKER_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.addTab(self.headers_table, "Headers")

        self.body_view = BytesView(parent=self)
        self.addTab(self.body_view, "Body")

        self.raw_view = BytesView((TEXT, HEX), save_title="Save raw request", parent=self)
        self.addTab(self.raw_view, "Raw")

        response = QSplitter(Qt.Orientation.Vertical, self)
        response_form, self._response_form, self.response_fields = form(response, RESPONSE_FIELDS)
        self.response_headers_model = PairsTableModel(("Name", "Value"), parent=self)
        self.response_headers_table = pairs_table(response, self.response_headers_model)
        self.response_body_view = BytesView(save_title="Save response body", parent=response)
        response.addWidget(response_form)
        response.addWidget(self.response_headers_table)
        response.addWidget(self.response_body_view)
        response.setStretchFactor(2, 1)
        self.response_splitter = response
        self.addTab(response, RESPONSE_TAB)

        self.upstream_view = UpstreamView(self)
        self.addTab(self.upstream_view, "Upstream")

        self.set_record(None)

    @property
    def record(self) -> CaptureRecord | None:
        return self._record

    @property
    def imported(self) -> bool:
        return self._imported

    @Slot(bool)
    def set_imported(self, imported: bool) -> None:
        """Whether the records shown come from an imported file (their responses
        were captured elsewhere) rather than from this listener."""
        self._imported = imported
        self.setTabText(self.indexOf(self.response_splitter), CAPTURED_TAB if imported else RESPONSE_TAB)
        self.set_record(self._record)

    def models(self) -> list[PairsTableModel]:
        return [
            self.query_model,
            self.headers_model,
            self.response_headers_model,
            self.body_view.form_model,
            self.raw_view.form_model,
            self.response_body_view.form_model,
            *self.upstream_view.models(),
        ]

    @Slot(object)
    def set_query(self, query: FilterQuery) -> None:
        """The filter in force: its matches are highlighted in the tabs, and the
        tabs holding them are marked."""
        self._query = query
        self._show_matches()

    def _show_matches(self) -> None:
        query, record = self._query, self._record
        needle = query.needle
        names = frozenset(name for name, _value in query.headers)
        for model in (self.query_model, self.headers_model):
            model.set_highlight(needle, names if model is self.headers_model else frozenset())
        for view in (self.body_view, self.raw_view):
            view.set_highlight(needle)
        found = row_reasons(query, record) if record is not None and not query.is_empty() else frozenset()
        marked = {
            self.query_table: Field.QUERY in found,
            self.headers_table: Field.HEADERS in found,
            self.body_view: Field.BODY in found,
            self.raw_view: bool(found & {Field.METHOD, Field.PATH, Field.QUERY, Field.HEADERS, Field.BODY}),
        }
        for widget, matched in marked.items():
            index = self.indexOf(widget)
            title = self.tabText(index).removesuffix(MATCH_MARK)
            self.setTabText(index, title + MATCH_MARK if matched else title)
            self.setTabToolTip(index, "Matches the filter" if matched else "")

    def set_record(self, record: CaptureRecord | None) -> None:
        """Show ``record`` in every tab (None clears them)."""
        self._record = record
        self.upstream_view.set_record(record)
        forwarded = record is not None and record.upstream is not None
        self.setTabVisible(self.indexOf(self.upstream_view), forwarded)
        if record is None:
            for label in (*self.overview.values(), *self.response_fields.values()):
                label.clear()
            self.overview["Request"].setText("Select a request to see its details.")
            for name in ("Replay of", *TLS_FIELDS):
                self._overview_form.setRowVisible(self.overview[name], False)
            for model in (self.query_model, self.headers_model, self.response_headers_model):
                model.clear()
            for view in (self.body_view, self.raw_view, self.response_body_view):
                view.set_data(b"", None)
            self._set_counts(None)
            self._show_matches()
            return
        self._show_overview(record)
        self.query_model.set_rows(record.query)
        self.headers_model.set_rows(record.headers)
        self.headers_model.add_rows(record.trailers, marker="trailer")
        self.headers_table.setColumnHidden(MARKER_COLUMN, not record.trailers)
        content_type = record.header("Content-Type")
        description = content_type or ""
        if record.body_truncated:
            description += " · cut off at the capture limit"
        self.body_view.set_data(record.body, content_type, description, f"request-{record.id}.body")
        self.raw_view.set_data(record.raw, None, "as received", f"request-{record.id}.http")
        self._show_response(record)
        self._set_counts(record)
        self._show_matches()

    def _set_counts(self, record: CaptureRecord | None) -> None:
        query = f"Query ({len(record.query)})" if record else "Query"
        headers = "Headers"
        if record:
            headers = f"Headers ({len(record.headers)})"
            if record.trailers:
                headers = f"Headers ({len(record.headers)} + {len(record.trailers)} trailers)"
        self.setTabText(self.indexOf(self.query_table), query)
        self.setTabText(self.indexOf(self.headers_table), headers)

    def _set(self, labels: dict[str, QLabel], name: str, text: str) -> None:
        labels[name].setText(visible(text, LABEL_LIMIT))

    def _show_overview(self, record: CaptureRecord) -> None:
        o = self.overview
        self._set(o, "Request", request_line(record))
        self._set(o, "URL", record.url if record.method else "")
        source = replay_of(record.headers)
        self._set(o, "Replay of", f"#{source} (its {REPLAY_HEADER} header says so)" if source else "")
        self._overview_form.setRowVisible(o["Replay of"], source is not None)
        self._set(o, "Client", record.client)
        self._set(o, "Server", record.server)
        tls = tls_overview(record.tls) if record.tls is not None else {}
        for name in TLS_FIELDS:
            self._set(o, name, tls.get(name, ""))
            self._overview_form.setRowVisible(o[name], bool(tls))
        self._set(o, "Received", f"{local_datetime(record.received_at)}  ({record.received_at_iso})")
        self._set(o, "Host", " | ".join(record.header_values("Host")))
        self._set(o, "User-Agent", " | ".join(record.header_values("User-Agent")))
        self._set(o, "Content-Type", " | ".join(record.header_values("Content-Type")))
        sizes = f"head {human_size(len(record.raw_head))}, body {human_size(record.body_size)}"
        if record.body_truncated:
            sizes += " (cut off at the capture limit)"
        self._set(o, "Sizes", sizes)
        response = record.response
        if response is None:
            self._set(o, "Response", "none captured" if self._imported else "none sent")
            self._set(o, "Duration", "")
        else:
            rule = f" (rule {response.rule})" if response.rule else ""
            captured = " (captured, imported)" if self._imported else ""
            status = f"{response.status} {response.reason}".strip()  # HTTP/2 has no reason phrase
            self._set(o, "Response", f"{status}{rule}{captured}")
            self._set(o, "Duration", f"{response.duration_ms:.3f} ms")
        o["Notes"].setText("\n".join(visible(n, LABEL_LIMIT) for n in record.notes) or "none")
        self._set(o, "Error", record.error or "none")

    def _show_response(self, record: CaptureRecord) -> None:
        response = record.response
        f = self.response_fields
        imported = self._imported
        self._response_form.setRowVisible(f["Rule"], not imported or bool(response and response.rule))
        self._response_form.setRowVisible(f["Sent"], not imported or bool(response and response.bytes))
        if response is None:
            for label in f.values():
                label.clear()
            self._set(f, "Status", "No response was captured." if imported else "No response was sent.")
            self.response_headers_model.clear()
            self.response_body_view.set_data(b"", None)
            return
        self._set(f, "Answer", CAPTURED_ANSWER if imported else LIVE_ANSWER)
        # an imported answer may have come over HTTP/2 or 3: its version is the request's
        version = record.http_version if imported else "1.1"
        line = f"{response.status} {response.reason}".strip()
        self._set(f, "Status", f"HTTP/{version} {line}" if version else line)
        self._set(f, "Rule", response.rule or "(the listener's own answer)")
        self._set(f, "Sent", human_size(response.bytes))
        self._set(f, "Duration", f"{response.duration_ms:.3f} ms")
        self._set(f, "Error", response.error or "none")
        self.response_headers_model.set_rows(response.headers)
        content_type = next((v for n, v in response.headers if n.lower() == "content-type"), None)
        self.response_body_view.set_data(
            response.body, content_type, content_type or "", f"response-{record.id}.body"
        )
