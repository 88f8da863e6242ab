"""The listening sockets of one loop: opened on any thread, watched and closed on the loop's.

One loop thread and one selector serve every listener (docs/ARCHITECTURE.md,
"Threads"): bench/listeners.py measured two ports on one loop at the CPU per
request of one port, where a loop per listener adds a thread and its deadline
sweeps for each. A listener is bound on the caller's thread, so a bind failure
is the caller's exception at once (and naming a port's holder, which may take
a second, never stalls the loop); the bound socket then reaches the loop
through a queue and the loop's wake-up socket, and only the loop thread
touches the selector. Closing a listener goes the same way; its connections
end with it.
"""

from __future__ import annotations

import collections
import selectors
import socket
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from inspector.addresses import format_hostport, normalise_address, url_for
from inspector.server.accepting import Acceptor
from inspector.server.bind import BindError, bind_listener


@dataclass(frozen=True, slots=True)
class Listening:
    """A bound listener: ``host`` as asked (``localhost`` resolved), the real ``port``."""

    host: str
    port: int

    @property
    def name(self) -> str:
        """``127.0.0.1:8090``, ``[::1]:8090``: its records' ``server``."""
        return format_hostport(self.host, self.port)

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` (``http://0.0.0.0:PORT`` for a wildcard: see inspector.listen.urls)."""
        return url_for(self.host, self.port)


@dataclass(frozen=True, slots=True)
class _Change:
    listening: Listening
    sock: socket.socket | None  # the bound socket to watch; None: stop watching
    done: threading.Event | None


class Listeners:
    """Which sockets a loop accepts on.

    Args:
        selector: the loop's selector (touched on the loop thread only).
        wake: makes the loop's ``select`` return (safe from any thread).
    """

    def __init__(self, selector: selectors.BaseSelector, wake: Callable[[], object]) -> None:
        self._sel = selector
        self._wake = wake
        self._lock = threading.Lock()  # between threads that open and close listeners
        self._listening: dict[str, Listening] = {}  # replaced whole, so readers need no lock
        self._changes: collections.deque[_Change] = collections.deque()
        self._closed = False
        #: the first listener opened (none yet: no host, port 0)
        self.first = Listening("", 0)
        #: loop thread: the acceptor of each watched listening socket, by descriptor
        self.by_fd: dict[int, Acceptor] = {}
        #: loop thread: the earliest time a paused acceptor resumes, or None
        self.paused_until: float | None = None

    @property
    def listening(self) -> tuple[Listening, ...]:
        """The listeners open now, in the order they were opened (safe from any thread)."""
        return tuple(self._listening.values())

    # -- any thread ---------------------------------------------------------------

    def open(self, host: str, port: int, *, avoid: Collection[int] = ()) -> Listening:
        """Bind ``host``:``port`` now; the loop starts accepting on it at its next round.

        Raises:
            BindError: the address or port cannot be used (one line), or the loop has ended.
        """
        host = normalise_address(host)
        sock = bind_listener(host, port, avoid=avoid)
        bound = sock.getsockname()
        listening = Listening(host if host not in ("localhost", "") else str(bound[0]), int(bound[1]))
        with self._lock:
            if self._closed:
                sock.close()
                raise BindError(f"{listening.name}: the server has stopped")
            self._listening = {**self._listening, listening.name: listening}
            if not self.first.port:
                self.first = listening
            self._changes.append(_Change(listening, sock, None))
        self._wake()
        return listening

    def close(self, name: str) -> threading.Event | None:
        """Stop listening on ``name``; its connections end (their requests say why).

        Returns:
            An event set once the socket and its connections are closed, or
            None when nothing listens under ``name``.
        """
        with self._lock:
            listening = self._listening.get(name)
            if listening is None:
                return None
            self._listening = {key: value for key, value in self._listening.items() if key != name}
            done = threading.Event()
            if self._closed:
                done.set()
                return done
            self._changes.append(_Change(listening, None, done))
        self._wake()
        return done

    # -- the loop thread ----------------------------------------------------------

    def apply(self) -> Iterator[tuple[str, threading.Event]]:
        """Watch the sockets opened since the last call, stop watching the ones closed.

        Yields:
            Each closed listener's name and its event, to set once its
            connections are gone.
        """
        while self._changes:
            change = self._changes.popleft()
            name = change.listening.name
            if change.sock is not None:
                acceptor = Acceptor(change.sock, self._sel, name)
                self.by_fd[acceptor.sock.fileno()] = acceptor
                continue
            for fd, acceptor in list(self.by_fd.items()):
                if acceptor.name == name:
                    del self.by_fd[fd]
                    acceptor.close()
            assert change.done is not None
            yield name, change.done

    def paused(self, acceptor: Acceptor) -> None:
        """``acceptor`` stopped watching its socket for a while (out of descriptors)."""
        due = acceptor.paused_until
        if due is not None and (self.paused_until is None or due < self.paused_until):
            self.paused_until = due

    def resume(self, now: float | None = None) -> None:
        """Watch paused sockets again: those due by ``now``, or all (a descriptor was freed)."""
        self.paused_until = None
        for acceptor in self.by_fd.values():
            due = acceptor.paused_until
            if due is None:
                continue
            if now is None or now >= due:
                acceptor.resume()
            else:
                self.paused(acceptor)

    def close_all(self) -> None:
        """Close every listening socket, opened or not yet watched; later opens fail."""
        with self._lock:
            self._closed = True
            self._listening = {}
        for _, done in self.apply():
            done.set()
        for acceptor in self.by_fd.values():
            acceptor.close()
        self.by_fd.clear()


class ListenerControl:
    """The server's listeners, as :class:`~inspector.server.Server` offers them."""

    _listeners: Listeners

    def listen(self, host: str, port: int, *, avoid: Collection[int] = ()) -> Listening:
        """Accept on ``host``:``port`` too; safe from any thread, before or while serving.

        Args:
            avoid: ports a port in use must not suggest (listeners about to be opened).

        Raises:
            BindError: the address or port cannot be used (one line; a port in
                use names its holder, which may take up to a second to find).
        """
        return self._listeners.open(host, port, avoid=avoid)

    def unlisten(self, name: str) -> threading.Event | None:
        """Stop accepting on the listener ``name`` and end its connections (their
        requests say why); the others keep serving. Safe from any thread.

        Returns:
            An event set once it is closed, or None when no listener has that name.
        """
        return self._listeners.close(name)

    @property
    def listening(self) -> tuple[Listening, ...]:
        """The listeners open now, in the order they were opened."""
        return self._listeners.listening

    @property
    def host(self) -> str:
        """The first listener's address ("" before any); ``port`` and ``url`` are its too."""
        return self._listeners.first.host

    @property
    def port(self) -> int:
        return self._listeners.first.port

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` with the real port."""
        return self._listeners.first.url
