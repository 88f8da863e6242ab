"""Test-wide setup, done before anything imports Qt, and the record factory.

Qt renders offscreen, and the app-data folder (history, rules) is a fresh
temporary one, so no test reads or writes the user's own files; each test gets
its own (:func:`app_home`), so rules one test saves never answer another's
requests (headless mode answers from the rules the window saved).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings

from inspector.http.record import CaptureRecord, SentResponse

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["REQUEST_INSPECTOR_HOME"] = tempfile.mkdtemp(prefix="request-inspector-tests-")

# `make mutate` (tools/mutate.py) runs each mutant's tests at nice 19 on a busy machine:
# a slow example is no failure there, every run draws the same examples (a surviving
# mutant can be reproduced), and a failing example is not shrunk (a kill needs no
# minimal example, and shrinking costs more than the search).
settings.register_profile(
    "mutate",
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
#: the most examples a property test draws under the `mutate` profile: a test that asks
#: for thousands (tests/http/test_syntax.py: 3,000) ran past pytest-timeout at nice 19
#: with every function behind mutmut's trampoline; a few hundred examples still reach
#: what a mutant changes
MUTATE_MAX_EXAMPLES = 300
#: under a mutant, tests that took longer than this in mutmut's stats run are left out
#: unless ``MUTATE_SLOW_TESTS=1`` (``tools/mutate.py retest --slow``)
MUTATE_SLOW_TEST_SECONDS = 3.0


def _fastest_first(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under mutmut (``MUTANT_UNDER_TEST`` set), run the tests fastest first.

    mutmut stops a mutant's tests at the first failure (``-x``) but hands them over in
    file order: a mutant of the parser core that a 0.01 s test kills waited behind the
    20 s of property tests that come first. The durations are the ones mutmut measured
    in its stats run; its clean run (``MUTANT_UNDER_TEST`` empty) runs the same order,
    so a test that only passes in file order fails that run instead of killing mutants.
    """
    under_test = os.environ.get("MUTANT_UNDER_TEST")
    if under_test is None or (under_test and "__mutmut_" not in under_test):
        return
    try:
        from mutmut.state import state
    except ImportError:
        return
    durations = state().duration_by_test
    if not durations:
        return
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
    if under_test and os.environ.get("MUTATE_SLOW_TESTS") != "1":
        # a surviving mutant runs every test that reaches it: the few slow ones (a SIGKILL
        # test, 100,000 rows) cost more than all the others; they join in `retest --slow`
        slow = [item for item in items if durations.get(item.nodeid, 0.0) > MUTATE_SLOW_TEST_SECONDS]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = items[: len(items) - len(slow)]


@pytest.fixture(autouse=True)
def _mutants_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under mutmut, a process a test starts (``main.py --headless``) runs the original code.

    It inherited ``MUTANT_UNDER_TEST``, and mutmut's trampolines in a process started in
    another folder failed to load mutmut's configuration ("Could not figure out where the
    code to mutate is"), which failed the whole stats run. This process keeps the mutant
    in mutmut's own process-local copy, which the trampolines read when the variable is gone.
    """
    if "MUTANT_UNDER_TEST" in os.environ:
        monkeypatch.delenv("MUTANT_UNDER_TEST")


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Under mutmut, a parameter id holds no "::" (an IPv6 address such as ``[::1]:8091``).

    mutmut hands each mutant's tests to pytest by node id, and pytest splits a node id at
    "::": ``test_keys[[::1]:8091]`` is not found, and the whole run stops.
    """
    if "MUTANT_UNDER_TEST" not in os.environ or not isinstance(val, str) or "::" not in val:
        return None
    while "::" in val:  # ":::" needs two rounds
        val = val.replace("::", ":_:")
    return val


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under the `mutate` profile, cap each property test's own ``max_examples``."""
    if settings.get_current_profile_name() != "mutate":
        return
    _fastest_first(config, items)
    for item in items:
        test = getattr(item, "obj", None)
        # the settings a @settings decorator gave the test; Hypothesis reads them at each call
        chosen = getattr(test, "_hypothesis_internal_use_settings", None)
        if chosen is not None and chosen.max_examples > MUTATE_MAX_EXAMPLES:
            test._hypothesis_internal_use_settings = settings(chosen, max_examples=MUTATE_MAX_EXAMPLES)  # type: ignore[union-attr]


def make_record(**overrides: Any) -> CaptureRecord:
    """A clean GET record; keyword arguments override any field."""
    fields: dict[str, Any] = {
        "id": 1,
        "received_at": time.time(),
        "client": "127.0.0.1:50000",
        "server": "127.0.0.1:8090",
        "method": "GET",
        "target": "/index.html?name=jack&age=18",
        "path": "/index.html",
        "query": (("name", "jack"), ("age", "18")),
        "http_version": "1.1",
        "headers": (("Host", "127.0.0.1:8090"), ("User-Agent", "test")),
        "raw_head": b"GET /index.html?name=jack&age=18 HTTP/1.1\r\nHost: 127.0.0.1:8090\r\n"
        b"User-Agent: test\r\n\r\n",
        "response": SentResponse(
            status=200, reason="OK", body=b"hello world", rule="default", bytes=80, duration_ms=0.25
        ),
    }
    fields.update(overrides)
    if "body" in overrides and "body_size" not in overrides:
        fields["body_size"] = len(overrides["body"])
    return CaptureRecord(**fields)


@pytest.fixture
def record_factory() -> Callable[..., CaptureRecord]:
    return make_record


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own app-data folder (subprocesses it starts inherit it)."""
    home = tmp_path / "app-home"
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(home))
    return home
