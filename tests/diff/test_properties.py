"""Properties of the comparison that hold for any two requests."""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.diff import Change, Comparison, compare
from inspector.diff.model import PairRow
from inspector.diff.pairs import kept_in_order
from inspector.http.record import CaptureRecord
from tests.diff.strategies import JSON_VALUES, PAIRS, records

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _row_key(row: PairRow) -> tuple[Any, ...]:
    return (
        row.left_index is None,
        row.left_index,
        row.right_index,
        row.change.value,
        row.moved,
        row.case_only,
    )


def _mirror_view(comparison: Comparison) -> dict[str, Any]:
    """What must be the same, up to sides, in a comparison and its mirror."""
    view: dict[str, Any] = {}
    for section in comparison.sections:
        entry: dict[str, Any] = {
            "identical": section.identical,
            "fields": sorted((f.name, f.left, f.right) for f in section.fields),
            "pairs": sorted(
                (_row_key(r), r.left_name, r.left_value, r.right_name, r.right_value) for r in section.pairs
            ),
        }
        body = section.body
        if body is not None:
            entry["kinds"] = (body.kind, body.left_kind, body.right_kind)
            entry["json"] = sorted((c.path, c.change.value, repr(c.left), repr(c.right)) for c in body.json)
            entry["form"] = sorted((_row_key(r), r.left_value, r.right_value) for r in body.pairs)
            if body.hex is not None:
                entry["hex"] = (
                    body.hex.first_offset,
                    body.hex.differing_rows,
                    [(r.offset, r.left, r.right) for r in body.hex.rows],
                )
            if body.text is not None:
                entry["text lines"] = body.text.removed - body.text.added
        view[section.key] = entry
    return view


def _mirrored(comparison: Comparison) -> Comparison:
    sections = []
    for section in comparison.sections:
        body = section.body
        if body is not None:
            hexdiff = body.hex
            if hexdiff is not None:
                hexdiff = dataclasses.replace(
                    hexdiff,
                    rows=tuple(dataclasses.replace(r, left=r.right, right=r.left) for r in hexdiff.rows),
                    left_size=hexdiff.right_size,
                    right_size=hexdiff.left_size,
                )
            text = body.text
            if text is not None:
                text = dataclasses.replace(text, removed=text.added, added=text.removed)
            body = dataclasses.replace(
                body,
                left_kind=body.right_kind,
                right_kind=body.left_kind,
                json=tuple(c.mirrored() for c in body.json),
                pairs=tuple(r.mirrored() for r in body.pairs),
                hex=hexdiff,
                text=text,
            )
        sections.append(
            dataclasses.replace(
                section,
                fields=tuple(f.mirrored() for f in section.fields),
                pairs=tuple(r.mirrored() for r in section.pairs),
                body=body,
            )
        )
    return dataclasses.replace(comparison, sections=tuple(sections))


@SETTINGS
@given(records())
def test_a_record_compared_with_itself_has_no_differences(record: CaptureRecord) -> None:
    comparison = compare(record, record)
    assert comparison.identical
    assert comparison.summary == "no differences"
    for section in comparison.sections:
        assert section.summary == ""
        assert not any(row.differs for row in section.pairs)
        assert not any(field.differs for field in section.fields)
        if section.body is not None:
            assert section.body.json == ()


@SETTINGS
@given(records(record_id=1), records(record_id=2))
def test_swapping_sides_mirrors_the_result(left: CaptureRecord, right: CaptureRecord) -> None:
    forward, backward = compare(left, right), compare(right, left)
    assert _mirror_view(backward) == _mirror_view(_mirrored(forward))
    assert forward.identical == backward.identical
    assert (forward.summary == "no differences") == (backward.summary == "no differences")


@SETTINGS
@given(records(), st.randoms(use_true_random=False), st.booleans(), st.booleans())
def test_header_order_and_case_changes_are_reported_as_such_and_nothing_else(
    record: CaptureRecord, rng: random.Random, shuffle: bool, recase: bool
) -> None:
    headers = list(record.headers)
    if shuffle:
        rng.shuffle(headers)
    if recase:
        headers = [
            (rng.choice([name.lower(), name.upper(), name.swapcase()]), value) for name, value in headers
        ]
    other = dataclasses.replace(record, id=2, headers=tuple(headers))
    comparison = compare(record, other)
    for section in comparison.sections:
        if section.key not in ("headers", "raw"):
            assert section.identical, section
    rows = comparison.section("headers").pairs
    assert all(row.change is Change.SAME for row in rows)
    for row in rows:
        assert row.case_only == (row.left_name != row.right_name)
    # Exactly the pairs outside every longest kept order are marked moved.
    by_left = sorted(rows, key=lambda r: r.left_index or 0)
    kept = kept_in_order([r.right_index or 0 for r in by_left])
    assert [r.moved for r in by_left] == [not k for k in kept]
    if not shuffle:
        assert not any(row.moved for row in rows)
    differing = sum(1 for row in rows if row.differs)
    if not differing:
        assert comparison.summary == "no differences"
    elif differing == 1:
        assert comparison.summary == "1 header differs in order or case only"
    else:
        assert comparison.summary == f"{differing} headers differ in order or case only"


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = [(k, _shuffled(v, rng)) for k, v in value.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]
    return value


@SETTINGS
@given(records(), JSON_VALUES, st.randoms(use_true_random=False), st.booleans())
def test_json_key_order_alone_is_no_difference(
    record: CaptureRecord, document: Any, rng: random.Random, indent: bool
) -> None:
    headers = (("Content-Type", "application/json"),)
    left = dataclasses.replace(record, headers=headers, body=json.dumps(document).encode())
    right = dataclasses.replace(
        record,
        id=2,
        headers=headers,
        body=json.dumps(_shuffled(document, rng), indent=2 if indent else None).encode(),
    )
    body = compare(left, right).section("body")
    assert body.identical
    assert body.summary == ""
    assert body.body is not None
    assert body.body.json == ()


@SETTINGS
@given(PAIRS, PAIRS)
def test_every_pair_appears_once_on_its_side(
    left: list[tuple[str, str]], right: list[tuple[str, str]]
) -> None:
    from inspector.diff.pairs import diff_pairs

    rows, _ = diff_pairs(left, right, fold_case=True)
    assert sorted(r.left_index for r in rows if r.left_index is not None) == list(range(len(left)))
    assert sorted(r.right_index for r in rows if r.right_index is not None) == list(range(len(right)))
    for row in rows:
        if row.left_index is not None:
            assert (row.left_name, row.left_value) == left[row.left_index]
        if row.right_index is not None:
            assert (row.right_name, row.right_value) == right[row.right_index]
        if row.left_name is not None and row.right_name is not None:
            assert row.left_name.lower() == row.right_name.lower()
            assert (row.change is Change.SAME) == (row.left_value == row.right_value)
