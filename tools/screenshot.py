"""Render docs/screenshot.png: the window offscreen after a realistic mix of requests.

    python tools/screenshot.py [OUT.png] [--size WxH]

Also writes docs/screenshot-rules.png (beside OUT): the response-rules editor's
window at the same size, open on a rule made from the selected request, with its
live preview (``tools/rules_screenshot.py`` renders it at other sizes); and
docs/screenshot-listeners.png: the listeners list with two more listeners
(``[::1]`` and ``127.0.0.1``, any free port: loopback only), each sent a request.

Starts listening on 127.0.0.1 (any free port), sends a browser-like GET, a
JSON POST, a form POST, a multipart upload and a malformed request, selects
the JSON POST and grabs the window at 1280x800 (or ``--size``, say 1024x700,
to see how the window fits a small screen). Uses throwaway settings, so the
user's window layout is untouched.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget

from inspector.addresses import format_hostport
from inspector.listen import ListenSpec
from inspector.models.columns import Role
from inspector.ui.capture import State
from inspector.ui.main_window import APP_NAME, ORG_NAME, MainWindow, open_window

SIZE = (1280, 800)
CHROME_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)


def wait(app: QApplication, condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the window")
        app.processEvents()
        time.sleep(0.01)


def send(
    host: str, port: int, method: str, target: str, headers: dict[str, str], *, body: bytes = b""
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request(method, target, body=body or None, headers=headers)
    conn.getresponse().read()
    conn.close()


def send_malformed(host: str, port: int, data: bytes) -> None:
    """Send bytes that are not a valid request and read the answer until the server closes."""
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(4096):
            pass


def traffic(host: str, port: int) -> None:
    browser = {
        "Host": f"{host}:{port}",
        "Connection": "keep-alive",
        "sec-ch-ua": '"Chromium";v="126", "Not.A/Brand";v="24"',
        "sec-ch-ua-mobile": "?0",
        "sec-ch-ua-platform": '"Linux"',
        "Upgrade-Insecure-Requests": "1",
        "User-Agent": CHROME_UA,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        "Sec-Fetch-Site": "none",
        "Sec-Fetch-Mode": "navigate",
        "Sec-Fetch-Dest": "document",
        "Accept-Encoding": "gzip, deflate, br, zstd",
        "Accept-Language": "en-GB,en;q=0.9",
    }
    send(host, port, "GET", "/index.html?name=jack&age=18", browser)
    icon = dict(browser, Accept="image/avif,image/webp,image/apng,image/*,*/*;q=0.8")
    icon["Sec-Fetch-Dest"] = "image"
    send(host, port, "GET", "/favicon.ico", icon)
    api = {
        "Host": f"{host}:{port}",
        "User-Agent": "orders-service/2.4 (python-httpx/0.27)",
        "Accept": "application/json",
        "Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYWNrIn0.c2lnbmF0dXJl",
        "Content-Type": "application/json",
        "X-Request-ID": "7f3c2a9e-51d4-4b8e-9a61-0c2f4e8b1d77",
    }
    order = (
        b'{"customer": {"id": 4211, "name": "Jack Smith", "email": "jack@example.com"}, '
        b'"items": [{"sku": "MUG-01", "qty": 2, "price": 8.5}, {"sku": "TEE-M", "qty": 1, "price": 19.0}], '
        b'"shipping": {"method": "express", "address": "1 Main St, Springfield"}, "gift": false}'
    )
    send(host, port, "POST", "/api/v1/orders?dry_run=false&source=web", api, body=order)
    form = {
        "Host": f"{host}:{port}",
        "User-Agent": CHROME_UA,
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://{host}:{port}",
        "Referer": f"http://{host}:{port}/login",
    }
    send(host, port, "POST", "/login", form, body=b"username=jack&password=hunter2&remember=on")
    boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    multipart = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHoliday photos\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="beach.png"\r\n'
            f"Content-Type: image/png\r\n\r\n"
        ).encode()
        + b"\x89PNG\r\n\x1a\n"
        + bytes(range(64))
        + f"\r\n--{boundary}--\r\n".encode()
    )
    upload = dict(form, **{"Content-Type": f"multipart/form-data; boundary={boundary}"})
    send(host, port, "POST", "/upload", upload, body=multipart)
    send(host, port, "DELETE", "/api/v1/orders/4211", {"Host": f"{host}:{port}", "User-Agent": "curl/8.5.0"})
    send_malformed(host, port, b"GET /search?q=x HTTP/1.1\r\nHost: example\r\nBad Header\r\n\r\n")
    send(host, port, "GET", "/static/app.js?v=3", dict(browser, Accept="*/*"))


def settle(app: QApplication, rounds: int = 60) -> None:
    """Let previews (rendered off the GUI thread) arrive and the layout settle."""
    for _ in range(rounds):
        app.processEvents()
        time.sleep(0.01)


def open_listening(app: QApplication, folder: Path, size: tuple[int, int]) -> MainWindow:
    """The window at ``size``, listening on 127.0.0.1 with the traffic above, the JSON POST
    selected; settings and history in ``folder`` (the user's stay untouched)."""
    os.environ["REQUEST_INSPECTOR_HOME"] = str(folder)  # the user's rules and history stay untouched
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    history = folder / "history.sqlite3"  # as in real use: history on, in a file
    args = argparse.Namespace(db=str(history), no_db=False, history_limit=None, bind=None, port=None)
    window = open_window(args, settings=settings)
    window.resize(*size)
    window.set_address("127.0.0.1")
    window.set_port(0)
    window.show()
    window.start()
    wait(app, lambda: window.url != "")
    host, port = window.url.removeprefix("http://").rsplit(":", 1)
    traffic(host, int(port))
    wait(app, lambda: window.model.rowCount() >= 8)
    for row in range(window.proxy.rowCount()):
        record = window.proxy.index(row, 0).data(Role.RECORD)
        if record.method == "POST" and record.path.startswith("/api/"):
            window.table.selectRow(row)
            break
    return window


def open_rules(window: MainWindow) -> None:
    """The rules editor's window on a rule made from the selected request, its body a JSON template."""
    record = window.detail.record
    if record is None:
        raise SystemExit("no request selected for the rules screenshot")
    window.table.create_rule_requested.emit(record)
    window.rules.editor.form.body_edit.setPlainText(
        '{"received": {{ request.json["items"] | length }}, "id": "{{ uuid() }}",\n'
        ' "customer": {{ request.json.customer.name | tojson }}}'
    )


def grab(app: QApplication, widget: QWidget, out: Path) -> None:
    settle(app)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(out)):
        raise SystemExit(f"could not write {out}")


