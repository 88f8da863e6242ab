"""Body files that cannot be read: a missing one, one that is a folder, and one whose name holds a
NUL (valid JSON, ``"\\u0000"``, that no file system accepts). Each answers 500 naming its rule,
the editor's description says why, and warming the files goes on past them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.responses import Responder, Rule, load_rules, render
from inspector.responses.files import BodyFiles, describe
from tests.responses.conftest import make_record


def _unreadable(tmp_path: Path) -> list[tuple[str, str]]:
    """(body_file, why it cannot be read) for each kind, with the folder in place."""
    (tmp_path / "folder").mkdir()
    return [
        ("gone.bin", f"no such file: {tmp_path / 'gone.bin'}"),
        ("folder", f"{tmp_path / 'folder'} is not a file"),
        ("a\0b.bin", f"cannot read {tmp_path / 'a'}\0b.bin: embedded null byte"),
    ]


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_an_unreadable_body_file_answers_500_naming_its_rule(tmp_path: Path, kind: int) -> None:
    body_file, why = _unreadable(tmp_path)[kind]
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": [{"name": "f", "body_file": body_file}]}), encoding="utf-8")
    ruleset = load_rules(rules)
    shown = why.replace("\0", " ")  # a failure's reason is one line of plain text
    error = f"f: body_file {body_file!r}: {shown}"
    answer = Responder(ruleset)(make_record())
    assert (answer.status, answer.rule, answer.error) == (500, "f", error)
    preview = render(ruleset.rules[0], make_record(), folder=tmp_path)
    assert (preview.status, preview.rule, preview.error) == (500, "f", error)


def test_the_editor_says_why_a_body_file_cannot_be_sent(tmp_path: Path) -> None:
    table = _unreadable(tmp_path)
    assert [describe(tmp_path / name) for name, _ in table] == [
        f"no such file: {tmp_path / 'gone.bin'}",
        "folder is not a file",
        table[2][1],
    ]


@pytest.mark.parametrize("kind", [0, 1, 2])
def test_warming_goes_on_past_a_file_that_cannot_be_read(tmp_path: Path, kind: int) -> None:
    good = tmp_path / "good.bin"
    good.write_bytes(b"12345")
    other = tmp_path / "other.bin"
    other.write_bytes(b"abc")
    files = BodyFiles()
    bad = tmp_path / _unreadable(tmp_path)[kind][0]
    files.warm([good, bad, other])
    assert files.kept_bytes == 8  # both readable files were read
    kept = files.read(other)
    assert kept == b"abc" and files.read(other) is kept


def test_a_rule_answering_from_a_file_the_preview_reads_afresh(tmp_path: Path) -> None:
    """render() without a BodyFiles of the caller's reads the file itself."""
    (tmp_path / "page.html").write_bytes(b"<p>hi</p>")
    answer = render(Rule(name="p", body_file="page.html"), make_record(), folder=tmp_path)
    assert (answer.status, answer.body, answer.rule) == (200, b"<p>hi</p>", "p")
    assert ("Content-Type", "text/html") in answer.headers


class _Broken(BodyFiles):
    """A store of body files failing as none should (a bug, or memory running out)."""

    def read(self, path: Path) -> bytes:
        raise RuntimeError(f"lost {path.name}")


def test_a_preview_whose_file_store_fails_shows_the_rules_500(tmp_path: Path) -> None:
    rule = Rule(name="p", body_file="page.html")
    answer = render(rule, make_record(), folder=tmp_path, files=_Broken())
    assert (answer.status, answer.rule, answer.error) == (500, "p", "p: RuntimeError: lost page.html")
