"""The rules file at its limits, to the digit and the level: what is read, what is refused, the
text Save writes, the strict check's message, and the listeners a rule may name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.responses import Rule, RuleSet, RulesFileError, dumps, load_rules, loads
from inspector.responses.model import listener_key
from inspector.responses.rulesfile import MAX_DEPTH, MAX_INT_DIGITS, refuse_problems


def nested(levels: int) -> str:
    """A rules file whose deepest value sits ``levels`` levels down (the top object is level 1)."""
    return '{"rules": [], "x": ' + "[" * (levels - 1) + "]" * (levels - 1) + "}"


def test_nesting_up_to_the_limit_is_read_and_one_level_more_refused() -> None:
    deepest = loads(nested(MAX_DEPTH)).extra[0][1]
    for _ in range(MAX_DEPTH - 2):
        deepest = deepest[0]
    assert deepest == []
    with pytest.raises(RulesFileError) as caught:
        loads(nested(MAX_DEPTH + 1), source="r.json")
    assert str(caught.value) == "r.json: nested deeper than 64 levels"


@pytest.mark.parametrize("digits", [1, MAX_INT_DIGITS - 1, MAX_INT_DIGITS])
def test_integers_up_to_the_digit_limit_are_read(digits: int) -> None:
    ruleset = loads('{"rules": [], "x": ' + "7" * digits + "}")
    assert ruleset.extra == (("x", int("7" * digits)),)


def test_one_digit_more_is_refused() -> None:
    with pytest.raises(RulesFileError) as caught:
        loads('{"rules": [], "x": ' + "7" * (MAX_INT_DIGITS + 1) + "}", source="r.json")
    assert str(caught.value) == "r.json: an integer of 4001 digits (limit 4000)"


@pytest.mark.parametrize(("number", "value"), [("1e308", 1e308), ("-1e308", -1e308), ("0.5", 0.5)])
def test_finite_numbers_are_read(number: str, value: float) -> None:
    assert loads('{"rules": [], "x": ' + number + "}").extra == (("x", value),)


def test_save_writes_two_space_indented_utf8_json_with_its_own_version_and_rules() -> None:
    extra = (("rules", "not these"), ("version", 9), ("note", "é"))
    ruleset = RuleSet(rules=(Rule(name="café ✓"),), extra=extra)
    text = dumps(ruleset)
    assert text.endswith("}\n") and "café ✓" in text and '"note": "é"' in text
    assert text.startswith('{\n  "version": 2,\n  "rules": [\n    {\n      "name": "café ✓",\n')
    document = json.loads(text)
    assert (document["version"], document["note"]) == (2, "é")
    assert [rule["name"] for rule in document["rules"]] == ["café ✓"]


def test_a_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + '{"rules": [{"name": "é"}]}'.encode())
    assert [rule.name for rule in load_rules(path).rules] == ["é"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"rules": [] \xff}', "bad.json: not UTF-8 text (byte 13)"),
        (b"\xc3", "bad.json: not UTF-8 text (byte 0)"),
    ],
)
def test_text_that_is_not_utf8_names_the_byte(tmp_path: Path, data: bytes, message: str) -> None:
    (tmp_path / "bad.json").write_bytes(data)
    with pytest.raises(RulesFileError) as caught:
        load_rules(tmp_path / "bad.json")
    assert str(caught.value) == message and caught.value.problem is None


def test_a_missing_file_says_why_it_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError) as caught:
        load_rules(tmp_path / "gone.json")
    assert str(caught.value) == f"{tmp_path / 'gone.json'}: cannot read (No such file or directory)"


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ((Rule(name="first", status=102), Rule(name="b")), "r.json: rule 'first': status: "),
        ((Rule(name="a"), Rule(name="second", status=102)), "r.json: rule 'second': status: "),
        ((Rule(name="a"), Rule(name="b"), Rule(name="third", status=102)), "r.json: rule 'third': status: "),
    ],
)
def test_the_strict_check_names_the_first_rule_with_a_problem(rules: tuple[Rule, ...], message: str) -> None:
    ruleset = RuleSet(rules=rules)
    with pytest.raises(RulesFileError) as caught:
        refuse_problems(ruleset, "r.json")
    assert str(caught.value).startswith(message)
    assert caught.value.problem == ruleset.problems()[0]
    fine = RuleSet(rules=(Rule(name="a"),))
    assert refuse_problems(fine, "r.json") is fine


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1", "1"),
        ("65535", "65535"),
        ("127.0.0.1:1", "127.0.0.1:1"),
        ("127.0.0.1:65535", "127.0.0.1:65535"),
        ("[::1]:00080", "[::1]:80"),
        ("000080", None),  # six digits
        ("127.0.0.1:000080", None),
        ("[::1]", None),
        ("[]:80", None),
        ("[[::1]]:80", None),
        ("[a]b]:80", None),
        ("host]:80", None),
        ("[::1:80", None),
        ("a\tb:80", None),
        ("\uff18\uff10", None),  # fullwidth digits: digits, but not ASCII ones
    ],
)
def test_listener_keys_at_the_edges(text: str, key: str | None) -> None:
    assert listener_key(text) == key
