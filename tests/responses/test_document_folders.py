"""The rules document and its file's folder: the rules it hands the listener and Save send body
files from that folder, imports and exports name the same files from theirs, and an open or a
save that cannot happen says why in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.responses import (
    DEFAULT_RULES,
    Responder,
    Rule,
    RuleSet,
    RulesFileError,
    load_rules,
    save_rules,
)
from inspector.responses import document as document_module
from inspector.responses.document import RulesDocument
from tests.responses.conftest import make_record

FILE_RULE = Rule(name="file", path="/f", body_file="reply.txt")


def sends(ruleset: RuleSet) -> bytes:
    answer = Responder(ruleset)(make_record(target="/f"))
    assert answer.status == 200, answer.body
    return answer.body


def test_the_saved_rules_send_body_files_from_the_documents_folder(tmp_path: Path) -> None:
    (tmp_path / "reply.txt").write_bytes(b"from the rules folder")
    document = RulesDocument(RuleSet(rules=(FILE_RULE,)), tmp_path / "rules.json")
    assert document.saved.folder == tmp_path == document.snapshot().folder
    assert document.saved.body_files() == [tmp_path / "reply.txt"]
    assert sends(document.saved) == sends(document.snapshot()) == b"from the rules folder"


def test_a_rule_set_handed_in_keeps_its_version_and_file_keys(tmp_path: Path) -> None:
    given = RuleSet(rules=(FILE_RULE,), version=2, extra=(("future", 1),))
    document = RulesDocument(given, tmp_path / "rules.json")
    assert (document.saved.version, document.saved.extra) == (2, (("future", 1),))
    assert (document.snapshot().version, document.snapshot().extra) == (2, (("future", 1),))
    assert not document.is_dirty()


def test_an_opened_file_keeps_its_version_until_saved(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text('{"version": 2, "rules": [{"name": "a"}]}', encoding="utf-8")
    snapshot = RulesDocument.open(path).snapshot()
    assert (snapshot.version, snapshot.folder, [r.name for r in snapshot.rules]) == (2, tmp_path, ["a"])


def test_an_import_from_a_folder_inside_names_its_files_relatively(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "reply.txt").write_bytes(b"imported")
    save_rules(tmp_path / "sub" / "theirs.json", RuleSet(rules=(FILE_RULE,)))
    document = RulesDocument.open(tmp_path / "rules.json")
    theirs = load_rules(tmp_path / "sub" / "theirs.json")
    assert [r.body_file for r in document.adopt(theirs)] == ["sub/reply.txt"]
    document.take(theirs)
    assert [r.body_file for r in document.rules] == ["sub/reply.txt"]
    document.save()
    assert sends(document.saved) == sends(load_rules(tmp_path / "rules.json")) == b"imported"


def test_an_export_to_a_folder_inside_names_its_files_relatively(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "reply.txt").write_bytes(b"exported")
    rule = Rule(name="file", path="/f", body_file="sub/reply.txt")
    document = RulesDocument(RuleSet(rules=(rule,)), tmp_path / "rules.json")
    exported = document.export(tmp_path / "sub" / "out.json")
    assert exported.folder == tmp_path / "sub"
    assert [r.body_file for r in exported.rules] == ["reply.txt"]
    assert sends(exported) == sends(load_rules(tmp_path / "sub" / "out.json")) == b"exported"
    assert document.rules == (rule,) and not (tmp_path / "rules.json").exists()


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (MemoryError("out of memory"), "rules.json: MemoryError: out of memory"),
        (OSError("cannot\n   read  it"), "rules.json: OSError: cannot read it"),
        (RecursionError("too deep"), "rules.json: RecursionError: too deep"),
        (ValueError("odd"), "rules.json: ValueError: odd"),
    ],
)
def test_an_unexpected_error_on_open_is_one_line_and_keeps_the_rules_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, message: str
) -> None:
    path = tmp_path / "rules.json"
    path.write_text('{"rules": []}', encoding="utf-8")

    def failing(_path: Path) -> RuleSet:
        raise error

    monkeypatch.setattr(document_module, "load_rules", failing)
    in_use = RuleSet(rules=(FILE_RULE,))
    document = RulesDocument.open(path, in_use)
    assert (document.load_error, document.rules) == (message, (FILE_RULE,))
    assert RulesDocument.open(path).rules == DEFAULT_RULES


def test_a_document_without_a_file_says_it_cannot_be_saved() -> None:
    with pytest.raises(RulesFileError) as caught:
        RulesDocument(RuleSet(rules=(FILE_RULE,))).save()
    assert str(caught.value) == "these rules have no file to be saved to"
    assert caught.value.problem is None
