"""Templates rendered as a rule renders them (compiled, guarded, under a fresh budget), for the
sandbox tests: what one renders to, or the message of the cap it is refused by."""

from __future__ import annotations

import pytest

from inspector.responses import sandbox
from inspector.responses.budget import Budget, RenderLimitError


def render(source: str, **variables: object) -> str:
    with Budget():
        return sandbox.render(sandbox.compile_template(source), variables)


def refusal(source: str, **variables: object) -> str:
    """The message of the RenderLimitError rendering ``source`` raises (fails if none)."""
    with pytest.raises(RenderLimitError) as caught:
        render(source, **variables)
    return str(caught.value)
