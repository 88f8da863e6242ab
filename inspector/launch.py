"""Opening the window from the command line, with Qt's own options and no Qt abort.

Qt's standard options (``-style fusion``, ``-platform offscreen``,
``-stylesheet FILE`` ...) pass through to the QApplication. Without a display
the command prints one line and exits 2 instead of letting Qt abort: checked
before Qt is loaded where the environment tells (no ``DISPLAY`` or
``WAYLAND_DISPLAY`` on Linux and the BSDs), and caught as Qt's fatal
"no platform plugin" message otherwise (a display that does not answer, the
xcb libraries missing). PySide6 is imported only here, only for a window, so
headless use needs no GUI libraries.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from inspector.assets import APP_ID

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

#: exit status when the window cannot open (the same as for unusable arguments)
EXIT_NO_WINDOW = 2
#: Qt options that take a value (``-style fusion`` or ``-style=fusion``); QGuiApplication's list
QT_VALUE_OPTIONS = frozenset(
    {
        "-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-qmljsdebugger",
        "-qwindowgeometry", "-qwindowicon", "-qwindowtitle", "-session", "-style", "-stylesheet",
        "-display", "-geometry", "-name", "-title", "-visual", "-ncols", "-cmap", "-im", "-dialogs",
    }
)  # fmt: skip
#: Qt options without a value
QT_FLAG_OPTIONS = frozenset({"-reverse", "-widgetcount", "-nograb", "-dograb", "-sync", "-testability"})
HINT = "use --headless to run without a window"


def split_qt_options(extras: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split what argparse did not know into Qt's standard options and the rest.

    Qt accepts ``--style`` for ``-style`` too, so both spellings count.

    Returns:
        (Qt's options with their values, in order; everything else).
    """
    qt: list[str] = []
    unknown: list[str] = []
    index = 0
    while index < len(extras):
        token = extras[index]
        name, has_value, _ = token.partition("=")
        option = name[1:] if name.startswith("--") else name
        if option in QT_VALUE_OPTIONS and (has_value or index + 1 < len(extras)):
            taken = 1 if has_value else 2
            qt.extend(extras[index : index + taken])
            index += taken
        elif option in QT_FLAG_OPTIONS and not has_value:
            qt.append(token)
            index += 1
        else:
            unknown.append(token)
            index += 1
    return qt, unknown


def display_problem(
    qt_args: Sequence[str], environ: Mapping[str, str] = os.environ, platform: str = sys.platform
) -> str | None:
    """Why no window can open here, known before loading Qt; None when it may.

    Only where a display is announced by the environment (X11, Wayland): not on
    macOS or Windows, and not when a Qt platform is chosen (``-platform``,
    ``QT_QPA_PLATFORM``), which Qt then reports itself.
    """
    if platform in {"darwin", "win32", "cygwin"}:
        return None
    if environ.get("QT_QPA_PLATFORM") or any(
        arg.lstrip("-").partition("=")[0] == "platform" for arg in qt_args
    ):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return f"no display found (DISPLAY and WAYLAND_DISPLAY are not set); {HINT}"


def run_window(args: Any, qt_args: Sequence[str], err: TextIO = sys.stderr) -> int:
    """Open the window and run its event loop, or say in one line why it cannot open.

    Args:
        args: the parsed command line, handed to the window.
        qt_args: Qt's standard options, given to the QApplication.

    Returns:
        The event loop's exit status, or :data:`EXIT_NO_WINDOW`.
    """
    problem = display_problem(qt_args)
    if problem:
        print(f"error: {problem}", file=err, flush=True)
        return EXIT_NO_WINDOW
    try:
        from PySide6.QtWidgets import QApplication
    except ImportError as exc:  # e.g. libEGL.so.1 missing on a server
        print(f"error: Qt cannot load ({exc}); install its libraries or {HINT}", file=err, flush=True)
        return EXIT_NO_WINDOW
    # held here while the window runs (a QApplication no one references is deleted)
    _app = QApplication.instance() or _create_application([APP_ID, *qt_args], err)
    from inspector.ui.main_window import run_gui

    return run_gui(args)


def _create_application(argv: list[str], err: TextIO) -> QCoreApplication:
    """Create the QApplication; Qt's fatal platform error becomes one line and exit 2.

    ``argv[0]`` is the app's id, not the script's path: X11 takes the window's
    WM_CLASS instance name from it, which the desktop entry's StartupWMClass names.
    """
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qFormatLogMessage, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def on_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind == QtMsgType.QtFatalMsg:
            # Qt aborts once this returns; its lines above say which plugin failed and why
            print(f"error: the window cannot open (Qt's lines above say why); {HINT}", file=err, flush=True)
            os._exit(EXIT_NO_WINDOW)
        print(qFormatLogMessage(kind, context, message), file=err, flush=True)

    previous = qInstallMessageHandler(on_message)
    try:
        return QApplication(argv)
    finally:
        qInstallMessageHandler(previous)
