"""Body files: bytes exact, relative to the rules file, typed by extension, kept while unchanged."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from inspector.responses import Answer, Responder, Rule, RuleSet, load_rules, save_rules
from inspector.responses import files as body_files
from inspector.responses.document import RulesDocument
from inspector.responses.files import BodyFiles, content_type, describe, rebase
from tests.responses.served import WAIT

#: every byte value, then noise: no text codec survives it unchanged
BINARY = bytes(range(256)) + random.Random(5).randbytes(300_000)


def file_rule(body_file: str, **answer: Any) -> Rule:
    return Rule(name="file", path="/file/**").with_answers((Answer(body_file=body_file, **answer),))


def test_a_binary_file_is_sent_byte_exact_with_its_type(make_record: Any, tmp_path: Path) -> None:
    (tmp_path / "ok.png").write_bytes(BINARY)
    responder = Responder(RuleSet(rules=(file_rule("ok.png"),), folder=tmp_path))
    answer = responder(make_record(target="/file/x"))
    assert answer.body == BINARY
    assert (answer.status, answer.error) == (200, None)
    assert dict(answer.headers)["Content-Type"] == "image/png"


def test_a_content_type_the_answer_sets_wins(make_record: Any, tmp_path: Path) -> None:
    (tmp_path / "data.png").write_bytes(b"not really")
    rule = file_rule("data.png", headers=(("content-type", "text/plain"),))
    answer = Responder(RuleSet(rules=(rule,), folder=tmp_path))(make_record(target="/file/"))
    assert [v for n, v in answer.headers if n.lower() == "content-type"] == ["text/plain"]


def test_relative_paths_start_at_the_rules_files_folder(
    make_record: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "project"
    (folder / "payloads").mkdir(parents=True)
    (folder / "payloads" / "ok.json").write_bytes(b'{"ok": true}')
    save_rules(folder / "rules.json", RuleSet(rules=(file_rule("payloads/ok.json"),)))
    monkeypatch.chdir(tmp_path)  # not the rules file's folder
    answer = Responder(load_rules(Path("project") / "rules.json"))(make_record(target="/file/"))
    assert answer.body == b'{"ok": true}'
    assert dict(answer.headers)["Content-Type"] == "application/json"


def test_a_missing_file_answers_500_naming_it_until_it_appears(make_record: Any, tmp_path: Path) -> None:
    responder = Responder(RuleSet(rules=(file_rule("late.txt"),), folder=tmp_path))
    missing = responder(make_record(target="/file/"))
    assert missing.status == 500
    assert b"late.txt" in missing.body and str(tmp_path / "late.txt").encode() in missing.body
    assert missing.error is not None and "body_file 'late.txt'" in missing.error
    (tmp_path / "late.txt").write_bytes(b"here now")
    assert responder(make_record(target="/file/")).body == b"here now"


def test_an_unchanged_file_gives_the_same_answer_object_and_a_changed_one_new_bytes(
    make_record: Any, tmp_path: Path
) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"first")
    responder = Responder(RuleSet(rules=(file_rule("a.bin"),), folder=tmp_path))
    first = responder(make_record(target="/file/"))
    assert responder(make_record(target="/file/")) is first  # serialised once, reused
    path.write_bytes(b"second, longer")
    assert responder(make_record(target="/file/")).body == b"second, longer"


def test_a_template_answer_with_a_file_renders_its_headers(make_record: Any, tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"\x00\x01")
    rule = file_rule("a.bin", headers=(("X-Path", "{{ request.path }}"),))
    answer = Responder(RuleSet(rules=(rule,), folder=tmp_path))(make_record(target="/file/q"))
    assert answer.body == b"\x00\x01" and dict(answer.headers)["X-Path"] == "/file/q"


def test_files_over_the_limit_and_folders_are_refused(
    make_record: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(body_files, "MAX_BODY_FILE", 10)
    (tmp_path / "big.bin").write_bytes(b"x" * 11)
    (tmp_path / "folder").mkdir()
    rules = RuleSet(rules=(file_rule("big.bin"), Rule(name="dir", body_file="folder")), folder=tmp_path)
    responder = Responder(rules)
    big = responder(make_record(target="/file/"))
    assert big.status == 500 and b"larger than the 10 B" in big.body
    folder = responder(make_record(target="/"))
    assert folder.status == 500 and b"is not a file" in folder.body


def test_kept_bytes_are_capped(tmp_path: Path) -> None:
    files = BodyFiles(max_kept=25)
    paths = []
    for n in range(4):
        path = tmp_path / f"{n}.bin"
        path.write_bytes(bytes([n]) * 10)
        paths.append(path)
    for path in paths:
        assert files.read(path) == path.read_bytes()
    assert files.kept_bytes == 20  # the two most recent
    again = files.read(paths[3])
    assert again is files.read(paths[3])


def test_malformed_sends_the_files_bytes(make_record: Any, tmp_path: Path) -> None:
    (tmp_path / "junk.bin").write_bytes(b"\x16\x03\x01garbage")
    rule = file_rule("junk.bin", fault="malformed")
    answer = Responder(RuleSet(rules=(rule,), folder=tmp_path))(make_record(target="/file/"))
    assert (answer.fault, answer.body) == ("malformed", b"\x16\x03\x01garbage")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.png", "image/png"),
        ("a.JSON", "application/json"),
        ("page.html", "text/html"),
        ("a.pdf", "application/pdf"),
        ("notes.rtf", "application/rtf"),  # in Python's non-strict table only
        ("noext", "application/octet-stream"),
        ("a.weird-ext", "application/octet-stream"),
    ],
)
def test_content_type_from_the_extension(name: str, expected: str) -> None:
    assert content_type(name) == expected


def test_describe_tells_size_and_type_or_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"x" * 2048)
    assert describe(tmp_path / "a.png") == "2.0 KiB, image/png"
    assert describe(tmp_path / "gone.png") == f"no such file: {tmp_path / 'gone.png'}"
    assert describe(tmp_path / "a.png" / "x") == f"cannot read {tmp_path / 'a.png' / 'x'}: Not a directory"
    assert describe(tmp_path) == f"{tmp_path.name} is not a file"
    with open(tmp_path / "limit.bin", "wb") as sparse:
        sparse.truncate(body_files.MAX_BODY_FILE)
    assert describe(tmp_path / "limit.bin") == "32.0 MiB, application/octet-stream"
    with open(tmp_path / "over.bin", "wb") as sparse:
        sparse.truncate(body_files.MAX_BODY_FILE + 1)
    assert describe(tmp_path / "over.bin") == "32.0 MiB: larger than the 32.0 MiB a body file may be"


def test_rebase_keeps_a_file_reachable_from_another_folder(tmp_path: Path) -> None:
    src, dst = tmp_path / "src", tmp_path / "dst"
    assert rebase("files/a.png", src, src) == "files/a.png"
    assert rebase("files/a.png", src, dst) == str(src / "files" / "a.png")
    assert rebase("../dst/b.png", src, dst) == "b.png"  # inside the new folder: relative
    assert rebase("/abs/c.png", src, dst) == "/abs/c.png"
    assert rebase("", src, dst) == ""


def test_import_and_export_rewrite_relative_body_files(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "pic.png").write_bytes(b"png")
    save_rules(other / "rules.json", RuleSet(rules=(file_rule("pic.png"),)))
    mine = tmp_path / "mine"
    document = RulesDocument.open(mine / "rules.json")
    document.take(load_rules(other / "rules.json"))
    assert document.rules[0].body_file == str(other / "pic.png")  # outside: absolute
    document.insert(1, [file_rule("own/pic.png")])
    exported = document.export(other / "out.json")
    assert [r.body_file for r in exported.rules] == [str(other / "pic.png"), str(mine / "own" / "pic.png")]
    assert [r.body_file for r in load_rules(other / "out.json").rules] == [
        str(other / "pic.png"),
        str(mine / "own" / "pic.png"),
    ]


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_curl_receives_the_file_byte_exact(serve: Any, tmp_path: Path) -> None:
    (tmp_path / "blob.bin").write_bytes(BINARY)
    port = serve(Responder(RuleSet(rules=(file_rule("blob.bin"),), folder=tmp_path)))
    out = tmp_path / "got.bin"
    done = subprocess.run(
        ["curl", "-sS", "--max-time", str(WAIT), "-o", str(out), "-w", "%{http_code} %{content_type}",
         f"http://127.0.0.1:{port}/file/blob"],
        capture_output=True, text=True, check=False, timeout=WAIT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "200 application/octet-stream"
    assert out.read_bytes() == BINARY
    assert os.path.getsize(out) == len(BINARY)
