"""The request table view: copy support, per-request actions in its context
menu (Replay…, Copy URL, Copy as cURL, Copy raw request), the columns' own menu
(show or hide each column), and the record of the selected row
(:attr:`RequestTableView.record_selected`) for the detail pane and the rules
preview. Esc deselects.

"Copy as cURL (exact)" uses :func:`inspector.formats.to_curl`, the byte-exact
builder the store's tests check against a real server; "Copy as cURL (simple)"
uses :func:`inspector.simple_curl.to_simple_curl`, the short form.

One text column stretches (Headers, else Path, else Query: the first shown), so
the columns end at the viewport's edge whether or not the vertical scroll bar
is showing, and the last column is never cut by it.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QEvent,
    QItemSelection,
    QMimeData,
    QModelIndex,
    QObject,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QWidget

from inspector.filter_query import FilterQuery
from inspector.formats import to_curl
from inspector.http.record import CaptureRecord
from inspector.models.columns import HEADERS as TITLES
from inspector.models.columns import Column, Role
from inspector.simple_curl import to_simple_curl
from inspector.ui.match_highlight import MatchDelegate
from inspector.ui.table_delegate import RowCellsDelegate
from inspector.ui.table_view import CopyableTableView

#: the widths of the columns that hold short values
FIXED_WIDTHS: dict[Column, int] = {
    Column.ID: 60,
    Column.TIME: 96,
    Column.CLIENT: 124,
    Column.LISTENER: 124,
    Column.METHOD: 68,
    Column.BODY_SIZE: 76,
    Column.STATUS: 120,
    Column.DURATION: 84,
}
#: the text columns share the rest of the width (the last of them stretches)
SHARES: dict[Column, float] = {Column.PATH: 0.4, Column.QUERY: 0.3, Column.HEADERS: 0.3}
#: the first of these that is shown fills what is left of the viewport
STRETCH_ORDER = (Column.HEADERS, Column.PATH, Column.QUERY)
#: no text column is made narrower than this to fit the viewport
MIN_SHARE_WIDTH = 80
#: the widest number the # column shows without eliding it
WIDEST_ID = "0000000 ↻"


def raw_mime(record: CaptureRecord) -> QMimeData:
    """The raw request: exact bytes as application/octet-stream, readable text as text."""
    mime = QMimeData()
    mime.setText(record.raw.decode("utf-8", "backslashreplace"))
    mime.setData("application/octet-stream", QByteArray(record.raw))
    return mime


def clipboard_text(text: str) -> str:
    """Text a clipboard accepts: lone surrogates become ``\\udcNN`` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class RequestTableView(CopyableTableView):
    """Sortable, resizable, movable columns; one row per request.

    Signals:
        replay_requested(object): "Replay…" was chosen for a :class:`CaptureRecord`.
        create_rule_requested(object): "Create rule from this request…" was chosen.
        save_as_rule_requested(object): "Save upstream answer as rule" was chosen
            for a forwarded request.
        record_selected(object): the record of the selected row changed (the
            current row when selected, else the first selected; None: none).
    """

    replay_requested = Signal(object)
    create_rule_requested = Signal(object)
    save_as_rule_requested = Signal(object)
    record_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: the local CA's ca.pem, which Copy as cURL gives HTTPS requests as --cacert
        self.cacert: str | None = None
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        # no title is cut: a window too narrow for every column scrolls sideways
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("Headers") + 24)
        self._menu_record: CaptureRecord | None = None
        self._selected: CaptureRecord | None = None
        #: actions on the selected rows, listed after the per-request ones (Compare, …)
        self.selection_actions: list[QAction] = []
        self.deselect_action = QAction("Deselect", self)
        self.deselect_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.deselect_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.addAction(self.deselect_action)
        self.deselect_action.triggered.connect(self.clearSelection)
        self.replay_action = QAction("Re&play…", self)
        self.replay_action.setToolTip("Edit this request and send it again")
        self.create_rule_action = QAction("Create &rule from this request…", self)
        self.create_rule_action.setToolTip("Add a response rule matching this method and path")
        self.save_as_rule_action = QAction("Save upstream answer as rule", self)
        self.save_as_rule_action.setToolTip(
            "Add a rule answering this request (method, path, query) as the upstream did, "
            "so it is answered the same way offline"
        )
        self.copy_url_action = QAction("Copy &URL", self)
        self.copy_curl_action = QAction("Copy as c&URL (exact)", self)
        self.copy_curl_action.setToolTip("A curl command that sends these exact bytes again")
        self.copy_simple_curl_action = QAction("Copy as cURL (&simple)", self)
        self.copy_simple_curl_action.setToolTip(
            "A short curl command: the URL, the headers a server reads, the body"
        )
        self.copy_raw_action = QAction("Copy &raw request", self)
        #: show or hide each column (the header's context menu)
        self.column_actions: dict[Column, QAction] = {}
        for column in Column:
            action = QAction(TITLES[column], self)
            action.setCheckable(True)
            action.setChecked(True)
            action.setData(int(column))
            action.toggled.connect(self._on_column_action_toggled)
            self.column_actions[column] = action
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        self.viewport().installEventFilter(self)
        self._empty_hint = ""
        self._plain_delegate = RowCellsDelegate(self)
        #: tints the cells that made a row match the filter (in use while there is one)
        self.match_delegate = MatchDelegate(self)
        self.setItemDelegate(self._plain_delegate)
        self.replay_action.triggered.connect(self._on_replay_action_triggered)
        self.create_rule_action.triggered.connect(self._on_create_rule_action_triggered)
        self.save_as_rule_action.triggered.connect(self._on_save_as_rule_action_triggered)
        self.copy_url_action.triggered.connect(self._on_copy_url_action_triggered)
        self.copy_curl_action.triggered.connect(self._on_copy_curl_action_triggered)
        self.copy_simple_curl_action.triggered.connect(self._on_copy_simple_curl_action_triggered)
        self.copy_raw_action.triggered.connect(self._on_copy_raw_action_triggered)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        old = self.model()
        if old is not None:
            for signal in (old.modelReset, old.layoutChanged, old.rowsRemoved):
                signal.disconnect(self._on_model_reset)
            old.dataChanged.disconnect(self._on_model_data_changed)
        super().setModel(model)
        if model is None:
            return
        if model.columnCount() > Column.LISTENER:
            self.place_listener_column()
        # a filter or a prune may hide the selected row: the detail pane follows
        for signal in (model.modelReset, model.layoutChanged, model.rowsRemoved):
            signal.connect(self._on_model_reset)
        # a waiting request answered: its row's record is replaced in place
        model.dataChanged.connect(self._on_model_data_changed)
        selection = self.selectionModel()
        selection.currentRowChanged.connect(self._on_selection_current_row_changed)
        selection.selectionChanged.connect(self._on_selection_changed)

    def _announce_selection(self) -> None:
        current = self.currentIndex()
        selection = self.selectionModel()
        record = self.record_at(current) if selection.isRowSelected(current.row()) else None
        if record is None:
            rows = selection.selectedRows()
            record = self.record_at(rows[0]) if rows else None
        if record is not self._selected:
            self._selected = record
            self.record_selected.emit(record)

    @Slot(QModelIndex, QModelIndex)
    def _on_selection_current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._announce_selection()

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._announce_selection()

    @Slot()
    def _on_model_reset(self) -> None:  # also: the layout changed, rows went away
        self._announce_selection()

    @Slot(QModelIndex, QModelIndex, list)
    def _on_model_data_changed(self, first: QModelIndex, last: QModelIndex, _roles: list[int]) -> None:
        if self._selected is not None and first.row() <= self.currentIndex().row() <= last.row():
            self._announce_selection()

    @Slot(str)
    def set_empty_hint(self, text: str) -> None:
        """What the table says while it has no rows (what to do first)."""
        self._empty_hint = text
        self.viewport().update()

    def empty_text(self) -> str:
        """What the empty table shows now ("" while it has rows)."""
        model = self.model()
        if model is None or model.rowCount() > 0:
            return ""
        if isinstance(model, QSortFilterProxyModel) and model.sourceModel().rowCount() > 0:
            return "No request matches the filter."
        return self._empty_hint

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        text = self.empty_text()
        if text:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            area = self.viewport().rect().adjusted(24, 24, -24, -24)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
            painter.end()

    @Slot(object)
    def set_match_query(self, query: FilterQuery) -> None:
        """Tint the cells that made each row match ``query`` (nothing when empty)."""
        if query.is_empty():
            self.setItemDelegate(self._plain_delegate)
        else:
            self.match_delegate.set_query(query)
            self.setItemDelegate(self.match_delegate)
        self.viewport().update()

    def apply_default_widths(self, width: int) -> None:
        """Widths for a viewport ``width`` pixels wide: the short columns fixed, the
        text columns sharing the rest."""
        fixed = dict(FIXED_WIDTHS)
        fixed[Column.ID] = max(fixed[Column.ID], self.fontMetrics().horizontalAdvance(WIDEST_ID) + 16)
        for column, size in fixed.items():
            self.setColumnWidth(column, size)
        rest = max(0, width - sum(fixed.values()))
        for column, share in SHARES.items():
            self.setColumnWidth(column, max(MIN_SHARE_WIDTH, int(rest * share)))
        self.fit_columns()

    def _fit_to_viewport(self) -> None:
        """When the columns are wider than the viewport (a narrower window, the
        vertical scroll bar appearing), narrow the text columns that do not
        stretch, in proportion, down to :data:`MIN_SHARE_WIDTH`, so the stretching
        one keeps the last column at the viewport's edge."""
        header = self.horizontalHeader()
        shown = [c for c in Column if not header.isSectionHidden(c)]
        excess = header.length() - self.viewport().width()
        stretch = next((c for c in STRETCH_ORDER if c in shown), None)
        if excess <= 0 or stretch is None:
            return
        flexible = [c for c in SHARES if c in shown and c != stretch]
        room = sum(max(0, header.sectionSize(c) - MIN_SHARE_WIDTH) for c in flexible)
        if room <= 0:
            return
        taken = min(excess, room)
        for column in flexible:
            size = header.sectionSize(column)
            header.resizeSection(column, size - taken * max(0, size - MIN_SHARE_WIDTH) // room)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.viewport():
            self._fit_to_viewport()
        return super().eventFilter(watched, event)

    def fit_columns(self) -> None:
        """Stretch the first text column shown (after a restored header state too,
        which brings its own resize modes) and bring the column menu in step."""
        header = self.horizontalHeader()
        stretch = next((c for c in STRETCH_ORDER if not header.isSectionHidden(c)), None)
        for column in Column:
            mode = QHeaderView.ResizeMode.Stretch if column == stretch else QHeaderView.ResizeMode.Interactive
            header.setSectionResizeMode(column, mode)
            action = self.column_actions[column]
            action.blockSignals(True)
            action.setChecked(not header.isSectionHidden(column))
            action.blockSignals(False)
        shown = [c for c in Column if not header.isSectionHidden(c)]
        for column, action in self.column_actions.items():
            action.setEnabled(shown != [column])  # the last column shown stays

    def record_at(self, index: QModelIndex) -> CaptureRecord | None:
        if not index.isValid():
            return None
        record = index.data(Role.RECORD)
        return record if isinstance(record, CaptureRecord) else None

    def build_context_menu(self, menu: QMenu, index: QModelIndex) -> None:
        self._menu_record = self.record_at(index)
        if self._menu_record is None:
            return
        menu.addAction(self.replay_action)
        menu.addAction(self.create_rule_action)
        upstream = self._menu_record.upstream
        if upstream is not None:
            menu.addAction(self.save_as_rule_action)
            self.save_as_rule_action.setEnabled(upstream.status is not None)
        menu.addSeparator()
        if self.selection_actions:
            menu.addActions(self.selection_actions)
            menu.addSeparator()
        menu.addAction(self.copy_url_action)
        menu.addAction(self.copy_curl_action)
        menu.addAction(self.copy_simple_curl_action)
        menu.addAction(self.copy_raw_action)
        has_line = bool(self._menu_record.method)
        self.replay_action.setEnabled(has_line)
        self.create_rule_action.setEnabled(has_line)
        self.copy_url_action.setEnabled(has_line)
        self.copy_curl_action.setEnabled(has_line)
        self.copy_simple_curl_action.setEnabled(has_line)

    def _target(self) -> CaptureRecord | None:
        return self._menu_record or self.record_at(self.currentIndex())

    @Slot()
    def _on_replay_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            self.replay_requested.emit(record)

    @Slot()
    def _on_create_rule_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            self.create_rule_requested.emit(record)

    @Slot()
    def _on_save_as_rule_action_triggered(self) -> None:
        record = self._target()
        if record is not None and record.upstream is not None:
            self.save_as_rule_requested.emit(record)

    @Slot()
    def _on_copy_url_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            QGuiApplication.clipboard().setText(clipboard_text(record.url))

    @Slot()
    def _on_copy_curl_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            QGuiApplication.clipboard().setText(clipboard_text(to_curl(record, cacert=self.cacert)))

    @Slot()
    def _on_copy_simple_curl_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            QGuiApplication.clipboard().setText(clipboard_text(to_simple_curl(record, cacert=self.cacert)))

    def columns_menu(self) -> QMenu:
        """The header's context menu: a check for each column."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        for action in self.column_actions.values():
            menu.addAction(action)
        return menu

    @Slot(QPoint)
    def _on_header_context_menu_requested(self, pos: QPoint) -> None:
        self.columns_menu().popup(self.horizontalHeader().mapToGlobal(pos))

    def place_listener_column(self) -> None:
        """The Listener column is the model's last; it reads best beside Client, and is
        hidden until a second listener runs (:meth:`show_listeners`) or the user shows it.
        (Also for a header state saved before the column existed.)"""
        header = self.horizontalHeader()
        header.moveSection(header.visualIndex(Column.LISTENER), header.visualIndex(Column.CLIENT) + 1)
        self.column_actions[Column.LISTENER].setChecked(False)
        self.setColumnHidden(Column.LISTENER, True)

    @Slot()
    def show_listeners(self) -> None:
        """Show the Listener column (more than one listener takes requests now)."""
        self.column_actions[Column.LISTENER].setChecked(True)

    @Slot(bool)
    def _on_column_action_toggled(self, shown: bool) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.setColumnHidden(int(action.data()), not shown)
            self.fit_columns()

    @Slot()
    def _on_copy_raw_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            QGuiApplication.clipboard().setMimeData(raw_mime(record))
