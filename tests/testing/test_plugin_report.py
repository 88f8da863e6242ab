"""The pytest plugin's report section, built in this process from the plugin's own parts.

tests/testing/test_plugin.py runs the plugin as users run it (a separate pytest
process); these tests call what its hook calls (the section's title, its text,
the HAR file's folder) with a stand-in for the failed test's item, so the text
of every case is checked line by line: none, one, many requests, requests no
longer kept, a session listener's earlier requests, a HAR file that cannot be written.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from inspector.testing import Inspector
from inspector.testing.plugin import (
    _SESSION_KEY,
    FIXTURE,
    HAR_NAMES,
    REPORT_LINES,
    SESSION_FIXTURE,
    _har_folder,
    _section,
    _title,
)


class Item(SimpleNamespace):
    """What the plugin reads of a test item: its name, fixture values and config stash."""

    def __init__(self, name: str, funcargs: dict[str, Any], stash: dict[Any, Any] | None = None) -> None:
        super().__init__(name=name, funcargs=funcargs, config=SimpleNamespace(stash=stash or {}))


def send(inspector: Inspector, target: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", inspector.port, timeout=10)
    try:
        conn.request("GET", target)
        conn.getresponse().read()
    finally:
        conn.close()


def har_targets(path: Path) -> list[str]:
    har = json.loads(path.read_text("utf-8"))
    return ["/" + entry["request"]["url"].split("/", 3)[3] for entry in har["log"]["entries"]]


@pytest.fixture
def insp() -> Iterator[Inspector]:
    with Inspector() as inspector:
        yield inspector


def test_the_section_titles() -> None:
    assert _title(FIXTURE) == "request inspector"
    assert _title(SESSION_FIXTURE) == "request inspector (session)"


def test_no_requests_is_one_line_and_no_har_file(insp: Inspector, tmp_path: Path) -> None:
    text = _section(Item("test_x", {"tmp_path": tmp_path}), FIXTURE, insp, 0)
    assert text == f"no requests arrived at {insp.url} during the test\n"
    assert list(tmp_path.iterdir()) == []


def test_one_request_its_line_and_its_har_file(insp: Inspector, tmp_path: Path) -> None:
    send(insp, "/only")
    har = tmp_path / "request-inspector.har"
    text = _section(Item("test_x", {"tmp_path": tmp_path}), FIXTURE, insp, 0)
    assert text == (
        f"1 request arrived at {insp.url} during the test (newest last):\n"
        "  #1 GET /only -> 200\n"
        f"HAR file: {har}\n"
    )
    assert har_targets(har) == ["/only"]


def test_many_requests_are_listed_up_to_the_report_limit(tmp_path: Path) -> None:
    # max_records 2 below the count: the oldest are counted, not kept
    with Inspector(max_records=REPORT_LINES + 2) as insp:
        for number in range(1, REPORT_LINES + 4):
            send(insp, f"/n{number}")
        text = _section(Item("test_x", {"tmp_path": tmp_path}), FIXTURE, insp, 0)
    lines = text.splitlines()
    har = tmp_path / "request-inspector.har"
    assert lines[0] == f"{REPORT_LINES + 3:,} requests arrived at {insp.url} during the test (newest last):"
    assert lines[1] == "  (3 earlier not shown)"
    assert lines[2:-1] == [f"  #{n} GET /n{n} -> 200" for n in range(4, REPORT_LINES + 4)]
    assert lines[-1] == f"HAR file: {har}"
    assert text.endswith("\n") and not text.endswith("\n\n")
    # the HAR file holds every request still kept, not only the ones listed
    assert har_targets(har) == [f"/n{n}" for n in range(2, REPORT_LINES + 4)]


def test_a_session_listener_shows_only_the_requests_since_the_test_began(tmp_path: Path) -> None:
    with Inspector() as insp:
        send(insp, "/earlier")
        since = insp._log.mark
        for target in ("/a", "/b"):
            send(insp, target)
        factory = SimpleNamespace(mktemp=pytest.fail)  # a tmp_path in the test: never used
        item = Item("test_s", {"tmp_path": tmp_path}, {_SESSION_KEY: (insp, factory)})
        text = _section(item, SESSION_FIXTURE, insp, since)
    har = tmp_path / "request-inspector-session.har"
    assert text == (
        f"2 requests arrived at {insp.url} during the test (newest last):\n"
        "  #2 GET /a -> 200\n"
        "  #3 GET /b -> 200\n"
        f"HAR file: {har}\n"
    )
    # the HAR file too holds only this test's requests
    assert har_targets(har) == ["/a", "/b"]


def test_the_har_file_names_per_fixture() -> None:
    assert HAR_NAMES == {FIXTURE: "request-inspector.har", SESSION_FIXTURE: "request-inspector-session.har"}


def test_a_har_file_that_cannot_be_written_is_one_line(insp: Inspector, tmp_path: Path) -> None:
    send(insp, "/x")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    text = _section(Item("test_x", {"tmp_path": not_a_folder}), FIXTURE, insp, 0)
    assert text.splitlines()[-1] == "HAR file: not written (Not a directory)"
    assert text.endswith(")\n")


def test_the_har_folder_is_the_tests_tmp_path(tmp_path: Path) -> None:
    # no session listener in the stash: only the test's tmp_path can answer
    assert _har_folder(Item("test_x", {"tmp_path": tmp_path, "other": 1})) == tmp_path


def test_without_tmp_path_the_har_folder_is_named_after_the_test(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    name = "test_session_listener_in_a_parametrized_test[a-b c/d]"
    item = Item(name, {"other": 1}, {_SESSION_KEY: (None, tmp_path_factory)})
    first = _har_folder(item)
    second = _har_folder(item)
    assert first.is_dir() and second.is_dir() and first != second
    prefix = "test_session_listener_in_a_par"  # the name's first 30 characters
    assert re.fullmatch(re.escape(prefix) + r"\d+", first.name), first.name
    assert first.parent == tmp_path_factory.getbasetemp()

    short = Item("test_p[x y-é]", {}, {_SESSION_KEY: (None, tmp_path_factory)})
    assert re.fullmatch(r"test_p_x_y_é_\d+", _har_folder(short).name)
