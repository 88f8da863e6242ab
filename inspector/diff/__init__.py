"""Qt-free comparison of two captured requests (docs/ARCHITECTURE.md, "Layers").

    comparison = compare(left, right)
    comparison.summary            # "3 headers differ, body: 1 JSON value differs at $.items[0].qty"
    comparison.section("headers")  # rows in received order: added, removed, changed, moved, case

Plain frozen data out; a view escapes it through :mod:`inspector.text`.
"""

from inspector.diff.engine import ANSWERS, Answer, compare, response_answer
from inspector.diff.model import (
    BodyDiff,
    Change,
    Comparison,
    DiffLine,
    FieldDiff,
    HexDiff,
    HexRow,
    Hunk,
    JsonChange,
    PairRow,
    Section,
    TextDiff,
)

__all__ = [
    "ANSWERS",
    "Answer",
    "BodyDiff",
    "Change",
    "Comparison",
    "DiffLine",
    "FieldDiff",
    "HexDiff",
    "HexRow",
    "Hunk",
    "JsonChange",
    "PairRow",
    "Section",
    "TextDiff",
    "compare",
    "response_answer",
]
