"""Shared helpers for the store tests: the record factory as fixtures, a subprocess env."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from inspector.http.record import CaptureRecord
from tests.records import REPO, make_record, record_variants


@pytest.fixture(name="make_record")
def _make_record_fixture() -> Callable[..., CaptureRecord]:
    return make_record


@pytest.fixture(name="variants")
def _variants_fixture() -> list[CaptureRecord]:
    return record_variants()


@pytest.fixture(name="subprocess_env")
def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env
