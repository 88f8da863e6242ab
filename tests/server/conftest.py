"""Fixtures for real-socket tests (the harness is tests/harness.py)."""

from tests.harness import running, start_server

__all__ = ["running", "start_server"]
