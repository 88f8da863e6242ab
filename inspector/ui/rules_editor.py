"""The response rules editor: a list of rules, a form, a live preview.

Strategy. The editor is a thin view on a Qt-free :class:`RulesDocument` (load,
edit, validate, save): the list model (:class:`RulesListModel`) forwards every
change to it, the form (:class:`RuleForm`) edits the selected rule and shows
the document's problems at their fields. Typing changes only the form; after a
pause (:class:`PreviewFeed`) the editor writes the form's rule into the
document and asks for a preview, rendered off the GUI thread. Anything that
needs the document to be current (Save, Export, a selection change, a move)
flushes the form first.

Layout: three columns (list, form, preview) when the editor is at least
:data:`WIDE_LAYOUT_MIN` wide; narrower, the form and the preview share tabs
beside the list, so every part stays reachable on a small screen.

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
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from inspector.http.record import CaptureRecord
from inspector.models.rules_list import RulesListModel
from inspector.responses import Responder, Rule, RulesFileError, default_rules_path, load_rules
from inspector.responses.document import NEW_RULE, RulesDocument, rule_for_request
from inspector.text import visible
from inspector.ui.columns import ColumnsOrTabs
from inspector.ui.rules_actions import RulesActions
from inspector.ui.rules_form import RuleForm
from inspector.ui.rules_list_panel import RulesListPanel, action_button
from inspector.ui.rules_preview import RulePreview
from inspector.ui.rules_preview_feed import PreviewFeed
from inspector.ui.rules_widgets import ERROR_COLOR, plain_label

#: narrower than this, the form and the preview share tabs beside the list
#: (three columns need the list's 170 px, the form's 430 and the preview's 320)
WIDE_LAYOUT_MIN = 960
#: the form column is never narrower than this (its labels and tables stay readable)
FORM_MIN_WIDTH = 430
#: the preview column is never narrower than this
PREVIEW_MIN_WIDTH = 320
#: characters of a file error or status message shown
MESSAGE_LIMIT = 600


class RulesEditor(QWidget):
    """Edits the response rules of ``responder``, saved in ``rules_path``.

    Signals:
        rules_saved(object): the :class:`RuleSet` just saved and put in use.
        dirty_changed(bool): the edited rules started or stopped differing from the saved ones.
        state_reset(): the answer state was reset (:meth:`reset_state`).

    Attributes:
        commands: every action (:class:`RulesActions`); ``commands.reset_state``
            belongs in the window's menus too.
    """

    rules_saved = Signal(object)
    dirty_changed = Signal(bool)
    state_reset = Signal()

    def __init__(
        self,
        responder: Responder,
        rules_path: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.responder = responder
        self.rules_path = Path(rules_path) if rules_path is not None else default_rules_path()
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
        self.commands = RulesActions(self)
        self._build_widgets()
        self.feed = PreviewFeed(responder, self.preview, self)
        self._layout()
        self._connect_signals()

        if message:
            self._show_message(message, error=True)
        if self.model.rowCount():
            self.select_rule(0)
        else:
            self.refresh()
        self._update_dirty()

    # -- construction -------------------------------------------------------------

    def _build_widgets(self) -> None:
        a = self.commands
        self.list_panel = RulesListPanel(self.model, (a.add, a.duplicate, a.delete, a.move_up, a.move_down),
                                         a.presets_menu, self)  # fmt: skip
        self.list_view = self.list_panel.list_view
        self.presets_button = self.list_panel.presets_button
        a.bind_to_list()
        self.form = RuleForm(self)
        self.form.set_folder(self.document.folder)
        self.preview = RulePreview(self)
        self.preview.setMinimumWidth(PREVIEW_MIN_WIDTH)
        self.dirty_label = plain_label("● unsaved changes", self)
        palette = self.dirty_label.palette()
        palette.setColor(self.dirty_label.foregroundRole(), ERROR_COLOR)
        self.dirty_label.setPalette(palette)
        self.message_label = plain_label("", self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

    def _layout(self) -> None:
        bar = QHBoxLayout()
        a = self.commands
        for action in (a.save, a.revert, a.import_, a.export, a.reset_state):
            bar.addWidget(action_button(action, self))
        bar.addSpacing(12)
        bar.addWidget(self.dirty_label)
        bar.addStretch(1)

        self.form_scroll = QScrollArea(self)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(self.form)
        self.form_scroll.setMinimumWidth(FORM_MIN_WIDTH)
        self.columns = ColumnsOrTabs(
            self.list_panel,
            (("Rule", self.form_scroll, 3), ("Preview", self.preview, 2)),
            wide_from=WIDE_LAYOUT_MIN,
            sizes=(220, 560, 480),
            parent=self,
        )
        outer = QVBoxLayout(self)
        outer.addLayout(bar)
        outer.addWidget(self.message_label)
        outer.addWidget(self.columns, 1)

    def _connect_signals(self) -> None:
        self.list_view.selectionModel().currentChanged.connect(self._on_list_current_changed)
        self.model.dataChanged.connect(self._on_model_data_changed)
        self.model.rowsInserted.connect(self._on_model_layout_changed)
        self.model.rowsRemoved.connect(self._on_model_layout_changed)
        self.model.rowsMoved.connect(self._on_model_layout_changed)
        self.model.modelReset.connect(self._on_model_layout_changed)
        self.form.edited.connect(self._on_form_edited)
        self.form.answer_selected.connect(self._on_form_answer_selected)
        self.feed.due.connect(self.refresh)

    # -- events -------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        self.feed.watch_state(True)
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.feed.watch_state(False)
        super().hideEvent(event)

    # -- public API ---------------------------------------------------------------

    @property
    def preview_record(self) -> CaptureRecord | None:
        return self.feed.record

    def set_preview_record(self, record: CaptureRecord | None) -> None:
        """Preview against ``record`` (the selected capture); None: the built-in sample."""
        self.feed.record = record
        self.form.forward.set_probe_record(record)
        self.feed.schedule()

    def is_wide(self) -> bool:
        """The form and the preview are side by side (not in tabs)."""
        return self.columns.is_wide()

    def create_rule_from_request(self, record: CaptureRecord) -> Rule:
        """Add a rule answering ``record``'s method and exact path, at the top, selected."""
        rule = rule_for_request(record)
        self._insert_and_select(0, [rule])
        self.feed.record = record
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
        """Write the edited rules to ``rules_path`` and put them in use, in one step
        (the answer state starts again).

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
        self.refresh()
        return True

    def reset_state(self) -> None:
        """Start every rule's answers from the first again (the listener's counters)."""
        self.responder.reset_state()
        self._show_message("Answer state reset: the next request to each rule gets its first answer.")
        self.refresh()
        self.state_reset.emit()

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
        """Add the rules of a preset file at the top of the list (its body files kept reachable)."""
        try:
            ruleset = load_rules(path)
        except RulesFileError as exc:
            self._show_message(f"Preset not added: {exc}", error=True)
            return False
        self._insert_and_select(0, self.document.adopt(ruleset))
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

    def refresh(self) -> None:
        """Now rather than after the typing pause: flush the form, show the selected
        rule's problems, ask for a preview (shown when ready), update the marker."""
        self._flush()
        row = self.current_row()
        rule = self.form.rule() if row >= 0 else None
        if rule is not None:
            self.form.show_problems(list(self.document.problems(row)))
        self.feed.submit(rule, self.document.rules, row, self.form.current_answer(), self.document.folder)
        self._update_dirty()

    def _update_dirty(self) -> None:
        dirty = self.is_dirty()
        self.dirty_label.setVisible(dirty)
        a = self.commands
        a.save.setEnabled(dirty)
        a.revert.setEnabled(dirty)
        row = self.current_row()
        a.duplicate.setEnabled(row >= 0)
        a.delete.setEnabled(row >= 0)
        a.move_up.setEnabled(row > 0)
        a.move_down.setEnabled(0 <= row < self.model.rowCount() - 1)
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
        self.feed.schedule()

    def _on_model_layout_changed(self, *_args: object) -> None:
        self._update_dirty()
        self.feed.schedule()

    @Slot()
    def _on_form_edited(self) -> None:
        self._pending = True
        self._update_dirty()
        self.feed.schedule()

    @Slot(int)
    def _on_form_answer_selected(self, _answer: int) -> None:
        self.preview.show_selected_answer(True)
        self.feed.schedule()
