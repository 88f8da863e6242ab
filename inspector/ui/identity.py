"""Who the application is to the desktop: its name, its icon, its desktop entry.

The icon is the shipped one (:mod:`inspector.assets`): the SVG where Qt can
draw it, and the rendered PNGs at every size, so a Qt without the SVG plugin
still has one. ``setDesktopFileName`` names the freedesktop entry
(``request-inspector.desktop``) so that Wayland compositors and docks match the
window to it; X11 matches WM_CLASS, which :mod:`inspector.launch` sets from
``argv[0]``.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QIcon

from inspector.assets import APP_ID, icon_path, icon_png_paths

APP_NAME = "Request Inspector"
ORG_NAME = "request-inspector"


def app_icon() -> QIcon:
    """The application icon (empty when this copy ships none)."""
    icon = QIcon()
    svg = icon_path()
    if svg is not None:
        icon.addFile(str(svg))
    for size, path in sorted(icon_png_paths().items()):
        icon.addFile(str(path), QSize(size, size))
    return icon


def set_identity() -> None:
    """Name the application, give it its icon and its desktop entry (before any window)."""
    QGuiApplication.setApplicationName(APP_NAME)
    QGuiApplication.setOrganizationName(ORG_NAME)
    QGuiApplication.setDesktopFileName(APP_ID)
    QGuiApplication.setWindowIcon(app_icon())
