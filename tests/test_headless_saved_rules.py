"""One set of rules for both modes (issue 12, item 11): headless without
``--rules`` answers from the rules file the window's editor saves (the app-data
``rules.json``), says which rules it uses on stderr, and never loads Qt."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector.responses import default_rules_path
from tests.network import http_get
from tests.test_headless import ROOT, Headless


def write_rules(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rule = {"name": "saved", "path": "/**", "status": 203, "body": body}
    path.write_text(json.dumps({"version": 1, "rules": [rule]}), encoding="utf-8")
    return path


@pytest.fixture
def started() -> Any:
    apps: list[Headless] = []

    def start(*args: str) -> tuple[Headless, str, int]:
        app = Headless("--port", "0", *args)
        apps.append(app)
        port = app.port_from_listening_line()
        rules = app.line()
        return app, rules, port

    yield start
    for app in apps:
        app.kill()


def test_without_rules_it_answers_from_the_rules_the_window_saved(started: Any, app_home: Path) -> None:
    saved = write_rules(default_rules_path(), "from the window's rules")
    assert saved.parent == app_home
    app, rules, port = started()
    assert rules == f"rules: {saved}"
    assert http_get(port, "/any") == (203, b"from the window's rules")
    assert app.finish(signal.SIGTERM) == 0


def test_without_a_saved_file_it_says_built_in_default(started: Any, app_home: Path) -> None:
    app, rules, port = started()
    assert rules == "rules: built-in default"
    assert http_get(port, "/") == (200, b"hello world")
    assert app.finish(signal.SIGTERM) == 0


def test_rules_file_wins_over_the_saved_one(started: Any, tmp_path: Path) -> None:
    write_rules(default_rules_path(), "saved")
    mine = write_rules(tmp_path / "mine.json", "from --rules")
    app, rules, port = started("--rules", str(mine))
    assert rules == f"rules: {mine}"
    assert http_get(port, "/") == (203, b"from --rules")
    assert app.finish(signal.SIGTERM) == 0


def test_a_saved_file_that_cannot_be_used_is_one_line_and_exit_2() -> None:
    saved = default_rules_path()
    saved.write_text('{"rules": [{"name": "bad", "body": "{% if %}"}]}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--headless", "--no-db", "--port", "0"],
        check=False, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: rules.json") and "the rules the window saved" in lines[0]


def test_reading_the_saved_rules_loads_no_qt(app_home: Path) -> None:
    write_rules(default_rules_path(), "x")
    code = (
        "import argparse, sys\n"
        "from inspector.headless import load_responder, rules_file\n"
        "args = argparse.Namespace(rules=None)\n"
        "print(rules_file(args)); load_responder(args)\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')]\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=30, cwd=ROOT
    )
    assert done.stdout.strip() == str(app_home / "rules.json")


def test_pause_rules_answer_at_once_and_it_says_so_once(started: Any, tmp_path: Path) -> None:
    path = tmp_path / "paused.json"
    rule = {"name": "held", "path": "/**", "status": 203, "body": "at once", "pause": True}
    path.write_text(json.dumps({"version": 2, "rules": [rule]}), encoding="utf-8")
    app, rules, port = started("--rules", str(path))
    assert rules == f"rules: {path}"
    note = "note: pauses are ignored in headless mode (they need the window): 'held' answer at once"
    assert app.line() == note
    assert http_get(port, "/a") == (203, b"at once")
    assert http_get(port, "/b") == (203, b"at once")
    after = [app.line(), app.line()]  # one line per request, and no second note
    assert "GET /a" in after[0] and "GET /b" in after[1], after
