"""A read-only view of some bytes (a body, a raw request) that never freezes.

At most :data:`DISPLAY_LIMIT` bytes go into the widget; the note says
"showing the first X of Y", "Show more" renders four times as much and "Show
all" the rest. "Wrap" wraps long lines; a multipart body's parts can each be
saved to a file ("Save part"). Modes: "Auto"
(by content type: JSON, form table, multipart, text or hex), "Text" (decoded,
with visible escapes) and "Hex".

New bytes are rendered when the view can be seen: a view in a tab that is not
the current one renders when its tab is shown, so selecting a row renders only
the tab in front (a 4 MiB JSON body, a 20,000-field form and the raw request
are not all rendered on every click).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QFontDatabase, QShowEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.models.pairs_table import PairsTableModel
from inspector.models.row_style import match_brush
from inspector.text import human_size, visible
from inspector.ui.body_render import (
    DISPLAY_LIMIT,
    BodyPart,
    RenderedBody,
    hex_dump,
    multipart_parts,
    part_file_name,
    render_body,
)
from inspector.ui.table_view import CopyableTableView

AUTO, TEXT, HEX = "Auto", "Text", "Hex"
#: occurrences of the filter's text highlighted at most (the first ones)
MAX_HIGHLIGHTS = 1000
#: "Show more" shows this many times as much
MORE_FACTOR = 4

KIND_NAMES = {
    "json": "pretty-printed JSON",
    "form": "form fields",
    "multipart": "multipart parts",
    "text": "text",
    "hex": "hex dump",
}


def render(data: bytes, content_type: str | None, mode: str, limit: int | None) -> RenderedBody:
    """Render ``data`` in ``mode`` (Auto, Text or Hex), at most ``limit`` bytes."""
    part = data if limit is None else data[:limit]
    if mode == HEX:
        return RenderedBody("hex", hex_dump(part), shown=len(part), total=len(data))
    if mode == TEXT:
        text = visible(part.decode("utf-8", "surrogateescape"), None, keep_newlines=True)
        return RenderedBody("text", text, shown=len(part), total=len(data))
    return render_body(data, content_type, limit)


class BytesView(QWidget):
    """Note line, mode selector, "Show all", "Save…", and the text (or form table)."""

    def __init__(
        self,
        modes: Sequence[str] = (AUTO, TEXT, HEX),
        save_title: str = "Save body",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._data = b""
        self._content_type: str | None = None
        self._limit: int | None = DISPLAY_LIMIT
        self._save_title = save_title
        self._file_name = "body.bin"
        #: new bytes not rendered yet (the view is hidden behind another tab)
        self._stale = False
        #: the filter's free text (casefolded): its occurrences are highlighted
        self._needle = ""
        #: occurrences highlighted in the text shown (at most MAX_HIGHLIGHTS)
        self.match_count = 0

        self.note = QLabel(self)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.mode = QComboBox(self)
        self.mode.addItems(list(modes))
        self.mode.setToolTip("How to show the bytes")
        self.show_more = QPushButton("Show more", self)
        self.show_more.setToolTip(f"Show {MORE_FACTOR} times as much")
        self.show_all = QPushButton("Show all", self)
        self.show_all.setToolTip("Render the whole body (may take a moment for large bodies)")
        self.wrap = QToolButton(self)
        self.wrap.setText("Wrap")
        self.wrap.setCheckable(True)
        self.wrap.setToolTip("Wrap long lines at the view's width")
        self.save = QPushButton("Save…", self)
        self.save.setToolTip("Save the bytes to a file")
        #: save one part of a multipart body (shown for multipart bodies)
        self.save_part = QToolButton(self)
        self.save_part.setText("Save part")
        self.save_part.setToolTip("Save one part of this multipart body to a file")
        self.save_part.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.parts_menu = QMenu(self.save_part)
        self.save_part.setMenu(self.parts_menu)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.form_model = PairsTableModel(("Name", "Value"), parent=self)
        self.form_table = CopyableTableView(self)
        self.form_table.setModel(self.form_model)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.text)
        self._stack.addWidget(self.form_table)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.note, 1)
        bar.addWidget(self.mode)
        bar.addWidget(self.wrap)
        bar.addWidget(self.show_more)
        bar.addWidget(self.show_all)
        bar.addWidget(self.save)
        bar.addWidget(self.save_part)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self._stack, 1)
        self._connect_signals()
        self.set_data(b"", None)

    def _connect_signals(self) -> None:
        self.mode.currentTextChanged.connect(self._on_mode_current_text_changed)
        self.show_more.clicked.connect(self._on_show_more_clicked)
        self.show_all.clicked.connect(self._on_show_all_clicked)
        self.wrap.toggled.connect(self._on_wrap_toggled)
        self.save.clicked.connect(self._on_save_clicked)
        self.parts_menu.aboutToShow.connect(self._on_parts_menu_about_to_show)
        self.parts_menu.triggered.connect(self._on_parts_menu_triggered)

    def set_data(
        self, data: bytes, content_type: str | None, description: str = "", file_name: str = ""
    ) -> None:
        """Show new bytes (rendered up to the display limit)."""
        self._data = data
        self._content_type = content_type
        self._description = description
        self._file_name = file_name or "body.bin"
        self._limit = DISPLAY_LIMIT
        self._stale = True
        # hidden behind another tab of a shown window: render when shown
        if self.isVisible() or not self.window().isVisible():
            self._refresh()

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._refresh()
        super().showEvent(event)

    def rendered(self) -> RenderedBody:
        return render(self._data, self._content_type, self.mode.currentText(), self._limit)

    def _refresh(self) -> None:
        self._stale = False
        result = self.rendered()
        if result.kind == "form":
            self.form_model.set_rows(result.rows)
            self._stack.setCurrentWidget(self.form_table)
        else:
            self.form_model.clear()
            self._stack.setCurrentWidget(self.text)
        self.text.setPlainText(result.text if result.kind != "empty" else "(empty)")
        parts = [visible(self._description, 200)] if self._description else []
        parts.append(result.note if self._data else "0 B")
        if result.kind in KIND_NAMES:
            parts.append(KIND_NAMES[result.kind])
        self._highlight()
        if self.match_count:
            more = "+" if self.match_count >= MAX_HIGHLIGHTS else ""
            parts.append(f"{self.match_count}{more} match{'es' if self.match_count != 1 else ''}")
        self.note.setText(" · ".join(parts))
        self.show_more.setVisible(result.truncated)
        self.show_all.setVisible(result.truncated)
        self.save.setEnabled(bool(self._data))
        self.save_part.setVisible(result.kind == "multipart")

    def parts(self) -> list[BodyPart]:
        """The parts of a multipart body (of all of it, not only what is shown)."""
        return multipart_parts(self._data, self._content_type)

    def save_part_to(self, number: int, path: str) -> bool:
        """Write the content of part ``number`` (1-based) to ``path``."""
        part = next((p for p in self.parts() if p.number == number), None)
        return part is not None and self._write(path, part.content)

    def set_highlight(self, needle: str) -> None:
        """Highlight the occurrences of ``needle`` (the filter's free text,
        casefolded; "" for none) in what is shown."""
        if needle == self._needle:
            return
        self._needle = needle
        self.form_model.set_highlight(needle)
        if self._stale:
            return  # rendered (and highlighted) when shown
        self._refresh()

    def _highlight(self) -> None:
        """Mark the needle's occurrences in the text (case-insensitive; a literal
        pattern, so the search is linear in the text)."""
        self.form_model.set_highlight(self._needle)
        selections: list[QTextEdit.ExtraSelection] = []
        if self._needle and self._stack.currentWidget() is self.text:
            fmt = QTextCharFormat()
            fmt.setBackground(match_brush())
            document = self.text.document()
            pattern = re.compile(re.escape(self._needle), re.IGNORECASE)
            for found in pattern.finditer(self.text.toPlainText()):
                selection = QTextEdit.ExtraSelection()
                cursor = QTextCursor(document)
                cursor.setPosition(found.start())
                cursor.setPosition(found.end(), QTextCursor.MoveMode.KeepAnchor)
                selection.cursor = cursor
                selection.format = fmt
                selections.append(selection)
                if len(selections) >= MAX_HIGHLIGHTS:
                    break
        self.match_count = len(selections)
        self.text.setExtraSelections(selections)

    @Slot(str)
    def _on_mode_current_text_changed(self, _mode: str) -> None:
        self._refresh()

    @Slot()
    def _on_show_more_clicked(self) -> None:
        self._limit = None if self._limit is None else self._limit * MORE_FACTOR
        self._refresh()

    @Slot()
    def _on_show_all_clicked(self) -> None:
        self._limit = None
        self._refresh()

    @Slot(bool)
    def _on_wrap_toggled(self, wrap: bool) -> None:
        mode = QPlainTextEdit.LineWrapMode.WidgetWidth if wrap else QPlainTextEdit.LineWrapMode.NoWrap
        self.text.setLineWrapMode(mode)

    def _write(self, path: str, data: bytes) -> bool:
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            box = QMessageBox(QMessageBox.Icon.Warning, self._save_title, "", parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setText(visible(f"Could not save {path}: {exc.strerror or exc}", 1000))
            box.exec()
            return False
        self.note.setText(visible(f"{self.note.text()} · saved {human_size(len(data))} to {path}", 2000))
        return True

    @Slot()
    def _on_save_clicked(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, self._save_title, self._file_name)
        if path:
            self._write(path, self._data)

    @Slot()
    def _on_parts_menu_about_to_show(self) -> None:
        self.parts_menu.clear()
        for part in self.parts():
            name = part.param("name") or "(no name)"
            filename = part.param("filename")
            label = f"Part {part.number}: {name}" + (f" ({filename})" if filename else "")
            action = self.parts_menu.addAction(visible(f"{label}, {human_size(len(part.content))}…", 120))
            action.setData(part.number)

    @Slot(QAction)
    def _on_parts_menu_triggered(self, action: QAction) -> None:
        number = int(action.data())
        part = next((p for p in self.parts() if p.number == number), None)
        if part is None:
            return
        suggested = part_file_name(part, f"{Path(self._file_name).stem}-part-{number}.bin")
        path, _filter = QFileDialog.getSaveFileName(self, f"Save part {number}", suggested)
        if path:
            self._write(path, part.content)
