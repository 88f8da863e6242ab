"""The response rules editor: a list of rules, a form, a live preview.

Strategy. The editor is a thin view on a Qt-free :class:`RulesDocument` (load,
edit, validate, save): the list model (:class:`RulesListModel`) forwards every
change to it, the form (:class:`RuleForm`) edits the selected rule and shows
the document's problems at their fields. Typing changes only the form; a
150 ms single-shot timer then writes the form's rule into the document and asks
for a preview, so a burst of keystrokes costs one template compilation.
Anything that needs the document to be current (Save, Export, a selection
change, a move) flushes the form first.

The preview (:func:`inspector.responses.preview.preview`) renders off the GUI
thread (:class:`PreviewWorker`); only the latest request's result is shown, and
the GUI never waits for one.

Nothing reaches the listener until Save: the document writes the rules
atomically and the editor swaps them into the :class:`Responder` with
:meth:`Responder.set_rules` (one attribute assignment: requests in flight
finish with the rules they started with).
Rules the rules file could not read back are refused with a message; template
problems are not (such a rule answers 500 naming the error), but Save says so.

Every text from a request, a template or a file is shown as plain text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QListView,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.http.record import CaptureRecord
from inspector.http.response import is_token
from inspector.models.rules_list import RulesListModel
from inspector.responses import (
    Responder,
    Rule,
    RulesFileError,
    default_rules_path,
    list_presets,
    load_rules,
)
from inspector.responses.document import RulesDocument
from inspector.responses.preview import Preview, preview
from inspector.text import visible
from inspector.ui.preview_worker import PreviewWorker
from inspector.ui.rules_form import ERROR_COLOR, RuleForm, plain_label
from inspector.ui.rules_preview import RulePreview, sample_record

#: how long typing must pause before the preview renders
PREVIEW_DELAY_MS = 150
#: characters of a file error or status message shown
MESSAGE_LIMIT = 600
#: characters of a request's method and path used to name a rule made from it
RULE_NAME_LIMIT = 60

NEW_RULE = Rule(
    name="new rule",
    path="/new",
    headers=(("Content-Type", "text/plain; charset=utf-8"),),
    body="hello {{ request.client.host }}\n",
)
RULES_FILTER = "Rules files (*.json);;All files (*)"


def exact_path_pattern(path: str) -> str:
    """A path pattern matching exactly ``path`` (a regex when the glob would not)."""
    if not path:
        return "/**"
    if path.startswith("^") or "*" in path or "{" in path:
        return "^" + re.escape(path) + "$"
    return path


@dataclass(frozen=True, slots=True)
class _Shown:
    """A preview with what it was computed for."""

    result: Preview
    rules: tuple[Rule, ...]
    record: CaptureRecord
    row: int
    sample: bool


class _NumberedDelegate(QStyledItemDelegate):
    """Shows each rule's position (1-based) before its name: order decides which answers."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.text = f"{index.row() + 1}. {option.text}"


