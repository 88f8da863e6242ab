"""The response rules editor in a window of its own, shown and hidden from the toolbar (Ctrl+E).

Why a window and not a dock: the editor's three columns (the list, the form
with its answers, the live preview) need about 1,000 pixels to be readable; as
a dock beside the table they raised the main window's minimum width to ~1,500
px and still squeezed the preview to a sliver at 1280x800. In its own window
the editor gets the whole screen when the user wants it (it opens at up to
1280x800, within the screen), the main window keeps its own minimum size, and
on a small screen the editor folds its form and preview into tabs
(:class:`inspector.ui.columns.ColumnsOrTabs`) instead of clipping them.

The window edits the rule set of the responder every listener answers with,
takes the selected request for its preview and "Create rule from this
request", and asks about unsaved edits before the main window closes. It is a
child of the main window (it closes with it) with the ``Qt.Window`` flag.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QMessageBox, QStyle, QVBoxLayout, QWidget

from inspector.http.record import CaptureRecord
from inspector.responses import Responder, RuleSet, RulesFileError, load_rules
from inspector.text import visible
from inspector.ui.rules_editor import RulesEditor

#: the size the window opens at, when the screen has room
OPEN_SIZE = (1280, 800)
TITLE = "Response rules"


class RulesWindow(QWidget):
    """Hidden until its :attr:`toggle_action` (Ctrl+E) shows it.

    Signals:
        message(str, int): a status-bar line for the main window and how long to show it (ms).

    Attributes:
        editor: the :class:`RulesEditor`; ``editor.commands.reset_state`` is the
            "Reset state" action for the main window's menus.
        toggle_action: "Rules" (Ctrl+E), checked while the window is shown.
    """

    message = Signal(str, int)

    def __init__(self, responder: Responder, parent: QWidget, *, rules_path: Path | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("rules_window")
        self.editor = RulesEditor(responder, rules_path, self)  # None: the app-data rules file
        self._title = TITLE
        if rules_path is not None:  # --rules FILE: say which file is edited and saved
            self._title = visible(f"{TITLE}: {rules_path.name}", 200)
            self.setToolTip(visible(str(rules_path), 1000))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.editor)
        self._placed = False
        self.toggle_action = QAction("Rules", self)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setShortcut(QKeySequence("Ctrl+E"))
        self.toggle_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.toggle_action.setToolTip(
            "Show the response rules: what each request gets back, with a live preview (Ctrl+E)"
        )
        self.toggle_action.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        self.toggle_action.toggled.connect(self._on_toggle_action_toggled)
        self.editor.rules_saved.connect(self._on_editor_rules_saved)
        self.editor.dirty_changed.connect(self._on_editor_dirty_changed)
        self._on_editor_dirty_changed(self.editor.is_dirty())

    def load_problem(self) -> str:
        """Why the rules file could not be used ("" when it could, or when there is none yet)."""
        path = self.editor.rules_path
        if not path.exists():
            return ""
        try:
            load_rules(path)
        except RulesFileError as exc:
            return f"The rules file {path} cannot be used: {exc}. The rules in use answer meanwhile."
        return ""

    def show_rules(self) -> None:
        """Show the window in front, with the keyboard focus."""
        self.show()
        self.raise_()
        self.activateWindow()

    def _place(self) -> None:
        """Open at up to :data:`OPEN_SIZE`, within the screen, over the main window."""
        screen = (self.parentWidget() or self).screen()
        area: QRect = screen.availableGeometry()
        width, height = min(OPEN_SIZE[0], area.width()), min(OPEN_SIZE[1], area.height())
        self.resize(width, height)
        parent = self.parentWidget()
        center = parent.geometry().center() if parent is not None else area.center()
        frame = self.frameGeometry()
        frame.moveCenter(center)
        left = max(area.left(), min(frame.left(), area.right() - width))
        top = max(area.top(), min(frame.top(), area.bottom() - height))
        self.move(left, top)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._placed:
            self._placed = True
            self._place()
        self.toggle_action.setChecked(True)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.toggle_action.setChecked(False)
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing only hides: the edits stay, and the main window asks about them when it closes."""
        event.ignore()
        self.hide()

    @Slot(object)
    def preview(self, record: CaptureRecord | None) -> None:
        """The selected request becomes the preview's request."""
        self.editor.set_preview_record(record)

    @Slot(object)
    def create_rule_from(self, record: CaptureRecord) -> None:
        self.show_rules()
        self.editor.create_rule_from_request(record)

    def confirm_close(self) -> bool:
        """Ask about unsaved rule edits before closing; False means stay open."""
        if not self.editor.is_dirty():
            return True
        box = QMessageBox(self.parentWidget() or self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(self.windowTitle())
        box.setText("The response rules have unsaved changes.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.editor.save()
        return answer == QMessageBox.StandardButton.Discard

    @Slot(bool)
    def _on_toggle_action_toggled(self, checked: bool) -> None:
        if checked and not self.isVisible():
            self.show_rules()
        elif not checked and self.isVisible():
            self.hide()

    @Slot(bool)
    def _on_editor_dirty_changed(self, dirty: bool) -> None:
        self.setWindowTitle(f"{self._title} (unsaved changes)" if dirty else self._title)

    @Slot(object)
    def _on_editor_rules_saved(self, ruleset: RuleSet) -> None:
        count = len(ruleset.rules)
        rules = f"{count} rule{'s' if count != 1 else ''}"
        self.message.emit(f"Rules saved: {rules} now answer new requests", 5000)
