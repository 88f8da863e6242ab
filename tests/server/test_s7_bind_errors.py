"""The one-line error of a listener the system refuses for a reason other than a
port in use, permissions or an unknown address: the system's words, no errno."""

from __future__ import annotations

import errno
import os
import socket

import pytest

from inspector.server import BindError, bind, bind_listener


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (OSError(errno.EINVAL, os.strerror(errno.EINVAL)), f"cannot listen ({os.strerror(errno.EINVAL)})"),
        (OSError(errno.ENOBUFS, os.strerror(errno.ENOBUFS)), f"cannot listen ({os.strerror(errno.ENOBUFS)})"),
        (OSError("no words from the system"), "cannot listen (no words from the system)"),
    ],
)
def test_another_refusal_names_the_listener_and_the_systems_words(
    monkeypatch: pytest.MonkeyPatch, error: OSError, message: str
) -> None:
    def refused(family: int, sockaddr: tuple[object, ...]) -> socket.socket:
        raise error

    monkeypatch.setattr(bind, "_open", refused)
    with pytest.raises(BindError) as info:
        bind_listener("127.0.0.1", 8123)
    assert str(info.value) == f"127.0.0.1:8123: {message}"
