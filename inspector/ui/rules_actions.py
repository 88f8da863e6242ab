"""The rules editor's actions: file (Save, Revert, Import, Export), state (Reset state) and list ones.

:class:`RulesActions` builds every :class:`QAction` of the editor, with its
text, tooltip and shortcut, and the "Add from preset" menu; its slots ask the
file dialogs where needed and call the editor's public methods. The editor
lays the actions out and enables them; the window may put any of them in its
menus (``reset_state``, for one).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from inspector.responses import list_presets

if TYPE_CHECKING:
    from inspector.ui.rules_editor import RulesEditor

RULES_FILTER = "Rules files (*.json);;All files (*)"


class RulesActions(QObject):
    """Every action of one :class:`RulesEditor`."""

    def __init__(self, editor: RulesEditor) -> None:
        super().__init__(editor)
        self._editor = editor
        self.save = self._action("Save", self._on_save_triggered, QKeySequence(QKeySequence.StandardKey.Save))
        self.save.setToolTip("Save the rules and answer with them now (Ctrl+S)")
        self.revert = self._action("Revert", self._on_revert_triggered)
        self.revert.setToolTip("Drop the unsaved changes")
        self.import_ = self._action("Import…", self._on_import_triggered)
        self.import_.setToolTip("Replace the edited rules with a rules file's (not saved until Save)")
        self.export = self._action("Export…", self._on_export_triggered)
        self.export.setToolTip("Write the edited rules to a file")
        self.reset_state = self._action("Reset answer state", self._on_reset_state_triggered)
        self.reset_state.setIconText("Reset state")  # the editor's button; the menus say what it resets
        self.reset_state.setToolTip(
            "Start every rule's answers again from the first (sequences, cycles, per-client counters)"
        )

        self.add = self._action("Add", self._on_add_triggered)
        self.add.setToolTip("Add a new rule at the top of the list")
        self.duplicate = self._action("Duplicate", self._on_duplicate_triggered)
        self.delete = self._action("Delete", self._on_delete_triggered)
        self.move_up = self._action("Move up", self._on_move_up_triggered)
        self.move_down = self._action("Move down", self._on_move_down_triggered)

        self.presets_menu = QMenu("Add from preset", editor)
        for name, path in list_presets():
            preset = self.presets_menu.addAction(name)
            preset.setData(str(path))
        self.presets_menu.setEnabled(not self.presets_menu.isEmpty())
        self.presets_menu.triggered.connect(self._on_presets_menu_triggered)

    def _action(self, text: str, slot: object, shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(text, self._editor)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self._editor.addAction(action)
        action.triggered.connect(slot)
        return action

    def bind_to_list(self) -> None:
        """Delete, Ctrl+Up and Ctrl+Down act on the rules list when it has the focus."""
        view = self._editor.list_view
        for action, key in (
            (self.delete, QKeySequence(QKeySequence.StandardKey.Delete)),
            (self.move_up, QKeySequence("Ctrl+Up")),
            (self.move_down, QKeySequence("Ctrl+Down")),
        ):
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            view.addAction(action)

    @Slot()
    def _on_save_triggered(self) -> None:
        self._editor.save()

    @Slot()
    def _on_revert_triggered(self) -> None:
        self._editor.revert()

    @Slot()
    def _on_import_triggered(self) -> None:
        folder = str(self._editor.rules_path.parent)
        path, _ = QFileDialog.getOpenFileName(self._editor, "Import rules", folder, RULES_FILTER)
        if path:
            self._editor.import_rules(path)

    @Slot()
    def _on_export_triggered(self) -> None:
        suggested = str(self._editor.rules_path.parent / "rules.json")
        path, _ = QFileDialog.getSaveFileName(self._editor, "Export rules", suggested, RULES_FILTER)
        if path:
            if not Path(path).suffix:
                path += ".json"
            self._editor.export_rules(path)

    @Slot()
    def _on_reset_state_triggered(self) -> None:
        self._editor.reset_state()

    @Slot()
    def _on_add_triggered(self) -> None:
        self._editor.add_rule()

    @Slot()
    def _on_duplicate_triggered(self) -> None:
        self._editor.duplicate_rule()

    @Slot()
    def _on_delete_triggered(self) -> None:
        self._editor.delete_rule()

    @Slot()
    def _on_move_up_triggered(self) -> None:
        self._editor.move_rule(-1)

    @Slot()
    def _on_move_down_triggered(self) -> None:
        self._editor.move_rule(+1)

    @Slot(QAction)
    def _on_presets_menu_triggered(self, action: QAction) -> None:
        path = action.data()
        if isinstance(path, str):
            self._editor.add_preset(path)
