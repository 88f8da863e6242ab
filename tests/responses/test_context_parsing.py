"""How the request views split what the client sent (inspector/responses/context.py): cookie
headers, urlencoded forms and their cap, the ``truncated`` flag, client and server addresses."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.responses import Rule, render
from inspector.responses.context import MAX_FIELDS, RequestView

FORM = (("Content-Type", "application/x-www-form-urlencoded"),)

COOKIES = [
    # Cookie header values, the pairs read
    (["a=1"], [("a", "1")]),
    (["a=b=c"], [("a", "b=c")]),  # the value runs to the end, '=' and all
    (["flag; a=1"], [("a", "1")]),  # a part without '=' is skipped, not the end
    (["=x; a=1"], [("a", "1")]),  # nor is a part without a name
    (["a=1;;  b = 2 ;c="], [("a", "1"), ("b", "2"), ("c", "")]),
    (['a="q"; b="; c="'], [("a", "q"), ("b", '"'), ("c", '"')]),
    (["a=1", "bad", "b=2"], [("a", "1"), ("b", "2")]),
]


@pytest.mark.parametrize(("headers", "pairs"), COOKIES)
def test_cookie_headers_give_their_named_pairs_in_order(
    make_record: Any, headers: list[str], pairs: list[tuple[str, str]]
) -> None:
    record = make_record(headers=tuple(("Cookie", value) for value in headers))
    assert RequestView(record).cookies.items() == pairs


FORMS = [
    # body, fields read, (first name, last name), truncated
    # MAX_FIELDS segments: all read, nothing left out
    ("&".join(f"f{i}=1" for i in range(MAX_FIELDS)), MAX_FIELDS, ("f0", f"f{MAX_FIELDS - 1}"), False),
    # only the first MAX_FIELDS segments are read, empty ones count
    ("&" * MAX_FIELDS + "late=1", 0, (None, None), True),
    ("&" + "b=1&" * MAX_FIELDS, MAX_FIELDS - 1, ("b", "b"), True),
    ("a=1" + "&" * (MAX_FIELDS - 1) + "b=2&c=3", 2, ("a", "b"), True),
]


@pytest.mark.parametrize(("body", "count", "ends", "truncated"), FORMS)
def test_a_form_body_is_read_up_to_max_fields_segments(
    make_record: Any, body: str, count: int, ends: tuple[str | None, str | None], truncated: bool
) -> None:
    form = RequestView(make_record(body=body.encode(), headers=FORM)).form
    names = [name for name, _ in form.items()]
    assert len(names) == count
    assert (names[0] if names else None, names[-1] if names else None) == ends
    assert form.truncated is truncated


def test_truncated_says_whether_more_than_max_fields_pairs_were_given(make_record: Any) -> None:
    def query(count: int) -> tuple[tuple[str, str], ...]:
        return tuple((f"q{i}", "v") for i in range(count))

    template = "{{ request.query.truncated }} {{ request.query|length }} {{ request.form.truncated }}"
    for count, shown in [(0, "False 0 False"), (MAX_FIELDS, f"False {MAX_FIELDS} False")]:
        response = render(Rule(name="r", body=template), make_record(query=query(count)))
        assert response.body.decode() == shown
    response = render(Rule(name="r", body=template), make_record(query=query(MAX_FIELDS + 1)))
    assert response.body.decode() == f"True {MAX_FIELDS} False"


ADDRESSES = [
    # as recorded, host, port, shown (None: a malformed address, its text not checked)
    ("127.0.0.1:8090", "127.0.0.1", 8090, "127.0.0.1:8090"),
    ("[::1]:443", "::1", 443, "[::1]:443"),
    ("1.2.3.4:99999", "1.2.3.4", 99999, "1.2.3.4:99999"),  # five digits: read as a port
    ("1.2.3.4:123456", "1.2.3.4:123456", None, "1.2.3.4:123456"),  # six: not a port
    ("localhost:http", "localhost:http", None, "localhost:http"),
    ("localhost:", "localhost:", None, "localhost:"),
    ("localhost", "localhost", None, "localhost"),
    ("[::1]", "::1", None, "::1"),
    ("[::1:80", "[::1", 80, None),  # brackets only come off in pairs
    ("::1]:80", "::1]", 80, None),
]


@pytest.mark.parametrize(("text", "host", "port", "shown"), ADDRESSES)
def test_client_and_server_addresses_split_into_host_and_port(
    make_record: Any, text: str, host: str, port: int | None, shown: str | None
) -> None:
    view = RequestView(make_record(client=text, server=text))
    for address in (view.client, view.server):
        assert (address.host, address.port) == (host, port)
        assert shown is None or str(address) == shown
        assert address.to_dict() == {"host": host, "port": port}
