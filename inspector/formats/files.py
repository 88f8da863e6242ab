"""Writing records to an export file: HAR (``.har``) or JSONL (``.jsonl``)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from inspector.formats.har import to_har
from inspector.formats.jsonl import jsonl_line
from inspector.http.record import CaptureRecord

#: the file name suffixes export_file knows
EXPORT_SUFFIXES: Final = (".har", ".jsonl")


def export_file(path: str | os.PathLike[str], records: Iterable[CaptureRecord]) -> int:
    """Write ``records`` to ``path`` as HAR (``.har``) or JSONL (``.jsonl``).

    JSONL is streamed, each line exactly what ``--jsonl`` writes for the same
    record (:func:`inspector.formats.jsonl.jsonl_line`); HAR is built in memory
    (one JSON document). The file is written next to its final name and
    renamed into place, so a failed export never leaves half a file.

    Returns:
        The number of records written.

    Raises:
        ValueError: the suffix is neither ``.har`` nor ``.jsonl``.
        OSError: the file cannot be written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise ValueError(f"cannot export to {target.name}: use a .har or .jsonl file name")
    tmp = target.with_name(f".{target.name}.tmp")
    count = 0
    try:
        with open(tmp, "wb") as out:
            if suffix == ".jsonl":
                for record in records:
                    out.write(jsonl_line(record) + b"\n")
                    count += 1
            else:
                har = to_har(records)
                count = len(har["log"]["entries"])
                out.write(json.dumps(har, indent=1).encode("utf-8") + b"\n")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count