def listeners_shot(app: QApplication, window: MainWindow, out: Path, size: tuple[int, int]) -> None:
    """The listeners list beside the table: two more loopback listeners, with traffic."""
    window.listeners.show()
    for _ in range(5):
        app.processEvents()
    window.resize(*size)
    window.resizeDocks([window.listeners], [280], Qt.Orientation.Horizontal)
    rows = [window.listeners.add_listener(ListenSpec(host, 0)) for host in ("::1", "127.0.0.1")]
    for row in rows:
        assert row is not None
        row.start_button.click()
    wait(app, lambda: all(row and window.capture.state(row.key) is not State.STARTING for row in rows))
    for row in rows:
        assert row is not None
        text = row.state_label.text()
        if text.startswith("Listening on "):
            host, _, port = text.removeprefix("Listening on ").rpartition(":")
            host = host.strip("[]")
            headers = {"Host": format_hostport(host, int(port)), "User-Agent": "curl/8.5.0"}
            send(host, int(port), "GET", f"/from/{host}", headers)
    wait(app, lambda: window.model.rowCount() >= 10)
    for _ in range(40):
        app.processEvents()
        time.sleep(0.01)
    if not window.grab().save(str(out)):
        raise SystemExit(f"could not write {out}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "out",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "docs" / "screenshot.png",
    )
    parser.add_argument("--size", default=f"{SIZE[0]}x{SIZE[1]}", help="window size WxH (1280x800)")
    return parser.parse_args()


def main() -> int:
    options = parse_args()
    out: Path = options.out
    width, _, height = options.size.partition("x")
    size = (int(width), int(height))
    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    with tempfile.TemporaryDirectory() as tmp:
        window = open_listening(app, Path(tmp), size)
        window.detail.setCurrentWidget(window.detail.body_view)
        grab(app, window, out)
        open_rules(window)
        window.rules.resize(*size)
        grab(app, window.rules, out.with_name("screenshot-rules.png"))
        window.rules.editor.revert()
        window.rules.hide()
        listeners_shot(app, window, out.with_name("screenshot-listeners.png"), size)
        window.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