class RulesEditor(QWidget):
    """Edits the response rules of ``responder``, saved in ``rules_path``.

    Signals:
        rules_saved(object): the :class:`RuleSet` just saved and put in use.
        dirty_changed(bool): the edited rules started or stopped differing from the saved ones.
    """

    rules_saved = Signal(object)
    dirty_changed = Signal(bool)

    def __init__(
        self,
        responder: Responder,
        rules_path: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.responder = responder
        self.rules_path = Path(rules_path) if rules_path is not None else default_rules_path()
        self._preview_record: CaptureRecord | None = None
        self._editing = QPersistentModelIndex()
        self._pending = False  # the form holds edits not yet written into the model
        self._syncing = False  # the editor itself is writing into the model
        self._dirty = False

        self.document = RulesDocument.open(self.rules_path, responder.ruleset)
        message = ""
        if self.document.load_error:
            message = (
                f"Could not read the rules file, so the rules in use are shown: "
                f"{self.document.load_error}. Saving replaces the file."
            )
        elif self.rules_path.exists():
            responder.set_rules(self.document.saved)

        self.model = RulesListModel(self.document, self)
        self.previews = PreviewWorker(self)
        self._build_widgets()
        self._build_actions()
        self._layout()
        self._connect_signals()

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(PREVIEW_DELAY_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)

        if message:
            self._show_message(message, error=True)
        if self.model.rowCount():
            self.select_rule(0)
        else:
            self.refresh()
        self._update_dirty()

    # -- construction -------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(_NumberedDelegate(self.list_view))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list_view.setDropIndicatorShown(True)
        self.list_view.setAlternatingRowColors(True)
        self.list_view.setSpacing(1)
        self.list_view.setMinimumWidth(200)
        self.list_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )

        self.form = RuleForm(self)
        self.preview = RulePreview(self)

        self.dirty_label = plain_label("● unsaved changes", self)
        palette = self.dirty_label.palette()
        palette.setColor(self.dirty_label.foregroundRole(), ERROR_COLOR)
        self.dirty_label.setPalette(palette)
        self.message_label = plain_label("", self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

    def _action(self, text: str, slot: object, shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.save_action = self._action(
            "Save", self._on_save_triggered, QKeySequence(QKeySequence.StandardKey.Save)
        )
        self.save_action.setToolTip("Save the rules and answer with them now (Ctrl+S)")
        self.revert_action = self._action("Revert", self._on_revert_triggered)
        self.revert_action.setToolTip("Drop the unsaved changes")
        self.import_action = self._action("Import…", self._on_import_triggered)
        self.import_action.setIconText("Import…")
        self.import_action.setToolTip("Replace the edited rules with a rules file's (not saved until Save)")
        self.export_action = self._action("Export…", self._on_export_triggered)
        self.export_action.setIconText("Export…")
        self.export_action.setToolTip("Write the edited rules to a file")

        self.add_action = self._action("Add", self._on_add_triggered)
        self.add_action.setToolTip("Add a new rule at the top of the list")
        self.duplicate_action = self._action("Duplicate", self._on_duplicate_triggered)
        self.delete_action = self._action("Delete", self._on_delete_triggered)
        self.move_up_action = self._action("Move up", self._on_move_up_triggered)
        self.move_down_action = self._action("Move down", self._on_move_down_triggered)
        # keyboard users: these act on the list when it has the focus
        for action, key in (
            (self.delete_action, QKeySequence(QKeySequence.StandardKey.Delete)),
            (self.move_up_action, QKeySequence("Ctrl+Up")),
            (self.move_down_action, QKeySequence("Ctrl+Down")),
        ):
            action.setShortcut(key)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.list_view.addAction(action)

        self.presets_menu = QMenu("Add from preset", self)
        for name, path in list_presets():
            preset = self.presets_menu.addAction(name)
            preset.setData(str(path))
        self.presets_menu.setEnabled(not self.presets_menu.isEmpty())

    @staticmethod
    def _button(action: QAction, parent: QWidget) -> QToolButton:
        button = QToolButton(parent)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        return button

    def _layout(self) -> None:
        bar = QHBoxLayout()
        for action in (self.save_action, self.revert_action, self.import_action, self.export_action):
            bar.addWidget(self._button(action, self))
        bar.addSpacing(12)
        bar.addWidget(self.dirty_label)
        bar.addStretch(1)

        left = QWidget(self)
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        heading = plain_label("Rules, in order: the first enabled rule that matches answers.", left)
        heading.setWordWrap(True)
        left_box.addWidget(heading)
        left_box.addWidget(self.list_view, 1)
        grid = QGridLayout()
        grid.setSpacing(4)
        grid.addWidget(self._button(self.add_action, left), 0, 0)
        self.presets_button = QToolButton(left)
        self.presets_button.setText("From preset")
        self.presets_button.setToolTip("Add the rules of a preset at the top of the list")
        self.presets_button.setMenu(self.presets_menu)
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        grid.addWidget(self.presets_button, 0, 1)
        grid.addWidget(self._button(self.duplicate_action, left), 1, 0)
        grid.addWidget(self._button(self.delete_action, left), 1, 1)
        grid.addWidget(self._button(self.move_up_action, left), 2, 0)
        grid.addWidget(self._button(self.move_down_action, left), 2, 1)
        left_box.addLayout(grid)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.form)
        scroll.setMinimumWidth(420)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([240, 560, 420])

        outer = QVBoxLayout(self)
        outer.addLayout(bar)
        outer.addWidget(self.message_label)
        outer.addWidget(self.splitter, 1)

    def _connect_signals(self) -> None:
        self.list_view.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.model.dataChanged.connect(self._on_model_data_changed)
        self.model.rowsInserted.connect(self._on_model_layout_changed)
        self.model.rowsRemoved.connect(self._on_model_layout_changed)
        self.model.rowsMoved.connect(self._on_model_layout_changed)
        self.model.modelReset.connect(self._on_model_layout_changed)
        self.form.edited.connect(self._on_form_edited)
        self.presets_menu.triggered.connect(self._on_presets_menu_triggered)
        self.previews.ready.connect(self._on_previews_ready)

    # -- public API ---------------------------------------------------------------

    @property
    def preview_record(self) -> CaptureRecord | None:
        return self._preview_record

    def set_preview_record(self, record: CaptureRecord | None) -> None:
        """Preview against ``record`` (the selected capture); None: the built-in sample."""
        self._preview_record = record
        self._schedule_refresh()

    def create_rule_from_request(self, record: CaptureRecord) -> Rule:
        """Add a rule answering ``record``'s method and exact path, at the top, selected."""
        method = record.method.upper()
        path = record.path
        name = visible(f"{record.method} {path}".strip(), RULE_NAME_LIMIT) or "from request"
        rule = dataclasses.replace(
            NEW_RULE,
            name=name,
            methods=(method,) if is_token(method) else (),
            path=exact_path_pattern(path),
            body="hello world\n",
        )
        self._insert_and_select(0, [rule])
        self._preview_record = record
        self.refresh()
        return rule

    def rules(self) -> tuple[Rule, ...]:
        """The edited rules, in order (the form's pending edits included)."""
        self._flush()
        return self.model.rules()

    def current_rule(self) -> Rule | None:
        """The selected rule as edited in the form."""
        return self.form.rule()

    def current_row(self) -> int:
        return self._editing.row() if self._editing.isValid() else -1

    def select_rule(self, row: int) -> None:
        index = self.model.index(row)
        self.list_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def is_dirty(self) -> bool:
        """The edited rules differ from the saved ones (what the listener uses)."""
        return self._pending or self.document.is_dirty()

    def save(self) -> bool:
        """Write the edited rules to ``rules_path`` and put them in use, in one step.

        Returns:
            True when saved; otherwise the reason is shown and nothing changed.
        """
        self._flush()
        try:
            ruleset = self.document.save()
        except RulesFileError as exc:
            self._show_message(f"Not saved: {exc}", error=True)
            return False
        self.responder.set_rules(ruleset)
        self._update_dirty()
        problems = ruleset.problems()
        if problems:
            problem = problems[0]
            name = ruleset.rules[problem.rule or 0].name
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self._show_message(
                f"Saved and in use. Rule “{name}” answers 500 until fixed: {problem}{more}", error=True
            )
        else:
            self._show_message(f"Saved to {self.rules_path} and in use.")
        self.rules_saved.emit(ruleset)
        return True

    def revert(self) -> None:
        """Drop every unsaved change."""
        row = max(0, self.current_row())
        self._replace_rules(self.document.revert, row)
        self._show_message("Reverted to the saved rules.")
        self._update_dirty()

    def import_rules(self, path: str | Path) -> bool:
        """Replace the edited rules with the rules of ``path`` (unsaved until Save)."""
        try:
            ruleset = load_rules(path)
        except RulesFileError as exc:
            self._show_message(f"Not imported, the rules are unchanged: {exc}", error=True)
            return False
        self._replace_rules(lambda: self.document.take(ruleset), 0)
        count = len(ruleset.rules)
        self._show_message(
            f"Imported {count} rule{'s' if count != 1 else ''} from {Path(path).name}. "
            "Save to answer with them."
        )
        self._update_dirty()
        return True

    def export_rules(self, path: str | Path) -> bool:
        """Write the edited rules (saved or not) to ``path``."""
        self._flush()
        try:
            ruleset = self.document.export(Path(path))
        except RulesFileError as exc:
            self._show_message(f"Not exported: {exc}", error=True)
            return False
        self._show_message(f"Exported {len(ruleset.rules)} rules to {path}.")
        return True

    def add_rule(self, rule: Rule | None = None) -> None:
        """Add ``rule`` (default: a new one) at the top of the list and select it."""
        if rule is None:
            rule = dataclasses.replace(NEW_RULE, name=self.document.unique_name(NEW_RULE.name))
        self._insert_and_select(0, [rule])
        self.form.name_edit.setFocus()
        self.form.name_edit.selectAll()

    def add_preset(self, path: str | Path) -> bool:
        """Add the rules of a preset file at the top of the list."""
        try:
            ruleset = load_rules(path)
        except RulesFileError as exc:
            self._show_message(f"Preset not added: {exc}", error=True)
            return False
        self._insert_and_select(0, list(ruleset.rules))
        return True

    def duplicate_rule(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        self._flush()
        rule = self.model.rule(row)
        copy = dataclasses.replace(rule, name=self.document.unique_name(f"{rule.name} copy"))
        self._insert_and_select(row + 1, [copy])

    def delete_rule(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        self._pending = False  # its edits go with it
        self._editing = QPersistentModelIndex()
        self.model.remove_rule(row)
        if self.model.rowCount():
            self.select_rule(min(row, self.model.rowCount() - 1))
        else:
            self.form.set_rule(None)
            self.refresh()

    def move_rule(self, offset: int) -> None:
        """Move the selected rule ``offset`` places (-1 up, +1 down)."""
        row = self.current_row()
        if row < 0:
            return
        self._flush()
        self.model.move_rule(row, row + offset)
        self.list_view.scrollTo(self.list_view.currentIndex())

    # -- internals ----------------------------------------------------------------

    def _insert_and_select(self, row: int, rules: list[Rule]) -> None:
        if not rules:
            return
        self._flush()
        self.model.insert_rules(row, rules)
        self.select_rule(row)
        self.list_view.scrollTo(self.model.index(row))

    def _replace_rules(self, change: Callable[[], object], row: int) -> None:
        """Apply ``change`` to the whole document (pending form edits are dropped)."""
        self._pending = False
        self._editing = QPersistentModelIndex()
        self.model.reset(change)
        if self.model.rowCount():
            self.select_rule(min(row, self.model.rowCount() - 1))
        else:
            self.form.set_rule(None)
            self.refresh()

    def _flush(self) -> None:
        """Write the form's pending edits into the model."""
        if not self._pending:
            return
        self._pending = False
        rule = self.form.rule()
        if rule is None or not self._editing.isValid():
            return
        self._syncing = True
        try:
            self.model.set_rule(self._editing.row(), rule)
        finally:
            self._syncing = False

    def _schedule_refresh(self) -> None:
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Now rather than after the typing pause: flush the form, show the selected
        rule's problems, ask for a preview (shown when ready), update the marker."""
        self._refresh_timer.stop()
        self._flush()
        row = self.current_row()
        rule = self.form.rule() if row >= 0 else None
        if rule is not None:
            self.form.show_problems(list(self.document.problems(row)))
        record = self._preview_record
        sample = record is None
        shown_record = record if record is not None else sample_record()
        rules = self.document.rules
        state, folder = self.responder.state, self.document.folder

        def work() -> _Shown:
            result = preview(rule, rules, shown_record, state=state, folder=folder)
            return _Shown(result, rules, shown_record, row, sample)

        self.previews.submit(work)
        self._update_dirty()

    def _update_dirty(self) -> None:
        dirty = self.is_dirty()
        self.dirty_label.setVisible(dirty)
        self.save_action.setEnabled(dirty)
        self.revert_action.setEnabled(dirty)
        has_rule = self.current_row() >= 0
        for action in (self.duplicate_action, self.delete_action):
            action.setEnabled(has_rule)
        self.move_up_action.setEnabled(has_rule and self.current_row() > 0)
        self.move_down_action.setEnabled(has_rule and self.current_row() < self.model.rowCount() - 1)
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setText(visible(text, MESSAGE_LIMIT))
        palette = self.palette()
        if error:
            palette.setColor(self.message_label.foregroundRole(), ERROR_COLOR)
        self.message_label.setPalette(palette)
        self.message_label.show()

    # -- slots --------------------------------------------------------------------

    @Slot(QModelIndex, QModelIndex)
    def _on_list_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._flush()
        self._editing = QPersistentModelIndex(current) if current.isValid() else QPersistentModelIndex()
        self.form.set_rule(self.model.rule(current.row()) if current.isValid() else None)
        self.refresh()

    def _on_model_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: object = None) -> None:
        if self._syncing:
            self._update_dirty()
            return
        row = self.current_row()
        if row >= 0 and top.row() <= row <= bottom.row():
            stored = self.model.rule(row)
            edited = self.form.rule()
            if edited is not None and stored != edited:
                # the list changed the rule's check box or name; keep the form's other edits
                self.form.follow_list(stored.name, stored.enabled)
                if self._pending:
                    self._flush()
        self._update_dirty()
        self._schedule_refresh()

    def _on_model_layout_changed(self, *_args: object) -> None:
        self._update_dirty()
        self._schedule_refresh()

    @Slot()
    def _on_form_edited(self) -> None:
        self._pending = True
        self._update_dirty()
        self._schedule_refresh()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        self.refresh()

    @Slot(object)
    def _on_previews_ready(self, shown: object) -> None:
        if isinstance(shown, _Shown):
            self.preview.show_result(
                shown.result, shown.rules, shown.record, row=shown.row, sample=shown.sample
            )

    @Slot()
    def _on_save_triggered(self) -> None:
        self.save()

    @Slot()
    def _on_revert_triggered(self) -> None:
        self.revert()

    @Slot()
    def _on_import_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import rules", str(self.rules_path.parent), RULES_FILTER)
        if path:
            self.import_rules(path)

    @Slot()
    def _on_export_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export rules", str(self.rules_path.parent / "rules.json"), RULES_FILTER
        )
        if path:
            if not Path(path).suffix:
                path += ".json"
            self.export_rules(path)

    @Slot()
    def _on_add_triggered(self) -> None:
        self.add_rule()

    @Slot()
    def _on_duplicate_triggered(self) -> None:
        self.duplicate_rule()

    @Slot()
    def _on_delete_triggered(self) -> None:
        self.delete_rule()

    @Slot()
    def _on_move_up_triggered(self) -> None:
        self.move_rule(-1)

    @Slot()
    def _on_move_down_triggered(self) -> None:
        self.move_rule(+1)

    @Slot(QAction)
    def _on_presets_menu_triggered(self, action: QAction) -> None:
        path = action.data()
        if isinstance(path, str):
            self.add_preset(path)
