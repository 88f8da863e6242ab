"""Where the app keeps its files, without Qt (the headless mode must not load it).

Follows the platform conventions QStandardPaths uses for AppDataLocation, so
the window and headless mode agree on one folder:
Linux ``$XDG_DATA_HOME/request-inspector`` (default ``~/.local/share``),
macOS ``~/Library/Application Support/request-inspector``,
Windows ``%APPDATA%\\request-inspector``.
``REQUEST_INSPECTOR_HOME`` overrides all of them (tests use it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "request-inspector"


def app_data_dir(create: bool = True) -> Path:
    """The app-data folder (created with mode 0700 when missing and ``create``)."""
    override = os.environ.get("REQUEST_INSPECTOR_HOME")
    if override:
        path = Path(override)
    elif sys.platform == "darwin":
        path = Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    elif sys.platform == "win32":
        path = Path(os.environ.get("APPDATA") or Path.home()) / APP_DIR_NAME
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / APP_DIR_NAME
    if create:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
