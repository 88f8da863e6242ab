"""One-line message bars above the table (warning or error), plain text only;
the warning shown while the chosen address reaches beyond this machine."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QToolButton, QWidget

from inspector.addresses import is_loopback
from inspector.text import visible


class BannerKind(Enum):
    WARNING = QStyle.StandardPixmap.SP_MessageBoxWarning
    ERROR = QStyle.StandardPixmap.SP_MessageBoxCritical


class Banner(QFrame):
    """An icon, a plain-text message and, when closable, a close button."""

    closed = Signal()

    def __init__(self, kind: BannerKind, closable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFrameShadow(QFrame.Shadow.Raised)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self._icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self._icon.setPixmap(self.style().standardIcon(kind.value).pixmap(size, size))
        layout.addWidget(self._icon)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setToolTip("Dismiss")
        self._close.setAutoRaise(True)
        self._close.setVisible(closable)
        layout.addWidget(self._close)
        self._close.clicked.connect(self._on_close_clicked)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(visible(text, 1000))
        self.show()

    def text(self) -> str:
        return self.label.text()

    @Slot()
    def _on_close_clicked(self) -> None:
        self.hide()
        self.closed.emit()


class ExposureBanner(Banner):
    """A warning shown while the chosen bind address is reachable from other machines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(BannerKind.WARNING, closable=False, parent=parent)

    @Slot(str)
    def show_for_address(self, address: str) -> None:
        if address and not is_loopback(address):
            self.show_message(
                f"Listening on {address} lets other machines on your network reach this "
                "listener and see what it answers. Use 127.0.0.1 to keep it on this machine."
            )
        else:
            self.hide()
