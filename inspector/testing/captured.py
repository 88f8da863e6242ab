"""The record a test gets back: the capture record itself, with body helpers.

:class:`CapturedRequest` *is* a :class:`~inspector.http.record.CaptureRecord`
(a subclass adding methods only, no fields), so every field the app records is
there, typed, under its own name, and every function that takes a record
(HAR export, ``rules_trace``, ``explain``) takes it too.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
from typing import Any, Final

from inspector.http.record import CaptureRecord
from inspector.responses.context import MultiView, RequestView
from inspector.testing.lines import numbered_line

_FIELDS: Final = tuple(f.name for f in dataclasses.fields(CaptureRecord))


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            label = value.strip().strip('"')
            try:
                return codecs.lookup(label).name
            except LookupError:
                break
    return "utf-8"


class CapturedRequest(CaptureRecord):
    """A captured request: every field of the capture record, plus ways to read its body.

    ``method``, ``target``, ``path``, ``query`` (decoded pairs), ``headers``
    (pairs, received order and case), ``body`` (bytes), ``response`` (what was
    sent back), ``error``, ``raw`` and the rest are the record's own;
    ``header(name)`` finds a header case-insensitively.
    """

    __slots__ = ()

    @classmethod
    def of(cls, record: CaptureRecord) -> CapturedRequest:
        """``record`` as a :class:`CapturedRequest` (the same fields, copied once)."""
        if isinstance(record, cls):
            return record
        captured = object.__new__(cls)
        for name in _FIELDS:
            object.__setattr__(captured, name, getattr(record, name))
        return captured

    def __repr__(self) -> str:
        # short, escaped: pytest shows it when an assertion about the request fails
        return f"<CapturedRequest {numbered_line(self)}>"

    @property
    def text(self) -> str:
        """The body as text: in the ``charset`` of its Content-Type (UTF-8 without one),
        undecodable bytes replaced."""
        return self.body.decode(_charset(self.header("content-type") or ""), "replace")

    def json(self) -> Any:
        """The body parsed as JSON.

        Raises:
            ValueError: the body is not JSON (the message says which request).
        """
        try:
            return json.loads(self.text)
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"the body of request #{self.id} is not JSON: {exc}") from None

    def form(self) -> MultiView:
        """The fields of an urlencoded or multipart form body (empty for other bodies).

        ``form()["name"]`` (the first value), ``.getlist(name)``, ``.items()``,
        ``.to_dict()``: the same view rule templates get as ``request.form``.
        """
        return RequestView(self).form

    def query_value(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter ``name`` (exact case), decoded."""
        for key, value in self.query:
            if key == name:
                return value
        return default
