"""Edges of what templates read and render: a form value with a space, an empty quoted
cookie, a status template's 64-character cap, and a body UTF-8 cannot encode."""

from __future__ import annotations

from typing import Any

from inspector.responses import Rule, render
from inspector.responses.context import RequestView

FORM = (("Content-Type", "application/x-www-form-urlencoded"),)


def test_a_form_value_keeps_its_spaces(make_record: Any) -> None:
    form = RequestView(make_record(body=b"a=x y&b=2\tz", headers=FORM)).form
    assert form["a"] == "x y" and form["b"] == "2\tz"
    assert sorted(form.keys()) == ["a", "b"]


def test_an_empty_quoted_cookie_is_empty_and_a_lone_quote_stays(make_record: Any) -> None:
    cookies = RequestView(make_record(headers=(("Cookie", 'a=""; b="x"; c="'),))).cookies
    assert cookies["a"] == "" and cookies["b"] == "x" and cookies["c"] == '"'


def test_a_status_template_may_render_64_characters_and_no_more(make_record: Any) -> None:
    fits = render(Rule(name="s", status="{{ ' ' * 61 }}201"), make_record())
    assert fits.status == 201, fits.error
    over = render(Rule(name="s", status="{{ ' ' * 62 }}201"), make_record())
    assert over.status == 500 and over.error is not None and "64" in over.error


def test_a_body_with_a_lone_surrogate_is_sent_with_a_replacement(make_record: Any) -> None:
    # a template can build text UTF-8 cannot encode (a string escape of a lone surrogate)
    response = render(Rule(name="s", body="[{{ '\\ud800' }}]"), make_record())
    assert response.status == 200, response.error
    assert response.body == b"[?]"
