"""Use it from tests: an in-process listener, a pytest plugin, readable failures. Qt-free.

::

    from inspector.testing import Inspector

    with Inspector(rules=[{"path": "/hook", "status": 201}]) as insp:
        send_webhook(insp.url + "/hook")
        hook = insp.wait_for("POST", "/hook", header="X-Signature")

The names below are loaded on first use, so that the pytest plugin
(:mod:`inspector.testing.plugin`, loaded into every pytest run once the
package is installed) costs nothing until a test asks for a fixture.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector.testing.captured import CapturedRequest
    from inspector.testing.inspector import Inspector
    from inspector.testing.rules import RuleCheck, RulesTrace

__all__ = ["CapturedRequest", "Inspector", "RuleCheck", "RulesTrace"]

_HOMES = {
    "CapturedRequest": "inspector.testing.captured",
    "Inspector": "inspector.testing.inspector",
    "RuleCheck": "inspector.testing.rules",
    "RulesTrace": "inspector.testing.rules",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
