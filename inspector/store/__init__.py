"""Capture history in SQLite. Qt-free.

Imports only the standard library, orjson, :mod:`inspector.http` and
:mod:`inspector.formats` (docs/ARCHITECTURE.md, "Layers").
"""

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
    "StoreDamaged",
    "StoreError",
    "StoreObserver",
    "Summary",
    "default_path",
]
