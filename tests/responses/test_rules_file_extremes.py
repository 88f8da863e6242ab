"""Extreme but valid JSON, and rules that cannot answer: one line at load, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.responses import DEFAULT_RULES, Responder, RuleSet, RulesFileError, load_rules, loads
from inspector.responses.document import RulesDocument
from tests.responses.conftest import make_record

ROOT = Path(__file__).resolve().parents[2]

EXTREMES = [
    ('{"rules": [{"delay_ms": 1e400}]}', "the number 1e400 is too large"),
    ('{"rules": [{"status": -1e999}]}', "the number -1e999 is too large"),
    # a long number is named by its first 40 characters
    ('{"rules": [{"delay_ms": 1' + "0" * 400 + '.5}]}', "the number 1" + "0" * 39 + " is too large"),
    ('{"rules": [], "x": NaN}', "NaN is not a number a rules file may hold"),
    ('{"rules": [], "x": Infinity}', "Infinity is not a number a rules file may hold"),
    ('{"rules": [], "x": -Infinity}', "-Infinity is not a number a rules file may hold"),
    ('{"rules": [{"status": ' + "9" * 5000 + "}]}", "an integer of 5000 digits (limit 4000)"),
    ('{"rules": [], "x": ' + "[" * 10_000 + "]" * 10_000 + "}", "nested deeper than 64 levels"),
    ('{"rules": [], "x": ' + "[" * 100 + "]" * 100 + "}", "nested deeper than 64 levels"),
    ('{"rules": [], "x": ' + '{"a": ' * 900 + "1" + "}" * 900 + "}", "nested deeper than 64 levels"),
]


@pytest.mark.parametrize(("text", "message"), EXTREMES)
def test_extreme_json_is_one_line(text: str, message: str) -> None:
    with pytest.raises(RulesFileError) as info:
        loads(text, source="rules.json")
    assert str(info.value) == f"rules.json: {message}"


def test_deep_but_allowed_unknown_keys_survive() -> None:
    nested = "[" * 60 + "]" * 60
    ruleset = loads('{"rules": [{"name": "a", "future": ' + nested + "}]}")
    assert ruleset.rules[0].extra == (("future", json.loads(nested)),)


def test_structural_errors_carry_their_place_as_data() -> None:
    with pytest.raises(RulesFileError) as info:
        loads('{"rules": [{"name": "a"}, {"conditions": [{"source": "query", "op": "like"}]}]}')
    assert "rules[1].conditions[0].op: 'like' is not one of" in str(info.value)
    problem = info.value.problem
    assert problem is not None
    assert (problem.rule, problem.field, problem.index) == (1, "conditions", 0)
    assert problem.message.startswith("op: 'like'")


NOT_A_STATUS = "is not a status code (200-999) or a template"
UNANSWERABLE = [
    ({"name": "early", "status": 101}, "status: 101 is informational (1xx), not a final answer"),
    ({"name": "ctl", "headers": [["X-A", "a\u000bb"]]}, "headers[0]: control character U+000B"),
    ({"name": "re", "path": "^/(a)\\1"}, "path: not supported by the linear-time matcher"),
    ({"name": "words", "status": "two hundred"}, f"status: 'two hundred' {NOT_A_STATUS}"),
    ({"name": "blank", "status": " "}, f"status: an empty status {NOT_A_STATUS}"),
    (
        {"name": "step", "responses": [{"status": 503}, {"status": "OK"}]},
        f"responses[1].status: 'OK' {NOT_A_STATUS}",
    ),
    (
        {"name": "cond", "conditions": [{"source": "body", "op": "regex", "value": "a(?=b)"}]},
        "conditions[0]: not supported by the linear-time matcher",
    ),
]


@pytest.mark.parametrize(("rule", "message"), UNANSWERABLE)
def test_strict_loading_refuses_rules_that_cannot_answer(
    tmp_path: Path, rule: dict[str, object], message: str
) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [rule]}), encoding="utf-8")
    assert load_rules(path).problems()  # the editor opens it, with the problem at its field
    with pytest.raises(RulesFileError) as info:
        load_rules(path, strict=True)
    assert str(info.value).startswith(f"rules.json: rule {rule['name']!r}: {message}")
    assert "\n" not in str(info.value)


def test_a_status_in_words_answers_500_naming_it_when_not_strict(tmp_path: Path) -> None:
    """The window opens such a file (the problem shown at its field): the rule answers a 500
    saying why, instead of raising from inside the engine."""
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [{"name": "words", "status": "two hundred", "body": "hi"}]}))
    ruleset = load_rules(path)
    (problem,) = ruleset.problems()
    assert (problem.rule, problem.field) == (0, "status")
    response = Responder(ruleset)(make_record())
    assert response.status == 500 and response.rule == "words"
    assert b"'two hundred' is not a status code" in response.body


def run_headless(rules: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(ROOT / "main.py"), "--headless", "--port", "0", "--no-db"]
    return subprocess.run(
        [*command, "--rules", str(rules)], capture_output=True, text=True, timeout=60, env=env, check=False
    )


@pytest.mark.parametrize(
    "text",
    [EXTREMES[0][0], EXTREMES[2][0], EXTREMES[5][0], EXTREMES[6][0],
     json.dumps({"rules": [UNANSWERABLE[0][0]]}), json.dumps({"rules": [UNANSWERABLE[2][0]]}),
     json.dumps({"rules": [UNANSWERABLE[4][0]]})],
    ids=["1e400", "NaN", "5000 digits", "10000 deep", "status 101", "backreference", "status in words"],
)  # fmt: skip
def test_headless_exits_2_with_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(text, encoding="utf-8")
    done = run_headless(path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: rules.json"), done.stderr
    assert "Traceback" not in done.stderr


def _short_id(text: str) -> str:
    """The text as a test id: ASCII, cut when long. pytest escapes a non-ASCII id once
    more each time it runs in the same process, so mutmut's clean run (after its stats
    run) did not find ``[\\ufeff{]`` again and stopped; ``U+FEFF`` needs no escape."""
    text = "".join(c if " " <= c <= "~" and c != "\\" else f"U+{ord(c):04X}" for c in text)
    return text if len(text) <= 60 else f"{text[:40]}...{len(text)} chars"


@pytest.mark.parametrize("text", [t for t, _ in EXTREMES] + ["\ufeff{", "{" * 100_000], ids=_short_id)
def test_the_editors_document_always_opens(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(text, encoding="utf-8")
    kept = RuleSet()
    document = RulesDocument.open(path, kept)
    assert document.load_error.startswith("rules.json")
    assert "\n" not in document.load_error
    assert document.rules == DEFAULT_RULES  # the default rules, as nothing was in use
