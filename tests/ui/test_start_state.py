"""The window's starting state from the command line (issue 12, item 11, the
window's side): ``--rules FILE`` (a path; ``preset:NAME`` is resolved before),
``--db``, ``--bind`` and ``--port`` win over what the window remembers."""

from __future__ import annotations

import argparse
import http.client
import json
import ssl
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QSettings

from inspector.app import build_parser
from inspector.assets import rules_argument
from inspector.responses import DEFAULT_RULES
from inspector.ui.main_window import MainWindow, open_window
from tests.network import http_get


def get(window: MainWindow, target: str) -> tuple[int, bytes]:
    parts = urlsplit(window.url)
    return http_get(parts.port or 0, target, parts.hostname or "", timeout=5)


def opened(qtbot: Any, settings: QSettings, argv: list[str]) -> MainWindow:
    args = build_parser().parse_args(argv)  # the real command line's names and types
    if args.rules:
        args.rules = rules_argument(args.rules)
    window = open_window(args, settings)
    qtbot.addWidget(window)
    window.show()
    return window


def listen(qtbot: Any, window: MainWindow) -> None:
    window.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)


def test_rules_db_bind_and_port_from_the_command_line(
    qtbot: Any, settings: QSettings, tmp_path: Path
) -> None:
    settings.setValue("listen/address", "::1")
    settings.setValue("listen/port", 9999)
    rules = tmp_path / "my-rules.json"
    rules.write_text(
        json.dumps(
            {
                "version": 1,
                "rules": [{"name": "file rule", "path": "/**", "status": 202, "body": "from the file"}],
            }
        ),
        encoding="utf-8",
    )
    db = tmp_path / "mine.sqlite3"
    window = opened(
        qtbot, settings, ["--rules", str(rules), "--db", str(db), "--bind", "127.0.0.1", "--port", "0"]
    )
    assert window.listener_bar.address() == "127.0.0.1" and window.listener_bar.port() == 0
    assert window.store is not None and window.store.path is not None and Path(window.store.path) == db
    assert window.rules.editor.rules_path == rules
    assert "my-rules.json" in window.rules.windowTitle()
    assert not window.error_banner.isVisible()
    listen(qtbot, window)
    assert get(window, "/anything") == (202, b"from the file")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    window.close()


def test_a_preset_is_a_rules_file(qtbot: Any, settings: QSettings) -> None:
    window = opened(qtbot, settings, ["--rules", "preset:echo-json", "--no-db", "--port", "0"])
    assert window.rules.editor.rules_path.name == "echo-json.json"
    listen(qtbot, window)
    status, body = get(window, "/echo?x=1")
    assert status == 200 and json.loads(body)["args"] == {"x": "1"}
    window.close()


def test_a_rules_file_that_cannot_be_used_is_said(qtbot: Any, settings: QSettings, tmp_path: Path) -> None:
    rules = tmp_path / "broken.json"
    rules.write_text("{not json", encoding="utf-8")
    window = opened(qtbot, settings, ["--rules", str(rules), "--no-db", "--port", "0"])
    assert window.error_banner.isVisible()
    assert f"The rules file {rules} cannot be used" in window.error_banner.text()
    listen(qtbot, window)
    assert get(window, "/") == (200, b"hello world")  # the rules in use answer meanwhile
    window.close()


def test_a_new_rules_file_is_created_on_save(qtbot: Any, settings: QSettings, tmp_path: Path) -> None:
    rules = tmp_path / "new.json"
    window = opened(qtbot, settings, ["--rules", str(rules), "--no-db"])
    assert not window.error_banner.isVisible() and not rules.exists()
    assert window.rules.editor.save()
    saved = json.loads(rules.read_text(encoding="utf-8"))["rules"]
    assert [(rule["name"], rule.get("status", 200), rule["body"]) for rule in saved] == [
        (rule.name, rule.status, rule.body) for rule in DEFAULT_RULES
    ]
    assert saved[-1]["body"] == "hello world"
    window.close()


def test_no_rules_flag_keeps_the_app_data_file(qtbot: Any, settings: QSettings) -> None:
    window = open_window(argparse.Namespace(no_db=True, db=None, bind=None, port=None), settings)
    qtbot.addWidget(window)
    assert window.rules.editor.rules_path.name != "new.json"
    assert window.rules.windowTitle() == "Response rules"
    window.close()


def test_the_window_listener_answers_https_with_tls_auto(
    qtbot: Any, settings: QSettings, tmp_path: Path
) -> None:
    ca = tmp_path / "ca"
    window = opened(qtbot, settings, ["--bind", "127.0.0.1", "--port", "0", "--no-db", "--ca-dir", str(ca)])
    listen(qtbot, window)
    port = urlsplit(window.url).port or 0
    context = ssl.create_default_context(cafile=str(ca / "ca.pem"))
    conn = http.client.HTTPSConnection("localhost", port, timeout=5, context=context)
    try:
        conn.request("GET", "/secure")
        assert conn.getresponse().read() == b"hello world"
        assert conn.sock.version() == "TLSv1.3"
    finally:
        conn.close()
    window.close()


def test_tls_off_leaves_the_window_listener_plain(qtbot: Any, settings: QSettings, tmp_path: Path) -> None:
    window = opened(qtbot, settings, ["--no-db", "--tls", "off", "--ca-dir", str(tmp_path / "ca")])
    assert window.capture.tls is None and not (tmp_path / "ca").exists()
    window.close()
