"""The ``request`` object templates see, built lazily from a capture record.

Strategy: templates only read, so every view here is read-only and exposes no
attribute starting with ``_`` (the sandbox blocks those anyway). Costly
decodings (body text, JSON, form, cookies) happen on first use, because most
templates touch none of them and the listener answers tens of thousands of
requests a second.

Multi-valued data (query, headers, form, cookies) keeps every pair in order,
as mitmproxy's multi-dicts do: ``view.name`` / ``view["name"]`` give the first
value, ``view.getlist("name")`` every value, ``view.items()`` the raw pairs.

Everything a template can reach costs time linear in the request and is capped,
because a template runs on the server's one thread and its time cap is only
checked between calls (docs/SECURITY.md, "Rules and templates"): a view indexes
its names once, on first lookup, so each lookup and ``to_dict()`` after it is
linear in all; a view holds at most :data:`MAX_FIELDS` pairs (``truncated``
says when more were sent); form bodies are split at most that many times and
multipart bodies are read by :mod:`inspector.responses.multipart`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import cached_property
from itertools import islice
from typing import Any

from inspector.addresses import format_hostport
from inspector.http.query import decode_query
from inspector.http.record import CaptureRecord
from inspector.responses.multipart import parse_form_data

#: pairs one view holds (form fields, cookies, query pairs, files); a multipart
#: body gives at most multipart.MAX_PARTS
MAX_FIELDS = 10_000


class MultiView:
    """Ordered multi-dict over (name, value) pairs; exact-case names.

    Attributes:
        truncated: more than MAX_FIELDS pairs were given; only the first are here.
    """

    __slots__ = ("_index", "_pairs", "truncated")

    def __init__(self, pairs: Iterable[tuple[str, str]], *, truncated: bool = False) -> None:
        kept = tuple(islice(pairs, MAX_FIELDS + 1))
        self._pairs: tuple[tuple[str, str], ...] = kept[:MAX_FIELDS]
        self.truncated: bool = truncated or len(kept) > MAX_FIELDS
        self._index: dict[str, tuple[str, list[str]]] | None = None

    def _key(self, name: str) -> str:
        return name

    def _lookup(self) -> dict[str, tuple[str, list[str]]]:
        """key -> (the name as first sent, every value), built once."""
        if self._index is None:
            index: dict[str, tuple[str, list[str]]] = {}
            for name, value in self._pairs:
                entry = index.get(self._key(name))
                if entry is None:
                    index[self._key(name)] = (name, [value])
                else:
                    entry[1].append(value)
            self._index = index
        return self._index

    def _find(self, name: str) -> list[str]:
        entry = self._lookup().get(self._key(name))
        return [] if entry is None else entry[1]

    def get(self, name: str, default: Any = None) -> Any:
        values = self._find(str(name))
        return values[0] if values else default

    def getlist(self, name: str) -> list[str]:
        """Every value of ``name`` in received order."""
        return list(self._find(str(name)))

    def items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair, in order, duplicates kept."""
        return list(self._pairs)

    def keys(self) -> list[str]:
        """Each name once, as first sent, in order of first appearance."""
        return [name for name, _ in self._lookup().values()]

    def values(self) -> list[str]:
        return [v for _, v in self._pairs]

    def to_dict(self) -> dict[str, Any]:
        """{name: value}, or {name: [values]} for repeated names (httpbin style)."""
        return {
            name: values[0] if len(values) == 1 else list(values)
            for name, values in self._lookup().values()
        }

    def __getitem__(self, name: str) -> str:
        values = self._find(str(name))
        if not values:
            raise KeyError(name)
        return values[0]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(self._find(name))

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._pairs)

    def __bool__(self) -> bool:
        return bool(self._pairs)

    def __str__(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self._pairs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self._pairs)!r})"


class HeadersView(MultiView):
    """Headers: case-insensitive names; ``headers.user_agent`` finds ``User-Agent``."""

    __slots__ = ()

    def _key(self, name: str) -> str:
        return name.lower()

    def _find(self, name: str) -> list[str]:
        found = super()._find(name)
        if not found and "_" in name:
            found = super()._find(name.replace("_", "-"))
        return found

    def __str__(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self._pairs)


class Address:
    """``host`` and ``port`` of a ``"host:port"`` / ``"[v6]:port"`` string."""

    __slots__ = ("host", "port")

    def __init__(self, text: str) -> None:
        host, sep, port = text.rpartition(":")
        if not sep or not port.isdigit() or len(port) > 5:
            host, port = text, ""
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        self.host: str = host
        self.port: int | None = int(port) if port else None

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port}

    def __str__(self) -> str:
        if self.port is None:
            return self.host
        return format_hostport(self.host, self.port)


def _cookie_pairs(values: list[str]) -> Iterator[tuple[str, str]]:
    for header in values:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if not name or not sep:
                continue
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            yield name.strip(), value


def _form_pairs(body: str) -> MultiView:
    """An urlencoded body, split at most MAX_FIELDS times."""
    segments = body.split("&", MAX_FIELDS)
    truncated = len(segments) > MAX_FIELDS
    return MultiView(decode_query("&".join(segments[:MAX_FIELDS])), truncated=truncated)


class RequestView:
    """What a template sees as ``request``. Read-only; decodes lazily."""

    def __init__(self, record: CaptureRecord, params: dict[str, str] | None = None) -> None:
        self._record = record
        self.id: int = record.id
        self.method: str = record.method
        self.target: str = record.target
        self.path: str = record.path
        self.http_version: str = record.http_version
        self.params: dict[str, str] = dict(params or {})

    @cached_property
    def query(self) -> MultiView:
        return MultiView(self._record.query)

    @cached_property
    def headers(self) -> HeadersView:
        return HeadersView(self._record.headers)

    @cached_property
    def cookies(self) -> MultiView:
        return MultiView(_cookie_pairs(self._record.header_values("cookie")))

    @cached_property
    def body(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self._record.body.decode("utf-8", "replace")

    @cached_property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        if not self._record.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            return None

    @cached_property
    def _form_and_files(self) -> tuple[MultiView, MultiView]:
        content_type = self._record.header("content-type") or ""
        kind = content_type.split(";", 1)[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            return _form_pairs(self.body), MultiView(())
        if kind == "multipart/form-data":
            data = parse_form_data(content_type, self._record.body)
            return (
                MultiView(data.fields, truncated=data.truncated),
                MultiView(data.files, truncated=data.truncated),
            )
        return MultiView(()), MultiView(())

    @property
    def form(self) -> MultiView:
        """urlencoded or multipart form fields (not files)."""
        return self._form_and_files[0]

    @property
    def files(self) -> MultiView:
        """multipart file fields: name -> content as text."""
        return self._form_and_files[1]

    @cached_property
    def client(self) -> Address:
        return Address(self._record.client)

    @cached_property
    def server(self) -> Address:
        return Address(self._record.server)

    def to_dict(self) -> dict[str, Any]:
        """The request as plain data (what ``request|tojson`` prints)."""
        return {
            "method": self.method,
            "path": self.path,
            "target": self.target,
            "http_version": self.http_version,
            "params": self.params,
            "query": self.query.to_dict(),
            "headers": self.headers.to_dict(),
            "cookies": self.cookies.to_dict(),
            "body": self.body,
            "json": self.json,
            "form": self.form.to_dict(),
            "files": self.files.to_dict(),
            "client": self.client.to_dict(),
            "server": self.server.to_dict(),
        }

    def __repr__(self) -> str:
        return f"<request {self.method} {self.target}>"
