"""Save as rule, on records built in the test: which rule a forwarded request's upstream
answer becomes, which answers cannot be saved (and the one line saying why), and the body
file a binary answer goes into. (tests/upstream records the answers over real sockets.)"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from inspector.http.record import CaptureRecord, UpstreamExchange
from inspector.responses.model import Condition
from inspector.responses.recorded import NAME_LIMIT, NotRecordable, is_text, recorded_rule, save_body
from tests.responses.conftest import make_record


def _forwarded(
    target: str = "/api/items?page=2&tag=a", method: str = "GET", **upstream: Any
) -> CaptureRecord:
    return dataclasses.replace(
        make_record(target=target, method=method), upstream=UpstreamExchange(url="http://u/", **upstream)
    )


def test_the_rule_answers_the_same_request_as_the_upstream_did() -> None:
    record = _forwarded(
        status=203,
        body='{"ok": "é"}'.encode(),
        headers=(
            ("Content-Type", "application/json"),
            ("Content-Length", "14"),
            ("transfer-encoding", "chunked"),
            ("Connection", "close, X-Hop"),
            ("X-Hop", "dropped"),
            ("Keep-Alive", "timeout=5"),
            ("x-up", "v1"),
            ("X-Up", "v2"),
        ),
    )
    rule = recorded_rule(record, "/api/items")
    assert rule.name == "GET /api/items?page=2&tag=a (recorded)"
    assert rule.methods == ("GET",)
    assert rule.path == "/api/items"
    assert rule.conditions == (
        Condition(source="query", name="page", op="equals", value="2"),
        Condition(source="query", name="tag", op="equals", value="a"),
    )
    answer = rule.answers[0]
    assert answer.status == 203
    assert answer.body == '{"ok": "é"}'
    assert answer.body_file == ""
    # end-to-end fields only, framing left to the listener; order, case and duplicates kept
    assert answer.headers == (("Content-Type", "application/json"), ("x-up", "v1"), ("X-Up", "v2"))


def test_a_request_without_a_query_gets_no_conditions_and_its_method_upper_case() -> None:
    rule = recorded_rule(_forwarded("/plain", method="post", status=200, body=b""), "/plain")
    assert rule.conditions == ()
    assert rule.methods == ("POST",)
    assert rule.name == "post /plain (recorded)"
    assert rule.answers[0].body == "" and rule.answers[0].headers == ()


def test_a_method_that_is_no_token_matches_any_method() -> None:
    rule = recorded_rule(_forwarded("/x", method="GE T", status=200), "/x")
    assert rule.methods == ()


def test_a_long_target_gives_a_name_cut_to_the_limit() -> None:
    rule = recorded_rule(_forwarded("/" + "a" * 200, status=200), "/a")
    assert rule.name == ("GET /" + "a" * 200)[:NAME_LIMIT] + "\u2026"


def test_the_name_shows_control_characters_visibly() -> None:
    rule = recorded_rule(_forwarded("/a\tb", status=200), "/a")
    assert "\t" not in rule.name and rule.name.startswith("GET /a")


@pytest.mark.parametrize("status", [200, 201, 998, 999])
def test_statuses_a_rule_can_answer_with_are_kept(status: int) -> None:
    assert recorded_rule(_forwarded(status=status), "/p").answers[0].status == status


@pytest.mark.parametrize("status", [100, 199, 1000])
def test_statuses_a_rule_cannot_answer_with_are_refused(status: int) -> None:
    with pytest.raises(NotRecordable) as caught:
        recorded_rule(_forwarded(status=status), "/p")
    assert str(caught.value) == f"status {status} cannot be a rule's answer"


@pytest.mark.parametrize(
    ("record", "says"),
    [
        (make_record(target="/p"), "this request was not forwarded to an upstream"),
        (
            _forwarded(error="upstream http://u/: timed out"),
            "the upstream gave no answer to save: upstream http://u/: timed out",
        ),
        (_forwarded(), "the upstream gave no answer to save: none"),
        (
            _forwarded(status=200, body=b"\xff\xfe\x00ab"),
            "the upstream's body (5 bytes) is not UTF-8 text; it needs a body file",
        ),
        (
            _forwarded(status=200, headers=(("X-Bad", "a\x01b"),)),
            "the upstream's X-Bad header holds a control character",
        ),
        (
            _forwarded(status=200, body=b"{{ a }}{% endraw %}"),
            "the upstream's body holds template syntax that cannot be kept literally",
        ),
        (
            _forwarded(status=200, headers=(("X-T", "{{ a }} endraw"),)),
            "the upstream's X-T header holds template syntax that cannot be kept literally",
        ),
    ],
)
def test_what_cannot_be_saved_says_exactly_why(record: CaptureRecord, says: str) -> None:
    with pytest.raises(NotRecordable) as caught:
        recorded_rule(record, "/p")
    assert str(caught.value) == says


def test_a_header_name_that_is_no_token_is_left_out() -> None:
    rule = recorded_rule(_forwarded(status=200, headers=(("Bad Name", "v"), ("X-Ok", "w"))), "/p")
    assert rule.answers[0].headers == (("X-Ok", "w"),)


@pytest.mark.parametrize("mark", ["{{", "{%", "{#"])
def test_template_syntax_in_the_answer_is_kept_as_it_came(mark: str) -> None:
    text = f"a {mark} b"
    rule = recorded_rule(_forwarded(status=200, body=text.encode(), headers=(("X-T", text),)), "/p")
    answer = rule.answers[0]
    assert answer.body == "{% raw %}" + text + "{% endraw %}"
    assert answer.headers == (("X-T", "{% raw %}" + text + "{% endraw %}"),)


def test_text_without_template_marks_is_kept_bare() -> None:
    rule = recorded_rule(
        _forwarded(status=200, body=b"a { b } % # endraw", headers=(("X-T", "{ endraw"),)), "/p"
    )
    assert rule.answers[0].body == "a { b } % # endraw"
    assert rule.answers[0].headers == (("X-T", "{ endraw"),)


def test_with_a_body_file_the_rule_sends_the_file_whatever_the_body() -> None:
    rule = recorded_rule(_forwarded(status=200, body=b"\xff\x00"), "/p", body_file="recorded/p-1.bin")
    assert (rule.answers[0].body, rule.answers[0].body_file) == ("", "recorded/p-1.bin")
    text = recorded_rule(_forwarded(status=200, body=b"text"), "/p", body_file="recorded/p-2.txt")
    assert (text.answers[0].body, text.answers[0].body_file) == ("", "recorded/p-2.txt")


def test_is_text_is_true_for_utf8_only() -> None:
    assert is_text(b"") and is_text("é".encode())
    assert not is_text(b"\xff") and not is_text("é".encode("latin-1"))


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:12]


@pytest.mark.parametrize(
    ("path", "content_type", "name"),
    [
        ("/img/logo.png", "image/png", "img_logo.png-{}.png"),
        ("/data", "Application/JSON; charset=utf-8", "data-{}.json"),
        ("/data", " text/plain ;x=1", "data-{}.txt"),
        ("/data", "text/plain; a=1; b=2", "data-{}.txt"),
        ("/blob", None, "blob-{}.bin"),
        ("/blob", "application/x-no-such-type", "blob-{}.bin"),
        ("/", "image/png", "root-{}.png"),
        ("/...", "image/png", "root-{}.png"),
        ("/a b/ü/c", "image/png", "a_b_c-{}.png"),
        ("/X-ray.", "image/png", "X-ray-{}.png"),
        ("/" + "x" * 60, "image/png", "x" * 40 + "-{}.png"),
    ],
)
def test_the_body_file_is_named_by_path_content_and_type(
    tmp_path: Path, path: str, content_type: str | None, name: str
) -> None:
    headers = (("content-type", content_type),) if content_type is not None else ()
    record = _forwarded(path, status=200, body=PNG, headers=(("X-Other", "image/gif"), *headers))
    saved = save_body(record, tmp_path)
    assert saved == "recorded/" + name.format(_digest(PNG))
    assert (tmp_path / saved).read_bytes() == PNG
    assert [p.name for p in (tmp_path / "recorded").iterdir()] == [Path(saved).name]  # no temp file left


def test_an_empty_body_is_saved_too(tmp_path: Path) -> None:
    saved = save_body(_forwarded("/e", status=204), tmp_path)
    assert saved == f"recorded/e-{_digest(b'')}.bin"
    assert (tmp_path / saved).read_bytes() == b""


def test_the_same_body_is_the_same_file_and_a_damaged_one_is_written_again(tmp_path: Path) -> None:
    record = _forwarded("/img", status=200, body=PNG, headers=(("Content-Type", "image/png"),))
    saved = save_body(record, tmp_path)
    file = tmp_path / saved
    file.write_bytes(PNG[:10])  # a cut copy: written again
    assert save_body(record, tmp_path) == saved
    assert file.read_bytes() == PNG
    before = file.stat()
    os.utime(file, ns=(before.st_atime_ns, 1_000_000_000))
    assert save_body(record, tmp_path) == saved  # whole already: left as it is
    assert file.stat().st_mtime_ns == 1_000_000_000
    assert sorted(p.name for p in file.parent.iterdir()) == [file.name]


def test_different_bodies_of_one_path_are_different_files(tmp_path: Path) -> None:
    one = save_body(_forwarded("/p", status=200, body=b"one"), tmp_path)
    two = save_body(_forwarded("/p", status=200, body=b"two"), tmp_path)
    assert one != two
    assert (tmp_path / one).read_bytes() == b"one" and (tmp_path / two).read_bytes() == b"two"


@pytest.mark.parametrize("record", [make_record(target="/p"), _forwarded(error="refused")])
def test_no_body_file_without_an_upstream_answer(tmp_path: Path, record: CaptureRecord) -> None:
    with pytest.raises(NotRecordable) as caught:
        save_body(record, tmp_path)
    assert str(caught.value) == "this request has no upstream answer to save"
    assert list(tmp_path.iterdir()) == []


def test_a_body_file_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    record = _forwarded("/p", status=200, body=b"x", headers=(("Content-Type", "text/plain"),))
    name = f"recorded/p-{_digest(b'x')}.txt"
    (tmp_path / name).mkdir(parents=True)  # a folder where the file should go: replace fails
    with pytest.raises(NotRecordable) as caught:
        save_body(record, tmp_path)
    assert str(caught.value) == f"could not write the body file {name}: Is a directory"
    assert [p.name for p in (tmp_path / "recorded").iterdir()] == [Path(name).name]  # the temp file is gone


def test_the_body_file_folder_is_made_with_its_parents(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "rules"
    saved = save_body(_forwarded("/p", status=200, body=b"x"), folder)
    assert (folder / saved).read_bytes() == b"x"


def test_the_body_is_written_beside_its_file_not_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    saved = save_body(_forwarded("/p", status=200, body=b"x"), tmp_path / "rules")
    assert (tmp_path / "rules" / saved).read_bytes() == b"x"
