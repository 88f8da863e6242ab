"""The rules editor's Forward section: editing a rule's forward, saving it, and "Test"
against a real upstream on 127.0.0.1 (port 0), off the GUI thread."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from inspector.responses import Responder, Rule, RuleSet, save_rules
from inspector.ui.rules_editor import RulesEditor
from inspector.ui.rules_forward import VERIFY_CHOICES
from inspector.upstream import parse_target
from tests.network import http_get

WAIT_MS = 10_000


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        body = f"saw {self.command} {self.path}".encode()
        self.send_response(203, "Seen")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream_server() -> Iterator[ThreadingHTTPServer]:
    """An HTTP/1.1 upstream on 127.0.0.1 that says what it saw (Echo.seen lists the targets)."""
    Echo.seen.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def upstream(upstream_server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{upstream_server.server_address[1]}/base"


@pytest.fixture
def editor(qtbot: Any, tmp_path: Path) -> Iterator[RulesEditor]:
    rules_path = tmp_path / "rules.json"
    forward = parse_target({"url": "http://127.0.0.1:9/old", "timeout_ms": 5000})
    save_rules(rules_path, RuleSet(rules=(Rule(name="to api", path="/api/**", forward=forward),
                                          Rule(name="local", path="/**", body="here"))))  # fmt: skip
    editor = RulesEditor(Responder(), rules_path)
    qtbot.addWidget(editor)
    editor.show()
    editor.select_rule(0)
    yield editor
    editor.form.forward.close_forwarder()


def test_the_section_shows_edits_and_saves_a_rules_forward(editor: RulesEditor, tmp_path: Path) -> None:
    section = editor.form.forward
    assert section.use_check.isChecked()
    assert section.url_edit.text() == "http://127.0.0.1:9/old"
    assert section.timeout_spin.value() == 5000
    assert section.verify_combo.currentText() == VERIFY_CHOICES[0]
    assert not section.ca_edit.isEnabled()

    section.url_edit.setText("ftp://nowhere")
    section.url_edit.textEdited.emit("ftp://nowhere")
    assert "http:// or https://" in section.url_error.text()
    rule = editor.form.rule()
    assert rule is not None and rule.forward is not None
    assert rule.forward.url == "http://127.0.0.1:9/old"  # the last usable upstream is kept

    section.url_edit.setText("https://127.0.0.1:8443/v2")
    section.url_edit.textEdited.emit("https://127.0.0.1:8443/v2")
    section.keep_host_check.setChecked(True)
    section.verify_combo.setCurrentIndex(2)
    assert section.ca_edit.isEnabled()
    section.ca_edit.setText("certs/ca.pem")
    section.ca_edit.textEdited.emit("certs/ca.pem")
    section.record_check.setChecked(True)
    assert section.url_error.isHidden()
    editor.save()
    saved = json.loads((tmp_path / "rules.json").read_text())["rules"][0]["forward"]
    assert saved == {"url": "https://127.0.0.1:8443/v2", "timeout_ms": 5000, "keep_host": True,
                     "verify_tls": "certs/ca.pem", "record": True}  # fmt: skip

    section.use_check.setChecked(False)
    assert not section.url_edit.isEnabled()
    rule = editor.form.rule()
    assert rule is not None and rule.forward is None


def test_test_sends_the_preview_request_off_the_gui_thread_and_shows_status_and_time(
    qtbot: Any, editor: RulesEditor, upstream: str
) -> None:
    section = editor.form.forward
    section.url_edit.setText(upstream)
    section.url_edit.textEdited.emit(upstream)
    with qtbot.waitSignal(section.tested, timeout=WAIT_MS) as blocker:
        section.test_button.click()
        assert section.result_label.text() == "Testing…"  # the click returned before the answer
    text = blocker.args[0]
    assert text.startswith("203 Seen · ") and text.endswith(" ms · 33 bytes"), text
    assert section.result_label.text() == text
    assert Echo.seen[-1] == "/base/hello/world?lang=fr"  # the built-in sample, under the URL's path


def test_test_against_a_dead_upstream_shows_the_one_line_reason(qtbot: Any, editor: RulesEditor) -> None:
    section = editor.form.forward
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server_gone = f"http://127.0.0.1:{port}/nothing"
    section.url_edit.setText(server_gone)
    section.url_edit.textEdited.emit(server_gone)
    with qtbot.waitSignal(section.tested, timeout=WAIT_MS) as blocker:
        section.test_button.click()
    text = blocker.args[0]
    assert text.startswith(f"upstream {server_gone}") and "\n" not in text, text


def get(url: str, target: str) -> tuple[int, bytes]:
    return http_get(urlsplit(url).port or 80, target)


def test_a_recording_forward_rule_records_each_new_request_above_itself_then_replays_offline(
    qtbot: Any, listening: Any, upstream: str, upstream_server: ThreadingHTTPServer
) -> None:
    window = listening
    editor: RulesEditor = window.rules.editor
    forward = parse_target({"url": upstream, "record": True})
    editor.model.insert_rules(0, [Rule(name="to api", path="/api/**", forward=forward)])
    assert editor.save()

    online = {target: get(window.url, target) for target in ("/api/a?x=1", "/api/b", "/api/a?x=2")}
    assert online["/api/a?x=1"] == (203, b"saw GET /base/api/a?x=1")
    names = lambda: [rule.name for rule in editor.document.rules]  # noqa: E731
    qtbot.waitUntil(lambda: names().index("to api") == 3, timeout=WAIT_MS)
    assert get(window.url, "/api/b") == online["/api/b"]  # asked again: still one rule for it
    qtbot.waitUntil(lambda: window.model.rowCount() == 4 and len(Echo.seen) == 4, timeout=WAIT_MS)
    assert names().index("to api") == 3
    recorded = editor.document.rules[:3]
    assert sorted((r.path, tuple(c.value for c in r.conditions)) for r in recorded) == [
        ("/api/a", ("1",)), ("/api/a", ("2",)), ("/api/b", ()),
    ]  # fmt: skip
    assert editor.is_dirty()  # recorded as unsaved changes, for the user to keep

    assert editor.save()
    upstream_server.shutdown()
    upstream_server.server_close()
    for target, answer in online.items():
        assert get(window.url, target) == answer  # offline now, the same answers
