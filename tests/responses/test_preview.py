"""The editor's live preview (Qt-free): which rule answers, what the edited rule and the
answering rule send, and what it shows when a rule cannot even be compiled."""

from __future__ import annotations

from pathlib import Path

from inspector.responses import Responder, RuleSet
from inspector.responses.files import BodyFiles
from inspector.responses.model import Answer, Rule
from inspector.responses.preview import preview
from tests.responses.conftest import make_record

ITEM = Rule(name="item", path="/items/{id}", body="item {{ request.params.id }}")
OTHER = Rule(name="other", path="/other", body="other")
CORS = Rule(name="cors", path="/api", cors=True, body="api")
PREFLIGHT = make_record(
    method="OPTIONS",
    target="/api",
    headers=(("Host", "h"), ("Origin", "http://a.test"), ("Access-Control-Request-Method", "GET")),
)


def test_without_a_rule_selected_it_still_says_which_rule_answers() -> None:
    shown = preview(None, (OTHER, ITEM), make_record(target="/items/7"))
    assert (shown.match, shown.response, shown.answered_by) == (None, None, 1)
    assert (shown.preflight, shown.selection_error, shown.gets) == (False, "", None)
    nobody = preview(None, (OTHER,), make_record(target="/items/7"))
    assert (nobody.answered_by, nobody.selection_error) == (None, "")


def test_path_captures_reach_both_answers() -> None:
    shown = preview(OTHER, (ITEM, OTHER), make_record(target="/items/7"))
    assert shown.answered_by == 0
    assert shown.gets is not None and shown.gets.body == b"item 7"
    assert shown.match is not None and not shown.match.matched and shown.match.failed == "path"
    assert shown.response is not None and shown.response.body == b"other"
    assert shown.selection_error == ""
    edited = preview(ITEM, (OTHER, ITEM), make_record(target="/items/42"))
    assert edited.response is not None and edited.response.body == b"item 42"
    assert edited.gets is not None and edited.gets.body == b"item 42"


def test_a_cors_preflight_is_previewed_as_the_preflight_answer() -> None:
    shown = preview(CORS, (CORS,), PREFLIGHT)
    assert shown.preflight and shown.answered_by == 0 and shown.gets_pick is None
    assert shown.match is not None and shown.match.matched
    for response in (shown.response, shown.gets):
        assert response is not None and response.status == 204
        assert dict(response.headers)["Access-Control-Allow-Origin"] == "http://a.test"
        assert response.body == b""
    # the same rule without cors answers the OPTIONS request with its own answer
    plain = Rule(name="plain", path="/api", methods=("OPTIONS",), body="api")
    shown = preview(plain, (plain,), PREFLIGHT)
    assert not shown.preflight
    assert shown.response is not None and (shown.response.status, shown.response.body) == (200, b"api")


def test_a_rule_that_cannot_be_compiled_shows_why_instead_of_an_answer() -> None:
    broken = Rule(name="broken", path=None)  # type: ignore[arg-type]  # what no rules file gives
    shown = preview(broken, (OTHER,), make_record(target="/other"), answer=2)
    assert shown.match is not None
    assert (shown.match.matched, shown.match.failed) == (False, "invalid")
    assert shown.match.message == "AttributeError: 'NoneType' object has no attribute 'startswith'"
    assert shown.response is not None and shown.response.status == 500
    assert shown.response.rule == "broken"
    assert shown.response.error == "broken: AttributeError: 'NoneType' object has no attribute 'startswith'"
    assert (shown.answered_by, shown.preflight, shown.selection_error, shown.answer) == (0, False, "", 2)
    assert shown.pick is None and shown.gets is None


def test_a_list_that_cannot_be_compiled_says_why_no_rule_answers() -> None:
    broken = Rule(name="broken", path=None)  # type: ignore[arg-type]
    shown = preview(OTHER, (broken, OTHER), make_record(target="/other"))
    assert shown.answered_by is None and shown.gets is None and shown.preflight is False
    assert shown.selection_error == "AttributeError: 'NoneType' object has no attribute 'startswith'"
    assert shown.response is not None and shown.response.body == b"other"


def test_the_answering_rules_next_answer_follows_its_state() -> None:
    # one counter per path capture; the answer names the counter, the capture and the file
    rule = Rule(
        name="steps",
        path="/steps/{who}",
        state_key="{{ request.params.who }}-{{ request.method }}",
        responses=(
            Answer(body="first {{ counter }} {{ request.params.who }}"),
            Answer(body="second {{ counter }} {{ request.params.who }}"),
            Answer(body_file="third.txt"),
        ),
    )
    responder = Responder(RuleSet(rules=(rule,)))
    ann = make_record(target="/steps/ann")
    responder(ann)
    shown = preview(OTHER, (rule, OTHER), ann, state=responder.state)
    assert shown.gets_pick is not None and (shown.gets_pick.step, shown.gets_pick.counter) == (2, 2)
    assert shown.gets_pick.state == "ann-GET"
    assert shown.gets is not None and shown.gets.body == b"second 2 ann"
    bob = preview(OTHER, (rule, OTHER), make_record(target="/steps/bob"), state=responder.state)
    assert bob.gets is not None and bob.gets.body == b"first 1 bob"
    responder(ann)
    third = preview(rule, (rule,), ann, state=responder.state, folder=Path(__file__).parent / "nowhere")
    assert third.gets is not None and third.gets.status == 500 and b"third.txt" in third.gets.body
    assert third.response is not None and third.response.body == b"first 3 ann"  # the first by default


def test_the_answering_rule_reads_its_body_file(tmp_path: Path) -> None:
    (tmp_path / "body.txt").write_bytes(b"from the file")
    rule = Rule(name="file", path="/f", responses=(Answer(body_file="body.txt"), Answer(body="two")))
    shown = preview(OTHER, (rule,), make_record(target="/f"), folder=tmp_path)
    assert shown.gets is not None and shown.gets.body == b"from the file"


def test_the_answer_asked_for_is_clamped_to_the_rules_answers() -> None:
    rule = Rule(name="three", path="/t", responses=(Answer(body="a"), Answer(body="b"), Answer(body="c")))
    record = make_record(target="/t")
    for asked, shown_answer, body in ((0, 0, b"a"), (2, 2, b"c"), (3, 2, b"c"), (9, 2, b"c"), (-4, 0, b"a")):
        shown = preview(rule, (rule,), record, answer=asked)
        assert shown.answer == shown_answer
        assert shown.response is not None and shown.response.body == body


def test_the_edited_rule_reads_its_body_file_through_the_files_given(tmp_path: Path) -> None:
    (tmp_path / "body.txt").write_bytes(b"edited file")
    rule = Rule(name="file", path="/f", body_file="body.txt")
    files = BodyFiles()
    shown = preview(rule, (OTHER,), make_record(target="/f"), folder=tmp_path, files=files)
    assert shown.response is not None and shown.response.body == b"edited file"
    assert files.kept_bytes == len(b"edited file")  # the editor's cache, not a fresh one


def test_without_a_rule_selected_a_list_that_cannot_be_compiled_says_why() -> None:
    broken = Rule(name="broken", path=None)  # type: ignore[arg-type]
    shown = preview(None, (broken,), make_record(target="/"))
    assert shown.selection_error == "AttributeError: 'NoneType' object has no attribute 'startswith'"
