"""Capture history (SQLite) and export/import: HAR 1.2, JSONL, cURL. Qt-free.

Imports only the standard library and :mod:`inspector.http` (DESIGN.md, "Layers").
"""

from inspector.store.db import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_RECORDS,
    CaptureStore,
    StoreError,
    Summary,
    default_path,
)
from inspector.store.export import export_file, har_entry, to_curl, to_har, to_jsonl_lines
from inspector.store.har_import import HarImportError, import_har

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_RECORDS",
    "CaptureStore",
    "HarImportError",
    "StoreError",
    "Summary",
    "default_path",
    "export_file",
    "har_entry",
    "import_har",
    "to_curl",
    "to_har",
    "to_jsonl_lines",
]
