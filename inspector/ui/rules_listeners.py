"""The rule editor's Listeners field: which listeners a rule answers (empty: all).

One line of listener names as the request table's Listener column shows them
(``127.0.0.1:8090``, ``[::1]:8091``) or ports alone (``8091``), separated by
commas or spaces. What is typed is kept as typed; a name that is no listener is
shown under the field by the rule's problems (``listeners``), like any other
field's.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from inspector.ui.rules_widgets import error_label, hint_label, set_error

#: what separates two listeners in the field
_SEPARATOR = re.compile(r"[,\s]+")
LISTENERS_HINT = (
    "Answer only requests taken by these listeners, as the Listener column names them; "
    "a port alone means that port on any address. Empty: every listener."
)


def parse_listeners(text: str) -> tuple[str, ...]:
    """``"127.0.0.1:8090, [::1]:8091 8092"`` -> its three names (empty parts dropped)."""
    return tuple(part for part in _SEPARATOR.split(text) if part)


class ListenersField(QWidget):
    """A line edit for a rule's ``listeners``, its hint and its error.

    Signals:
        edited(): the user changed the text.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("any listener   (e.g. 127.0.0.1:8090, [::1]:8091, 8092)")
        self.edit.setToolTip(LISTENERS_HINT)
        self.hint = hint_label(LISTENERS_HINT, self)
        self.hint.hide()  # shown once the rule names a listener (the tooltip says it before)
        self.error = error_label(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for widget in (self.edit, self.hint, self.error):
            layout.addWidget(widget)
        self.edit.textEdited.connect(self._on_edit_text_edited)

    def set_listeners(self, listeners: tuple[str, ...]) -> None:
        """Show a rule's listeners (emits nothing)."""
        self.edit.setText(", ".join(listeners))
        self.hint.setVisible(bool(listeners))

    def listeners(self) -> tuple[str, ...]:
        return parse_listeners(self.edit.text())

    def show_errors(self, messages: list[str] | None) -> None:
        set_error(self.error, messages)

    def _on_edit_text_edited(self, text: str) -> None:
        self.hint.setVisible(bool(text.strip()))
        self.edited.emit()
