"""Fixtures for the TLS tests: one CA per test session (making one takes a few ms, but each
test that needs a fresh folder asks for ``tmp_path`` itself)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.tls.ca import LocalCA, load_or_create
from inspector.tls.contexts import ServerContexts
from tests.harness import start_server

__all__ = ["ca_file", "contexts", "local_ca", "start_server"]


@pytest.fixture(scope="session")
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return load_or_create(tmp_path_factory.mktemp("tls") / "ca")


@pytest.fixture(scope="session")
def contexts(local_ca: LocalCA) -> ServerContexts:
    return ServerContexts(local_ca)


@pytest.fixture(scope="session")
def ca_file(local_ca: LocalCA) -> Path:
    return local_ca.cert_path
