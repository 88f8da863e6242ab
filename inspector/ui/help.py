"""The Help menu: the README's sections, the keyboard shortcuts, About.

The README is read from this checkout when there is one (``README.md`` beside
the resources folder), else from the installed package's metadata (pyproject's
``readme``), and shown in a window of its own, at the section asked for. The
shortcut list is made from the window's own actions, so it is never out of date.
Every text here is the application's own (no request data), so rich text is
safe in these windows.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterable

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from inspector import DISTRIBUTION, __version__
from inspector.assets import resources_dir
from inspector.models.pairs_table import PairsTableModel
from inspector.ui.identity import APP_NAME, app_icon
from inspector.ui.table_view import CopyableTableView

#: the README sections the Help menu and About link to (their headings)
SECTIONS = (
    "Using it",
    "Response rules",
    "Headless mode",
    "History and export",
    "Installing it as an app",
    "The capture record",
)
_SECTION_LINK = "readme:"


def readme_text() -> str:
    """The README (Markdown), or a line saying it is not there."""
    folder = resources_dir()
    if folder is not None:
        checkout = folder.parent / "README.md"
        if checkout.is_file():
            return checkout.read_text(encoding="utf-8")
    try:
        text = importlib.metadata.metadata(DISTRIBUTION).get_payload()  # type: ignore[attr-defined]
    except importlib.metadata.PackageNotFoundError:
        text = None
    return text if isinstance(text, str) and text.strip() else "The README is not installed with this copy."


class ReadmeWindow(QDialog):
    """The README, scrolled to a section."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: README")
        self.resize(820, 640)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(readme_text())
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)

    def show_section(self, heading: str) -> bool:
        """Scroll so that ``heading`` is at the top; False when there is no such heading."""
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() and block.text().strip() == heading:
                cursor = QTextCursor(block)
                self.browser.setTextCursor(cursor)
                bar = self.browser.verticalScrollBar()
                bar.setValue(bar.value() + self.browser.cursorRect(cursor).top())
                return True
            block = block.next()
        return False


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """``(what, keys)`` for every action with a shortcut, once each, by name."""
    rows: dict[str, str] = {}
    for action in actions:
        keys = ", ".join(
            key.toString(QKeySequence.SequenceFormat.NativeText)
            for key in action.shortcuts()
            if not key.isEmpty()
        )
        name = re.sub(r"&(?!&)", "", action.text()).rstrip("…").strip()
        if keys and name and name not in rows:
            rows[name] = keys
    return sorted(rows.items(), key=lambda row: row[0].casefold())


class ShortcutsDialog(QDialog):
    """The keyboard shortcuts, as a table (copyable)."""

    def __init__(self, rows: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(460, 480)
        self.model = PairsTableModel(("Action", "Keys"), parent=self)
        self.model.set_rows(rows)
        self.table = CopyableTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().resizeSection(0, 260)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)


def about_text() -> str:
    links = " · ".join(f'<a href="{_SECTION_LINK}{name}">{name}</a>' for name in SECTIONS)
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>See every HTTP request sent to a port, and answer it from rules you edit.</p>"
        f"<p>In the README: {links}</p>"
        "<p>MIT licence.</p>"
    )


class HelpMenu(QObject):
    """Help: README sections, Keyboard shortcuts, About (for ``window``)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self.readme: ReadmeWindow | None = None
        self.menu = QMenu("&Help", window)
        for name in SECTIONS:
            action = self.menu.addAction(f"README: {name}")
            action.setData(name)
            action.triggered.connect(self._on_section_action_triggered)
        self.menu.addSeparator()
        self.shortcuts_action = self.menu.addAction("&Keyboard shortcuts")
        self.shortcuts_action.setShortcut(QKeySequence("Ctrl+/"))
        self.shortcuts_action.triggered.connect(self._on_shortcuts_action_triggered)
        self.about_action = self.menu.addAction(f"&About {APP_NAME}")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self._on_about_action_triggered)

    def open_section(self, heading: str) -> ReadmeWindow:
        """The README window (one, reused), at ``heading``."""
        if self.readme is None:
            self.readme = ReadmeWindow(self._window)
        self.readme.show()
        self.readme.raise_()
        self.readme.show_section(heading)
        return self.readme

    def shortcuts_dialog(self) -> ShortcutsDialog:
        return ShortcutsDialog(shortcut_rows(self._window.findChildren(QAction)), self._window)

    def about_dialog(self) -> QDialog:
        dialog = QDialog(self._window)
        dialog.setWindowTitle(f"About {APP_NAME}")
        icon = QLabel(dialog)
        icon.setPixmap(app_icon().pixmap(64, 64))
        text = QLabel(about_text(), dialog)
        text.setObjectName("about_text")
        text.setTextFormat(Qt.TextFormat.RichText)  # our own text: no request data
        text.setWordWrap(True)
        text.setMinimumWidth(440)
        text.linkActivated.connect(self._on_link_activated)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(text)
        layout.addWidget(buttons)
        return dialog

    @Slot(str)
    def _on_link_activated(self, link: str) -> None:
        if link.startswith(_SECTION_LINK):
            self.open_section(link.removeprefix(_SECTION_LINK))

    @Slot()
    def _on_section_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.open_section(str(action.data()))

    @Slot()
    def _on_shortcuts_action_triggered(self) -> None:
        self.shortcuts_dialog().exec()

    @Slot()
    def _on_about_action_triggered(self) -> None:
        self.about_dialog().exec()
