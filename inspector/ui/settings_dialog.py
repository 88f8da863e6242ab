"""The Settings dialog: start listening on launch, the colour theme, and the
listener's limits (sizes, counts and durations, typed as ``10 MiB``, ``30 s``);
and :class:`SettingsControl`, which opens it, saves what it says and announces it.

The limits' fields come from :data:`inspector.limit_settings.LIMIT_FIELDS`; each
is checked as it is typed and a field that does not read says why beside it,
with OK disabled until every field reads. The limits apply from the next Start.
Limits given on the command line (``--max-body 100MiB``) hold for the run over
the saved ones, and the dialog shows them; OK saves what it shows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from PySide6.QtCore import QObject, QSettings, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.http.limits import Limits
from inspector.limit_settings import LIMIT_FIELDS, check_limits, limits_with
from inspector.models.row_style import error_color
from inspector.ui.preferences import Preferences, Theme, load_preferences, save_preferences
from inspector.ui.theme import apply_theme


class SettingsDialog(QDialog):
    """Edits a copy of ``preferences``; :meth:`preferences` is the result."""

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.start_check = QCheckBox("Start listening when the window opens", self)
        self.start_check.setChecked(preferences.start_on_launch)
        self.theme_combo = QComboBox(self)
        for theme in Theme:
            self.theme_combo.addItem(theme.label, theme.value)
        self.theme_combo.setCurrentIndex(list(Theme).index(preferences.theme))
        general = QGroupBox("General", self)
        general_form = QFormLayout(general)
        general_form.addRow(self.start_check)
        general_form.addRow("Colours", self.theme_combo)

        limits = QGroupBox("Listener limits", self)
        form = QFormLayout(limits)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        #: one box per limit, by Limits attribute name
        self.edits: dict[str, QLineEdit] = {}
        self._problems: dict[str, QLabel] = {}
        for field in LIMIT_FIELDS:
            edit = QLineEdit(field.write(getattr(preferences.limits, field.name)), self)
            edit.setToolTip(
                f"{field.help}.\nFrom {field.write(field.minimum)} to {field.write(field.maximum)}; "
                f"default {field.write(field.default())}. On the command line: {field.flag}"
            )
            problem = QLabel(self)
            problem.setTextFormat(Qt.TextFormat.PlainText)
            problem.setStyleSheet(f"color: {error_color().name()}")
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(problem)
            form.addRow(field.label, row)
            edit.textChanged.connect(self._on_edit_text_changed)
            self.edits[field.name] = edit
            self._problems[field.name] = problem
        self.limits_problem = QLabel(self)
        self.limits_problem.setTextFormat(Qt.TextFormat.PlainText)
        self.limits_problem.setStyleSheet(f"color: {error_color().name()}")
        form.addRow(self.limits_problem)
        note = QLabel("Limits apply from the next Start of the listener.", self)
        note.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(note)
        self.defaults_button = QPushButton("Default limits", self)
        self.defaults_button.clicked.connect(self._on_defaults_button_clicked)
        form.addRow(self.defaults_button)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(general)
        layout.addWidget(limits)
        layout.addWidget(self.buttons)
        self._validate()

    def _values(self) -> dict[str, float] | None:
        values: dict[str, float] = {}
        ok = True
        for field in LIMIT_FIELDS:
            try:
                values[field.name] = field.read(self.edits[field.name].text())
            except ValueError as exc:
                self._problems[field.name].setText(str(exc)[:120])
                ok = False
            else:
                self._problems[field.name].clear()
        return values if ok else None

    def _validate(self) -> bool:
        values = self._values()
        problem = check_limits(values) if values is not None else None
        self.limits_problem.setText(problem or "")
        self.limits_problem.setVisible(bool(problem))
        ok = values is not None and problem is None
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def preferences(self) -> Preferences:
        """What the dialog holds (call after it was accepted: every field reads)."""
        values = self._values()
        assert values is not None, "preferences() of a dialog whose fields do not read"
        return Preferences(
            start_on_launch=self.start_check.isChecked(),
            theme=Theme(self.theme_combo.currentData()),
            limits=limits_with(values),
        )

    @Slot(str)
    def _on_edit_text_changed(self, _text: str) -> None:
        self._validate()

    @Slot()
    def _on_defaults_button_clicked(self) -> None:
        defaults = Limits()
        for field in LIMIT_FIELDS:
            self.edits[field.name].setText(field.write(getattr(defaults, field.name)))


class SettingsControl(QObject):
    """The window's preferences: read at start, edited with :class:`SettingsDialog`
    (File → Settings…), saved, and announced.

    Signals:
        changed(object): the new :class:`Preferences` (after the dialog was accepted).
        limits_changed(object): the new :class:`Limits`.
    """

    changed = Signal(object)
    limits_changed = Signal(object)

    def __init__(self, settings: QSettings, parent: QWidget) -> None:
        super().__init__(parent)
        self._settings = settings
        self._window = parent
        #: the preferences in force
        self.preferences = load_preferences(settings)
        self.action = QAction("&Settings…", self)
        self.action.setShortcut(QKeySequence("Ctrl+,"))
        self.action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.action.triggered.connect(self._on_action_triggered)

    def dialog(self) -> SettingsDialog:
        return SettingsDialog(self.preferences, self._window)

    def use_limits(self, values: Mapping[str, float]) -> str | None:
        """The command line's limits (by field name) over the saved ones, for this
        run: in force and shown by the dialog, not saved.

        Returns:
            None, or one line saying why they were not used (they do not fit
            together with the saved limits).
        """
        try:
            limits = limits_with(values, self.preferences.limits)
        except ValueError as exc:
            return f"The limits given on the command line were not used: {exc}"
        self.preferences = dataclasses.replace(self.preferences, limits=limits)
        self.limits_changed.emit(limits)
        return None

    def set_preferences(self, preferences: Preferences) -> None:
        """Save ``preferences`` and announce them."""
        self.preferences = preferences
        save_preferences(self._settings, preferences)
        apply_theme(preferences.theme)
        self.changed.emit(preferences)
        self.limits_changed.emit(preferences.limits)

    @Slot()
    def _on_action_triggered(self) -> None:
        dialog = self.dialog()
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_preferences(dialog.preferences())
