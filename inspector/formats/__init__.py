"""Capture records in and out of files: HAR 1.2, JSON Lines and cURL. Qt-free.

One home for each format, used by the window, headless mode and the command
line alike (docs/ARCHITECTURE.md, "One home for each fact"). Imports only the
standard library, orjson and :mod:`inspector.http`.
"""

from inspector.formats.curl import to_curl
from inspector.formats.files import EXPORT_SUFFIXES, export_file
from inspector.formats.har import har_entry, to_har
from inspector.formats.har_import import HarImportCancelled, HarImportError, import_har
from inspector.formats.jsonl import jsonl_line, jsonl_lines, last_id

__all__ = [
    "EXPORT_SUFFIXES",
    "HarImportCancelled",
    "HarImportError",
    "export_file",
    "har_entry",
    "import_har",
    "jsonl_line",
    "jsonl_lines",
    "last_id",
    "to_curl",
    "to_har",
]
