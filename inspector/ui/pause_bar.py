"""The bar above the table while requests are paused: which one, for how long,
and the buttons that answer it (docs/ARCHITECTURE.md, "Answers").

It acts on the selected row's request when that one is paused, else on the one
held longest, and says how many more wait. Plain text only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QWidget

from inspector.http.response import FAULTS
from inspector.models.row_style import pause_icon
from inspector.ui.pause_dialog import FAULT_LABELS, pause_title
from inspector.ui.pauses import Pauses


class PauseBar(QFrame):
    """Shown while ``pauses`` holds requests."""

    def __init__(self, pauses: Pauses, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pauses = pauses
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 3, 4, 3)
        icon = QLabel(self)
        icon.setPixmap(pause_icon().pixmap(16, 16))
        layout.addWidget(icon)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.answer_button = QPushButton("Answer…", self)
        self.answer_button.setToolTip("Edit the answer (status, headers, body) and send it, or send a fault")
        self.rule_button = QPushButton("Let the rule answer", self)
        self.rule_button.setToolTip("Send what the rule rendered, unedited")
        self.fault_button = QToolButton(self)
        self.fault_button.setText("Send fault")
        self.fault_button.setToolTip("Answer with a fault instead (the rule's answer is its content)")
        self.fault_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.fault_button)
        #: one action per fault, its name as data
        self.fault_actions: dict[str, QAction] = {}
        for name in FAULTS:
            action = menu.addAction(FAULT_LABELS.get(name, name))
            action.setData(name)
            self.fault_actions[name] = action
        menu.triggered.connect(self._on_fault_menu_triggered)
        self.fault_button.setMenu(menu)
        for button in (self.answer_button, self.rule_button, self.fault_button):
            layout.addWidget(button)
        self.answer_button.clicked.connect(self._on_answer_button_clicked)
        self.rule_button.clicked.connect(self._on_rule_button_clicked)
        pauses.changed.connect(self._on_pauses_changed)
        pauses.ticked.connect(self.refresh)
        pauses.answer_action.changed.connect(self.refresh)  # enabled follows the selection
        self.hide()

    @Slot()
    def refresh(self) -> None:
        pauses = self._pauses
        request = pauses.current()
        self.setVisible(request is not None)
        if request is None:
            return
        more = len(pauses.board) - 1
        tail = f" · {more} more paused" if more > 0 else ""
        waited, left = int(request.waited()), int(pauses.left(request))
        self.label.setText(f"{pause_title(request)} · waiting {waited} s, ends unanswered in {left} s{tail}")

    @Slot(object)
    def _on_pauses_changed(self, _ids: object) -> None:
        self.refresh()

    @Slot()
    def _on_answer_button_clicked(self) -> None:
        self._pauses.open_editor()

    @Slot()
    def _on_rule_button_clicked(self) -> None:
        request = self._pauses.current()
        if request is not None:
            self._pauses.let_rule_answer(request)

    @Slot(QAction)
    def _on_fault_menu_triggered(self, action: QAction) -> None:
        request = self._pauses.current()
        fault = action.data()
        if request is not None and isinstance(fault, str):
            self._pauses.send_fault(request, fault)
