"""The response rules editor in a dock beside the table, toggled from the toolbar.

The editor itself (:class:`inspector.ui.rules_editor.RulesEditor`) edits the
rule set of the responder every listener answers with; this dock shows it,
feeds it the selected request for its preview and "Create rule from this
request", and asks about unsaved edits before the window closes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMessageBox, QStyle, QWidget

from inspector.http.record import CaptureRecord
from inspector.responses import Responder, RuleSet, RulesFileError, load_rules
from inspector.text import visible
from inspector.ui.rules_editor import RulesEditor


class RulesDock(QDockWidget):
    """Hidden until its :attr:`toggle_action` (Ctrl+E) shows it.

    Signals:
        message(str, int): a status-bar line and how long to show it (ms).
    """

    message = Signal(str, int)

    def __init__(self, responder: Responder, parent: QWidget, *, rules_path: Path | None = None) -> None:
        super().__init__("Response rules", parent)
        self.setObjectName("rules_dock")  # saveState() keys docks by name
        self.editor = RulesEditor(responder, rules_path, self)  # None: the app-data rules file
        if rules_path is not None:  # --rules FILE: say which file is edited and saved
            self.setWindowTitle(visible(f"Response rules: {rules_path.name}", 200))
            self.setToolTip(visible(str(rules_path), 1000))
        self.setWidget(self.editor)
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.hide()
        self.toggle_action: QAction = self.toggleViewAction()
        self.toggle_action.setText("Rules")
        self.toggle_action.setShortcut(QKeySequence("Ctrl+E"))
        self.toggle_action.setToolTip(
            "Show the response rules: what each request gets back, with a live preview (Ctrl+E)"
        )
        self.toggle_action.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        self.editor.rules_saved.connect(self._on_editor_rules_saved)

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
        self.show()
        self.raise_()

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
        box = QMessageBox(self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(self.window().windowTitle())
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

    @Slot(object)
    def _on_editor_rules_saved(self, ruleset: RuleSet) -> None:
        count = len(ruleset.rules)
        rules = f"{count} rule{'s' if count != 1 else ''}"
        self.message.emit(f"Rules saved: {rules} now answer new requests", 5000)
