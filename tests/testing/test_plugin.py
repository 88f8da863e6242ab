"""The pytest plugin, run as users run it: loaded through its ``pytest11`` entry point
in a separate pytest process (pytester), with no display and no Qt platform set.

The entry point comes from pyproject.toml: a throwaway ``.dist-info`` folder
declaring exactly the table there is put on the inner run's ``PYTHONPATH``
(the checkout's own package stays first), so these tests hold whether or not
the shared environment was installed with the entry point yet.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests" / "data" / "har-1.2.schema.json").read_text())
ENTRY_POINTS = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["entry-points"]
#: no cache folder; and without this project's own pytest-qt, which imports Qt
#: whenever it loads (the inner run checks that the plugin loads none)
ARGS = ("-p", "no:cacheprovider", "-p", "no:pytest-qt")
HAR_LINE = re.compile(r"^HAR file: (.+\.har)$", re.MULTILINE)


@pytest.fixture
def inner(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    """A pytester whose runs load the plugin only through the declared entry point."""
    site = tmp_path_factory.mktemp("site")
    info = site / "request_inspector_entry_point-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: request-inspector-entry-point\nVersion: 0\n")
    lines = [
        f"[{group}]" + "".join(f"\n{k} = {v}" for k, v in table.items())
        for group, table in ENTRY_POINTS.items()
    ]
    (info / "entry_points.txt").write_text("\n\n".join(lines) + "\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), str(site)]))
    for name in (
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
        "PYTEST_ADDOPTS",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "QT_QPA_PLATFORM",
    ):
        monkeypatch.delenv(name, raising=False)
    return pytester


def har_paths(output: str) -> list[Path]:
    return [Path(found) for found in HAR_LINE.findall(output)]


def validate_har(path: Path) -> dict[str, object]:
    har = json.loads(path.read_text("utf-8"))
    jsonschema.Draft202012Validator(SCHEMA).validate(har)
    return har  # type: ignore[no-any-return]


TESTS = """
import http.client
import sys

import pytest


def send(port, method, target, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, target, body=body, headers=headers or {})
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer.status


def test_passes(request_inspector):
    assert send(request_inspector.port, "POST", "/hook", b'{"event": "paid"}', {"X-Sig": "s1"}) == 200
    hook = request_inspector.wait_for("POST", "/hook", header="X-Sig")
    assert hook.json() == {"event": "paid"}


def test_fails(request_inspector):
    request_inspector.set_rules([{"path": "/hooks", "status": 202}])
    send(request_inspector.port, "GET", "/health")
    send(request_inspector.port, "POST", "/hooks", b"\\xff binary \\x00")
    request_inspector.wait_for("POST", "/hook", timeout=0.2)


def test_session_first(request_inspector_session):
    send(request_inspector_session.port, "GET", "/first")
    request_inspector_session.wait_for("GET", "/first")


def test_session_second_fails(request_inspector_session):
    send(request_inspector_session.port, "GET", "/second")
    assert request_inspector_session.requests[-1].path == "/nothing"


def test_no_qt_was_loaded():
    assert not [m for m in sys.modules if m.startswith(("PySide6", "shiboken6"))]
