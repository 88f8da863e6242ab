"""The colour theme: as the system, light or dark.

Qt 6.8 lets an application ask for a colour scheme
(``QStyleHints.setColorScheme``); platform themes that honour it repaint with
their own light or dark palette. Where the request is not honoured (a platform
theme that keeps its palette, as the offscreen and plain X11 ones do) a light
or dark palette is set instead, light or dark, so the
choice always shows. "As the system" gives back the palette the application
started with.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from inspector.ui.preferences import Theme

_started_with: QPalette | None = None


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    """A dark palette in the manner of Fusion's (readable text, visible focus)."""
    palette = QPalette()
    window, base, text = QColor(45, 45, 48), QColor(30, 30, 32), QColor(225, 225, 225)
    disabled = QColor(130, 130, 130)
    for role, color in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, QColor(40, 40, 43)),
        (QPalette.ColorRole.ToolTipBase, QColor(60, 60, 64)),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, disabled),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor(255, 90, 90)),
        (QPalette.ColorRole.Link, QColor(110, 170, 255)),
        (QPalette.ColorRole.Highlight, QColor(42, 110, 200)),
        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
        (QPalette.ColorRole.Light, QColor(70, 70, 74)),
        (QPalette.ColorRole.Midlight, QColor(58, 58, 62)),
        (QPalette.ColorRole.Mid, QColor(40, 40, 43)),
        (QPalette.ColorRole.Dark, QColor(25, 25, 27)),
        (QPalette.ColorRole.Shadow, QColor(0, 0, 0)),
    ):
        palette.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_theme(theme: Theme) -> None:
    """Show the application in ``theme`` (the widgets repaint at once)."""
    global _started_with
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _started_with is None:
        _started_with = QPalette(QGuiApplication.palette())
    hints = QGuiApplication.styleHints()
    scheme = {
        Theme.SYSTEM: Qt.ColorScheme.Unknown,
        Theme.LIGHT: Qt.ColorScheme.Light,
        Theme.DARK: Qt.ColorScheme.Dark,
    }[theme]
    hints.setColorScheme(scheme)  # Qt 6.8 and newer (pyproject.toml asks for them)
    if theme is Theme.SYSTEM:
        app.setPalette(_started_with)
        return
    if is_dark(QGuiApplication.palette()) != (theme is Theme.DARK):  # the platform kept its palette
        app.setPalette(dark_palette() if theme is Theme.DARK else app.style().standardPalette())
