"""Bodies (issue 12, item 9): JSON of any size shown as JSON, word wrap, one part
of a multipart upload saved, against the real listener."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QPlainTextEdit

from inspector.ui.body_render import (
    DISPLAY_LIMIT,
    JSON_PARSE_LIMIT,
    BodyPart,
    multipart_parts,
    part_file_name,
    reindent_json,
    render_body,
)
from inspector.ui.bytes_view import BytesView
from inspector.ui.main_window import MainWindow

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_reindent_is_what_json_dumps_writes(value: object) -> None:
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert reindent_json(compact) == json.dumps(value, indent=2, ensure_ascii=False)


@given(st.text(max_size=200))
def test_reindent_takes_any_text(text: str) -> None:
    reindent_json(text)  # never raises; what is not JSON is kept


def test_reindent_a_prefix_and_hostile_strings() -> None:
    assert reindent_json('{"a": [1, {"b": "c,d') == '{\n  "a": [\n    1,\n    {\n      "b": "c,d'
    assert reindent_json('["\\\\", "\\"]", "x\\') == '[\n  "\\\\",\n  "\\"]",\n  "x\\'
    assert reindent_json("]]]}}}") == "\n]\n]\n]\n}\n}\n}"  # never below depth 0
    assert len(reindent_json('"' + "\\" * 200_001)) == 200_002  # one cut-off string, read once


def big_json(size: int) -> bytes:
    items = []
    total = 0
    i = 0
    while total < size:
        item = json.dumps({"id": i, "name": f"item {i}", "tags": ["a", "b"]}, separators=(",", ":"))
        items.append(item)
        total += len(item) + 1
        i += 1
    return ("[" + ",".join(items) + "]").encode()


def test_json_beyond_the_parse_limit_is_still_json() -> None:
    body = big_json(JSON_PARSE_LIMIT + 1000)
    out = render_body(body, "application/json")
    assert out.kind == "json" and out.truncated and out.shown == DISPLAY_LIMIT
    assert out.note.startswith("showing the first 256.0 KiB of 4.0 MiB")
    assert out.text.startswith('[\n  {\n    "id": 0,\n    "name": "item 0",\n')
    more = render_body(body, "application/json", DISPLAY_LIMIT * 4)
    assert more.shown == DISPLAY_LIMIT * 4 and more.text.startswith(out.text[:-100])


def test_multipart_parts_and_their_file_names() -> None:
    body = (
        b'--B\r\nContent-Disposition: form-data; name="title"\r\n\r\nhi\r\n'
        b'--B\r\nContent-Disposition: form-data; name="f"; filename="../../etc/pass wd"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n\r\n"
        b"--B--\r\n"
    )
    parts = multipart_parts(body, "multipart/form-data; boundary=B")
    assert [(p.number, p.param("name"), p.content) for p in parts] == [
        (1, "title", b"hi"),
        (2, "f", b"\x00\x01\r\n"),
    ]
    assert part_file_name(parts[1], "x.bin") == "pass wd"
    assert multipart_parts(body, "text/plain") == []


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("photo.png", "photo.png"),
        ("C:\\Users\\me\\photo.png", "photo.png"),
        ("..", "fallback.bin"),
        (".bashrc", "bashrc"),
        ("a\x1b[2Jb\u202e.txt", "a__2Jb_.txt"),
        ("", "fallback.bin"),
        ("x" * 300, "x" * 100),
    ],
)
def test_a_part_file_name_is_only_a_plain_suggestion(filename: str, expected: str) -> None:
    part = BodyPart(1, (("Content-Disposition", f'form-data; name="f"; filename="{filename}"'),), b"")
    assert part_file_name(part, "fallback.bin") == expected


def post_and_show(qtbot: Any, window: MainWindow, body: bytes, content_type: str) -> BytesView:
    """POST ``body`` to the window's listener; its row selected, the Body tab in front."""
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 0, timeout=10)
    try:
        conn.request("POST", "/upload", body=body, headers={"Content-Type": content_type})
        assert conn.getresponse().read() == b"hello world"
    finally:
        conn.close()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10000)
    window.detail.setCurrentWidget(window.detail.body_view)
    window.table.selectRow(0)
    return window.detail.body_view


def test_a_large_json_upload_wraps_and_shows_more(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    view = post_and_show(qtbot, window, big_json(JSON_PARSE_LIMIT + 300_000), "application/json")
    detail = window.detail
    assert view.rendered().kind == "json"
    assert (
        "showing the first 256.0 KiB of 4.3 MiB" in view.note.text()
        and "pretty-printed JSON" in view.note.text()
    )
    assert view.text.toPlainText().startswith('[\n  {\n    "id": 0,')
    assert view.show_more.isVisible()
    view.show_more.click()
    assert "showing the first 1.0 MiB of 4.3 MiB" in view.note.text()
    assert view.text.lineWrapMode() == QPlainTextEdit.LineWrapMode.NoWrap
    view.wrap.click()
    assert view.text.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
    detail.setCurrentWidget(detail.raw_view)
    assert not detail.raw_view.wrap.isChecked()  # each view has its own
    detail.raw_view.wrap.click()
    assert detail.raw_view.text.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth


def test_one_part_of_an_upload_is_saved(qtbot: Any, listening: MainWindow, tmp_path: Path) -> None:
    window = listening
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nHoliday\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="photo"; filename="beach.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png + b"\r\n--XyZ--\r\n"
    )
    view = post_and_show(qtbot, window, body, "multipart/form-data; boundary=XyZ")
    assert view.rendered().kind == "multipart" and view.save_part.isVisible()
    view.parts_menu.aboutToShow.emit()
    labels = [action.text() for action in view.parts_menu.actions()]
    assert labels == ["Part 1: title, 7 B…", "Part 2: photo (beach.png), 10.0 KiB…"]
    target = tmp_path / "beach.png"
    assert view.save_part_to(2, str(target))
    assert target.read_bytes() == png  # exactly the part's bytes
    assert f"saved 10.0 KiB to {target}" in view.note.text()
    window.table.clearSelection()
    assert not view.save_part.isVisible() or view.parts() == []
