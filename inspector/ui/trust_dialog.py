"""HTTPS: trust the local CA…: the commands ``--ca`` prints, and a button that saves ``ca.pem``.

The text is :func:`inspector.tls.trust.trust_text`, the one ``python main.py
--ca`` prints, so the two never disagree. Nothing is installed: the user runs
the commands for the clients they choose. :class:`TrustControl` owns the menu
action; it is enabled once the window has a CA (HTTPS on, see
``MainWindow.use_tls``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.tls.ca import CERT_FILE
from inspector.tls.trust import trust_text

#: what the menu item says
ACTION_TEXT = "HTTPS: trust the local CA…"


def ask_save_path(parent: QWidget) -> str:
    """Where the user wants ``ca.pem`` saved ("" when they cancel)."""
    path, _ = QFileDialog.getSaveFileName(parent, "Save the local CA's certificate", CERT_FILE, "PEM (*.pem)")
    return path


class TrustDialog(QDialog):
    """The path of ``ca.pem``, each client's trust command, and Save ca.pem….

    Args:
        ca_pem: the CA certificate.
        url: an HTTPS URL of the listener, for the curl example.
        ask_path: asks where to save (tests pass their own).
    """

    def __init__(
        self,
        ca_pem: Path,
        url: str,
        parent: QWidget | None = None,
        *,
        ask_path: Callable[[QWidget], str] = ask_save_path,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Trust the local CA")
        self.resize(760, 520)
        self._ca_pem = ca_pem
        #: asks where to save ``ca.pem`` ("": cancelled)
        self.ask_path = ask_path
        intro = QLabel(
            "Clients that check certificates trust this listener's HTTPS once they trust its local "
            "certificate authority. Run the commands for the clients you use; nothing is installed for you.",
            self,
        )
        intro.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(trust_text(ca_pem, url=url))
        #: the outcome of the last save (plain text)
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.save_button = QPushButton(f"Save {CERT_FILE}…", self)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)

    @Slot()
    def _on_save_button_clicked(self) -> None:
        target = self.ask_path(self)
        if not target:
            return
        try:
            shutil.copyfile(self._ca_pem, target)
        except OSError as exc:
            self.result_label.setText(f"Could not save the certificate: {exc.strerror or exc}")
            return
        self.result_label.setText(f"Saved to {target}")


class TrustControl(QObject):
    """The menu action and its dialog; disabled while there is no CA (HTTPS off).

    Args:
        https_url: the listener's HTTPS URL now (for the curl example).
    """

    def __init__(self, parent: QWidget, https_url: Callable[[], str]) -> None:
        super().__init__(parent)
        self._parent = parent
        self._https_url = https_url
        self.ca_pem: Path | None = None
        self.dialog: TrustDialog | None = None
        self.action = QAction(ACTION_TEXT, self)
        self.action.setToolTip("HTTPS is off (--tls off, or the CA could not be made)")
        self.action.setEnabled(False)
        self.action.triggered.connect(self._on_action_triggered)

    def set_ca(self, ca_pem: Path) -> None:
        self.ca_pem = ca_pem
        self.action.setEnabled(True)
        self.action.setToolTip("How to make curl, Python, Node, browsers and the OS trust this HTTPS")

    @Slot()
    def _on_action_triggered(self) -> None:
        if self.ca_pem is None:
            return
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = TrustDialog(self.ca_pem, self._https_url(), self._parent)
        self.dialog.show()
