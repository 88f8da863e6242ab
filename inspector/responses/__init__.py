"""Qt-free response rules: match a request, render the answer from sandboxed templates.

The server calls a :class:`Responder` once per request::

    responder = Responder(load_rules(default_rules_path()))
    response = responder(record)          # never raises
    responder.set_rules(new_ruleset)      # atomic swap, from any thread

The editor edits a :class:`RulesDocument` and shows :func:`preview` results.
"""

from inspector.responses.budget import MAX_OUTPUT, MAX_RENDER_SECONDS
from inspector.responses.engine import (
    Responder,
    RuleSet,
    explain,
    render,
    validate_rule,
)
from inspector.responses.matching import MatchResult
from inspector.responses.model import DEFAULT_RULE, OPS, SOURCES, Condition, Problem, Rule
from inspector.responses.presets import list_presets
from inspector.responses.rulesfile import (
    RulesFileError,
    default_rules_path,
    dumps,
    load_rules,
    loads,
    save_rules,
)

__all__ = [
    "DEFAULT_RULE",
    "MAX_OUTPUT",
    "MAX_RENDER_SECONDS",
    "OPS",
    "SOURCES",
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
    "render",
    "save_rules",
    "validate_rule",
]
