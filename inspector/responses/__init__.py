"""Qt-free response rules: match a request, render the answer from sandboxed templates.

The server calls a :class:`Responder` once per request::

    responder = Responder(load_rules(default_rules_path()))  # Responder(): DEFAULT_RULESET
    response = responder(record)          # never raises
    responder.set_rules(new_ruleset)      # atomic swap, from any thread; the state starts again
    responder.reset_state()               # every counter back to the start

The editor edits a :class:`RulesDocument` and shows :func:`preview` results.
"""

from inspector.http.response import FAULTS
from inspector.responses.budget import MAX_OUTPUT, MAX_RENDER_SECONDS
from inspector.responses.engine import (
    DEFAULT_RULESET,
    Responder,
    RuleSet,
    explain,
    render,
    validate_rule,
)
from inspector.responses.matching import MatchResult
from inspector.responses.model import (
    DEFAULT_RULE,
    DEFAULT_RULES,
    MODES,
    OPS,
    SOURCES,
    Answer,
    Condition,
    Problem,
    Rule,
)
from inspector.responses.presets import list_presets
from inspector.responses.rulesfile import (
    RulesFileError,
    default_rules_path,
    dumps,
    load_rules,
    loads,
    refuse_problems,
    save_rules,
)

__all__ = [
    "DEFAULT_RULE",
    "DEFAULT_RULES",
    "DEFAULT_RULESET",
    "FAULTS",
    "MAX_OUTPUT",
    "MAX_RENDER_SECONDS",
    "MODES",
    "OPS",
    "SOURCES",
    "Answer",
    "Condition",
    "MatchResult",
    "Problem",
    "Responder",
    "Rule",
    "RuleSet",
    "RulesFileError",
    "default_rules_path",
    "dumps",
    "explain",
    "list_presets",
    "load_rules",
    "loads",
    "refuse_problems",
    "render",
    "save_rules",
    "validate_rule",
]
