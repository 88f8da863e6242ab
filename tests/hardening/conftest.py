"""Fixtures for the hardening tests (the harness is tests/harness.py)."""

from tests.harness import start_server

__all__ = ["start_server"]
