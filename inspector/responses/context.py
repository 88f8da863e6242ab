"""The ``request`` object templates see, built lazily from a capture record.

Strategy: templates only read, so every view here is read-only and exposes no
attribute starting with ``_`` (the sandbox blocks those anyway). Costly
decodings (body text, JSON, form, cookies) happen on first use, because most
templates touch none of them and the listener answers tens of thousands of
requests a second.

Multi-valued data (query, headers, form, cookies) keeps every pair in order,
as mitmproxy's multi-dicts do: ``view.name`` / ``view["name"]`` give the first
value, ``view.getlist("name")`` every value, ``view.items()`` the raw pairs.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from collections.abc import Iterator
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from inspector.http.record import CaptureRecord, Pairs


class MultiView:
    """Ordered multi-dict over (name, value) pairs; exact-case names."""

    __slots__ = ("_pairs",)

    def __init__(self, pairs: Pairs | list[tuple[str, str]]) -> None:
        self._pairs: tuple[tuple[str, str], ...] = tuple(pairs)

    def _key(self, name: str) -> str:
        return name

    def _find(self, name: str) -> list[str]:
        key = self._key(name)
        return [v for k, v in self._pairs if self._key(k) == key]

    def get(self, name: str, default: Any = None) -> Any:
        values = self._find(str(name))
        return values[0] if values else default

    def getlist(self, name: str) -> list[str]:
        """Every value of ``name`` in received order."""
        return self._find(str(name))

    def items(self) -> list[tuple[str, str]]:
        """Every (name, value) pair, in order, duplicates kept."""
        return list(self._pairs)

    def keys(self) -> list[str]:
        seen: dict[str, str] = {}
        for k, _ in self._pairs:
            seen.setdefault(self._key(k), k)
        return list(seen.values())

    def values(self) -> list[str]:
        return [v for _, v in self._pairs]

    def to_dict(self) -> dict[str, Any]:
        """{name: value}, or {name: [values]} for repeated names (httpbin style)."""
        out: dict[str, Any] = {}
        for name in self.keys():
            values = self._find(name)
            out[name] = values[0] if len(values) == 1 else values
        return out

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
        if not sep or not port.isdigit():
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
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def _parse_cookies(values: list[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for header in values:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if not name or not sep:
                continue
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            pairs.append((name.strip(), value))
    return pairs


def _parse_multipart(
    content_type: str, body: bytes
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(fields, files) of a multipart/form-data body; files map name -> content text."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode(
        "utf-8", "replace"
    )
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, str]] = []
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        text = data.decode("utf-8", "replace")
        if part.get_filename() is not None:
            files.append((name, text))
        else:
            fields.append((name, text))
    return fields, files


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
        return MultiView(_parse_cookies(self._record.header_values("cookie")))

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
            pairs = parse_qsl(self.body, keep_blank_values=True, errors="replace")
            return MultiView(pairs), MultiView(())
        if kind == "multipart/form-data":
            try:
                fields, files = _parse_multipart(content_type, self._record.body)
            except Exception:  # a hostile body must not break the template
                fields, files = [], []
            return MultiView(fields), MultiView(files)
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
