"""Capture history in SQLite. Qt-free.

Imports only the standard library, orjson, :mod:`inspector.http` and
:mod:`inspector.formats` (docs/ARCHITECTURE.md, "Layers").
"""

# The formats moved to inspector.formats; the window still imports these four
# from here until it is wired to inspector.formats (then this import goes).
from inspector.formats import HarImportError, export_file, import_har, to_curl
from inspector.store.codec import Summary
from inspector.store.db import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_RECORDS,
    CaptureStore,
    StoreDamaged,
    StoreError,
    default_path,
)
from inspector.store.writer import BatchPolicy, StoreObserver

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_RECORDS",
    "BatchPolicy",
    "CaptureStore",
    "HarImportError",
    "StoreDamaged",
    "StoreError",
    "StoreObserver",
    "Summary",
    "default_path",
    "export_file",
    "import_har",
    "to_curl",
]
