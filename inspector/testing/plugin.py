"""The pytest plugin (entry point ``pytest11``): the ``request_inspector`` fixtures.

``request_inspector``: a started :class:`~inspector.testing.Inspector` of its
own for each test, stopped after it. ``request_inspector_session``: one for
the whole session (the same URL in every test, for clients set up once; its
rules and requests carry over from test to test unless a test clears them).

When a test that uses either fails, its report gets a "request inspector"
section: the requests that arrived during the test, one line each, newest
last, and the path of a HAR 1.2 file holding all of them, written under the
test's temporary folder.

pytest loads this module in every run once the package is installed, used or
not; so it imports nothing of the listener until a fixture is asked for
(``tests/testing/test_plugin_cost.py`` holds it to that).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from inspector.testing.inspector import Inspector

#: the fixtures' names (the report section looks for them among a test's fixtures)
FIXTURE: Final = "request_inspector"
SESSION_FIXTURE: Final = "request_inspector_session"
#: the report section's title
SECTION: Final = "request inspector"
#: the HAR file's name in the test's temporary folder, per fixture
HAR_NAMES: Final = {FIXTURE: "request-inspector.har", SESSION_FIXTURE: "request-inspector-session.har"}
#: requests the report lists (the HAR file holds every one)
REPORT_LINES: Final = 50

_SESSION_KEY = pytest.StashKey[tuple["Inspector", pytest.TempPathFactory]]()
_SINCE_KEY = pytest.StashKey[int]()


@pytest.fixture
def request_inspector(tmp_path: Path) -> Iterator[Inspector]:
    """A listener on 127.0.0.1 (a free port) for this test: ``.url``, ``.wait_for(...)``,
    ``.requests``, ``.set_rules(...)``. When the test fails, its report lists the
    requests that arrived and the path of a HAR file with them."""
    from inspector.testing.inspector import Inspector

    with Inspector() as inspector:
        yield inspector


@pytest.fixture(scope="session")
def request_inspector_session(
    pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Inspector]:
    """One listener for the whole session (the same ``.url`` throughout). Requests and
    rules carry over between tests: call ``.clear()`` / ``.set_rules(None)`` where
    that matters. A failed test's report shows the requests that arrived during it."""
    from inspector.testing.inspector import Inspector

    with Inspector() as inspector:
        pytestconfig.stash[_SESSION_KEY] = (inspector, tmp_path_factory)
        try:
            yield inspector
        finally:
            del pytestconfig.stash[_SESSION_KEY]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # where this test's requests start in the session listener's log
    session = item.config.stash.get(_SESSION_KEY, None)
    item.stash[_SINCE_KEY] = session[0]._log.mark if session is not None else 0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    for name in (FIXTURE, SESSION_FIXTURE):
        inspector = funcargs.get(name)
        if inspector is not None:
            since = item.stash.get(_SINCE_KEY, 0) if name == SESSION_FIXTURE else 0
            report.sections.append((_title(name), _section(item, name, inspector, since)))


def _title(name: str) -> str:
    return SECTION if name == FIXTURE else f"{SECTION} (session)"


def _har_folder(item: pytest.Item) -> Path:
    tmp_path = getattr(item, "funcargs", {}).get("tmp_path")
    if isinstance(tmp_path, Path):  # always there with the function-scoped fixture
        return tmp_path
    # the session fixture in a test without tmp_path: a folder named after the test
    _, factory = item.config.stash[_SESSION_KEY]
    return factory.mktemp(re.sub(r"\W", "_", item.name)[:30], numbered=True)


def _section(item: pytest.Item, name: str, inspector: Inspector, since: int) -> str:
    from inspector.testing.lines import arrivals

    records, dropped = inspector._log.snapshot(since)
    count = len(records) + dropped
    where = inspector.url
    if not count:
        return f"no requests arrived at {where} during the test\n"
    noun = "request" if count == 1 else "requests"
    lines = [f"{count:,} {noun} arrived at {where} during the test (newest last):"]
    lines.extend(arrivals(records, limit=REPORT_LINES, earlier=dropped))
    try:
        har = _har_folder(item) / HAR_NAMES[name]
        inspector.save_har(har, records)
    except OSError as exc:
        lines.append(f"HAR file: not written ({exc.strerror or exc})")
    else:
        lines.append(f"HAR file: {har}")
    return "\n".join(lines) + "\n"
