"""The sandbox's own join and tojson filters behave as Jinja's (sandbox.py)."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.responses import Rule, render


@pytest.mark.parametrize(
    ("template", "body"),
    [
        ("{{ [1, 2, 3]|join }}", "123"),
        ("{{ 'abc'|join('-') }}", "a-b-c"),
        ("{{ [{'a': 1}, {'a': 2}]|join(',', attribute='a') }}", "1,2"),
        ("{{ [{'a': 1}, {'a': 2}]|join(attribute='a') }}", "12"),
        ("{{ [[5, 6], [7, 8]]|join('/', attribute=1) }}", "6/8"),
        ("{{ {'k': [1]}|tojson }}", '{"k": [1]}'),
        ("{{ {'k': [1]}|tojson(0) }}", '{\n"k": [\n1\n]\n}'),
        ("{{ {'k': [1]}|tojson(-3) }}", '{\n"k": [\n1\n]\n}'),
        ("{{ {'k': 1}|tojson(2) }}", '{\n  "k": 1\n}'),
    ],
)
def test_join_and_tojson(make_record: Any, template: str, body: str) -> None:
    response = render(Rule(name="t", body=template), make_record())
    assert response.error is None, response.error
    assert response.body.decode() == body
