"""Qt-free comparison of two captured requests (docs/ARCHITECTURE.md, "Layers").

    comparison = compare(left, right)
    comparison.summary            # "3 headers differ, body: 1 JSON value differs at $.items[0].qty"
    comparison.section("headers")  # rows in received order: added, removed, changed, moved, case
    pair_condition(row, "header", left, right)   # a rule condition that tells them apart
    json_condition(change, left, right)

Plain frozen data out; a view escapes it through :mod:`inspector.text`.
"""

from inspector.diff.engine import ANSWERS, Answer, compare, response_answer, upstream_answer
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
from inspector.diff.to_rule import Separation, json_condition, pair_condition

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
    "Separation",
    "TextDiff",
    "compare",
    "json_condition",
    "pair_condition",
    "response_answer",
    "upstream_answer",
]