"""


def test_passing_and_failing_tests_and_their_reports(inner: pytest.Pytester) -> None:
    inner.makepyfile(test_inner=TESTS)
    result = inner.runpytest_subprocess(*ARGS, "-rf")
    result.assert_outcomes(passed=3, failed=2)
    out = result.stdout.str()

    # the failing function-scoped test: its section lists what arrived, newest last
    section = out.split("- request inspector -", 1)[1]
    assert re.match(
        r"-*\n2 requests arrived at http://127\.0\.0\.1:\d+ during the test \(newest last\):\n"
        r"  #1 GET /health -> 200\n"
        r"  #2 POST /hooks -> 202\n"
        r"HAR file: .+request-inspector\.har\n",
        section,
    ), section
    # ... after the assertion message with the closest request
    assert "no request POST /hook arrived at http://127.0.0.1:" in out
    assert "#2 POST /hooks -> 202: path '/hooks' does not match '/hook'" in out

    # the session-scoped one: only the requests of the failing test
    session = out.split("- request inspector (session) -", 1)[1]
    assert re.match(
        r"-*\n1 request arrived at http://127\.0\.0\.1:\d+ during the test \(newest last\):\n"
        r"  #2 GET /second -> 200\n"
        r"HAR file: .+request-inspector-session\.har\n",
        session,
    ), session

    function_har, session_har = har_paths(out)
    assert function_har.parent.name.startswith("test_fails")
    har = validate_har(function_har)
    entries = har["log"]["entries"]  # type: ignore[index]
    assert [(e["request"]["method"], e["request"]["url"].split("/", 3)[3]) for e in entries] == [
        ("GET", "health"),
        ("POST", "hooks"),
    ]
    assert entries[1]["response"]["status"] == 202
    assert validate_har(session_har)["log"]["entries"][0]["request"]["url"].endswith("/second")  # type: ignore[index]

    # passing tests add nothing, and no HAR is written for them
    assert "test_passes" not in out.split("short test summary")[1]
    assert len(har_paths(out)) == 2


def test_the_fixtures_are_listed_and_the_plugin_can_be_switched_off(inner: pytest.Pytester) -> None:
    listed = inner.runpytest_subprocess(*ARGS, "--fixtures")
    assert re.search(r"^request_inspector -- .*plugin\.py", listed.stdout.str(), re.MULTILINE)
    assert re.search(r"^request_inspector_session \[session scope\]", listed.stdout.str(), re.MULTILINE)

    inner.makepyfile(test_off="def test_off(request_inspector):\n    pass\n")
    off = inner.runpytest_subprocess(*ARGS, "-p", "no:request_inspector")
    off.assert_outcomes(errors=1)
    off.stdout.fnmatch_lines(["*fixture 'request_inspector' not found*"])


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Using it from tests and CI", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_example_passes_and_fails_as_the_readme_shows(inner: pytest.Pytester) -> None:
    example = readme_example()
    assert len(example.strip().splitlines()) <= 11
    inner.makepyfile(test_webhooks=example)
    inner.runpytest_subprocess(*ARGS).assert_outcomes(passed=1)

    unsigned = example.replace(', headers={"X-Signature": "sha256=9f2c"}', "")
    unsigned = unsigned.replace('json={"event": "paid"})', 'json={"event": "paid"}, timeout=0.5)')
    assert unsigned.count("timeout=0.5") == 1
    assert "X-Signature" in unsigned
    assert "sha256" not in unsigned
    inner.makepyfile(test_webhooks=unsigned)
    result = inner.runpytest_subprocess(*ARGS)
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    shown = [
        "AssertionError: no request POST /hooks/* with header X-Signature present, json event "
        "equals 'paid' arrived at http://127.0.0.1:PORT within 0.5 s",
        "1 request arrived (newest last):",
        "  #1 POST /hooks/paid -> 202",
        "the one that came closest:",
        "  #1 POST /hooks/paid -> 202: no header X-Signature",
    ]
    port = re.search(r"127\.0\.0\.1:(\d+)", out)
    assert port, out
    for line in shown:
        wanted = line.replace("PORT", port[1])
        assert re.search(r"^E {3,}" + re.escape(wanted) + "$", out, re.MULTILINE), (wanted, out)
    assert re.search(
        r"-+ request inspector -+\n1 request arrived at http://127\.0\.0\.1:\d+ during the test "
        r"\(newest last\):\n  #1 POST /hooks/paid -> 202\nHAR file: \S+/test_webhook_is_signed0/"
        r"request-inspector\.har\n",
        out,
    ), out
    # the README shows the same lines (with the default timeout)
    readme = (ROOT / "README.md").read_text("utf-8")
    for line in shown:
        wanted = line.replace("PORT", "41375").replace("within 0.5 s", "within 5 s")
        assert re.search(r"^E {3,}" + re.escape(wanted) + "$", readme, re.MULTILINE), wanted
