"""What a template finds under ``request`` (inspector/responses/context.py): header names
looked up as a rule condition looks them up, ``headers.x_name`` for ``X_Name`` as well as
``X-Name``, and ``request|tojson`` carrying every part of the request under its own key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inspector.responses import Rule, render
from inspector.responses.context import RequestView

# (headers sent, name asked for): every name is also a condition's header name, so the
# template must see what the condition tests (record.header_values, ASCII/Unicode lower())
SAME_AS_A_CONDITION = [
    ((("Content-Type", "a"),), "content-type"),
    ((("Content-Type", "a"),), "CONTENT-TYPE"),
    ((("x-a", "1"), ("X-A", "2"), ("x-b", "3")), "X-a"),
    # names whose upper case is ASCII although they are not: no ASCII header answers them
    ((("SS", "upper sharp s"),), "ß"),
    ((("ID", "dotless i"),), "\u0131d"),
    ((("S", "long s"),), "\u017f"),
    ((("FF", "ligature"),), "ﬀ"),
    # and the other way round: lower() folds the Kelvin sign into k, as conditions do
    ((("k", "kelvin"),), "\u212a"),
    ((("ß", "sent as latin-1"), ("SS", "other")), "ß"),
]


@pytest.mark.parametrize(("headers", "name"), SAME_AS_A_CONDITION)
def test_a_template_reads_the_headers_a_condition_on_that_name_tests(
    make_record: Any, headers: tuple[tuple[str, str], ...], name: str
) -> None:
    record = make_record(headers=headers)
    view = RequestView(record).headers
    assert view.getlist(name) == record.header_values(name)
    assert (name in view) == bool(record.header_values(name))
    assert view.get(name) == record.header(name)


def test_header_names_that_differ_only_beyond_ascii_case_stay_apart(make_record: Any) -> None:
    view = RequestView(make_record(headers=(("ß", "1"), ("SS", "2"), ("ss", "3")))).headers
    assert view.to_dict() == {"ß": "1", "SS": ["2", "3"]}
    assert view.keys() == ["ß", "SS"]


UNDERSCORES = [
    # headers sent, template, body
    ((("X-Token", "dash"),), "{{ request.headers.x_token }}", "dash"),
    ((("X_Token", "underscore"),), "{{ request.headers.x_token }}", "underscore"),
    ((("X_Token", "underscore"),), "{{ request.headers['X_TOKEN'] }}", "underscore"),
    ((("X_Token", "underscore"),), "{{ request.headers.getlist('x_token') }}", "['underscore']"),
    # the name as written wins over its dashed form
    ((("X-Token", "dash"), ("X_Token", "underscore")), "{{ request.headers.x_token }}", "underscore"),
    ((("X_Token", "underscore"), ("X-Token", "dash")), "{{ request.headers['x-token'] }}", "dash"),
    (
        (("X_Token", "u1"), ("x_token", "u2"), ("X-Token", "d")),
        "{{ request.headers.getlist('x_token') }}",
        "['u1', 'u2']",
    ),
    # no underscore: no other spelling is tried
    ((("X_Token", "underscore"),), "[{{ request.headers['x-token'] }}]", "[]"),
    (
        (("X-Token", "dash"),),
        "{{ 'x_token' in request.headers }} {{ 'x_tok' in request.headers }}",
        "True False",
    ),
]


@pytest.mark.parametrize(("headers", "template", "body"), UNDERSCORES)
def test_an_underscore_in_a_header_name_finds_the_header_as_sent_first_then_dashed(
    make_record: Any, headers: tuple[tuple[str, str], ...], template: str, body: str
) -> None:
    response = render(Rule(name="r", body=template), make_record(headers=headers))
    assert (response.status, response.body.decode()) == (200, body), response.error


MULTIPART = (
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="title"\r\n\r\n'
    b"Hello\r\n"
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="upload"; filename="a.txt"\r\n\r\n'
    b"file text\r\n"
    b"--XyZ--\r\n"
)


def test_request_tojson_is_the_whole_request_each_part_under_its_name(make_record: Any) -> None:
    rule = Rule(name="echo", path="/up/{kind}", body="{{ request | tojson }}")
    record = make_record(
        method="POST",
        target="/up/doc?a=1&a=2",
        client="[::1]:5000",
        headers=(
            ("Host", "h"),
            ("Content-Type", "multipart/form-data; boundary=XyZ"),
            ("Cookie", "sid=abc"),
        ),
        body=MULTIPART,
    )
    response = render(rule, record)
    assert response.status == 200, response.error
    assert json.loads(response.body) == {
        "method": "POST",
        "path": "/up/doc",
        "target": "/up/doc?a=1&a=2",
        "http_version": "1.1",
        "params": {"kind": "doc"},
        "query": {"a": ["1", "2"]},
        "headers": {
            "Host": "h",
            "Content-Type": "multipart/form-data; boundary=XyZ",
            "Cookie": "sid=abc",
        },
        "cookies": {"sid": "abc"},
        "body": MULTIPART.decode(),
        "json": None,
        "form": {"title": "Hello"},
        "files": {"upload": "file text"},
        "client": {"host": "::1", "port": 5000},
        "server": {"host": "127.0.0.1", "port": 8090},
    }


def test_request_id_is_the_records_id_as_the_table_shows_it(make_record: Any) -> None:
    response = render(Rule(name="r", body="{{ request.id }} {{ request.id + 1 }}"), make_record(id=41))
    assert response.body == b"41 42"
