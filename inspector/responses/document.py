"""The rules being edited: load, edit, validate, save. Qt-free; the editor is a view on it.

Strategy. A :class:`RulesDocument` holds the edited list of rules (each an
immutable :class:`Rule`), the rule set last saved (what the listener answers
with) and the rules file's path. Every edit goes through a method here, which
keeps each rule's problems (from :func:`validate_rule`, so with rule position,
field, item and template line as data) next to it, computed once when the rule
is stored. The editor's list model forwards to these methods and only adds Qt's
change notifications; the form and preview read from here.

Both modes read rules files through :func:`load_rules`: headless refuses a file
with problems (``load_rules(path, strict=True)``), the window opens it here and
shows each problem at its field. :meth:`RulesDocument.open` never raises: a
file that cannot be read leaves the rules given as fallback (those in use)
and says why in one line (:attr:`RulesDocument.load_error`). Without a file the
document holds :data:`DEFAULT_RULES`, the rules headless answers with too.

A ``body_file`` is relative to the folder of the rules file it is written in,
so rules that move between files (an import, a preset, an export) have their
relative body files rewritten to name the same files from the new folder
(:func:`rebased`).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from inspector.http.record import CaptureRecord
from inspector.http.response import is_token
from inspector.responses.engine import RuleSet, validate_rule
from inspector.responses.files import rebase
from inspector.responses.model import DEFAULT_RULES, Problem, Rule
from inspector.responses.rulesfile import RulesFileError, dumps, load_rules, loads, save_rules
from inspector.text import visible

#: characters of a request's method and path used to name a rule made from it
RULE_NAME_LIMIT = 60

#: the rule "Add" puts at the top of the list
NEW_RULE = Rule(
    name="new rule",
    path="/new",
    headers=(("Content-Type", "text/plain; charset=utf-8"),),
    body="hello {{ request.client.host }}\n",
)


def exact_path_pattern(path: str) -> str:
    """A path pattern matching exactly ``path`` (a regex when the glob would not)."""
    if not path:
        return "/**"
    if path.startswith("^") or "*" in path or "{" in path:
        return "^" + re.escape(path) + "$"
    return path


def rule_for_request(record: CaptureRecord) -> Rule:
    """A rule answering ``record``'s method and exact path (named after them)."""
    method = record.method.upper()
    name = visible(f"{record.method} {record.path}".strip(), RULE_NAME_LIMIT)
    return dataclasses.replace(
        NEW_RULE,
        name=name or "from request",
        methods=(method,) if is_token(method) else (),
        path=exact_path_pattern(record.path),
        body="hello world\n",
    )


def rebased(rules: Iterable[Rule], source: Path | None, target: Path | None) -> list[Rule]:
    """``rules`` written in folder ``source`` made to name the same body files from ``target``."""
    out = []
    for rule in rules:
        answers = tuple(
            dataclasses.replace(a, body_file=rebase(a.body_file, source, target)) for a in rule.answers
        )
        if answers == rule.answers:
            out.append(rule)
        elif rule.listed:
            out.append(dataclasses.replace(rule, responses=answers))
        else:
            out.append(rule.with_answers(answers))
    return out


class RulesDocument:
    """An ordered list of rules being edited, and the rules file it is saved to.

    Attributes:
        path: the rules file (None: an in-memory list that cannot be saved).
        folder: its folder, where relative body files are (None without a path).
        saved: the rule set as last loaded or saved.
        load_error: why the file could not be read when opened ("" when it could).
    """

    def __init__(self, saved: RuleSet | None = None, path: Path | None = None) -> None:
        self.path = path
        self.folder = Path(os.path.abspath(path.parent)) if path is not None else None
        saved = saved if saved is not None else RuleSet()
        if saved.folder != self.folder:
            saved = RuleSet(rules=saved.rules, version=saved.version, extra=saved.extra, folder=self.folder)
        self.saved = saved
        self.load_error = ""
        self._extra = self.saved.extra
        self._rules: list[Rule] = []
        self._problems: list[tuple[Problem, ...]] = []
        self._store(0, len(self._rules), self.saved.rules)

    @classmethod
    def open(cls, path: Path, fallback: RuleSet | None = None) -> RulesDocument:
        """Open the rules file at ``path``; never raises.

        Without a file the document holds :data:`DEFAULT_RULES`, unsaved but
        not dirty. A file that cannot be used leaves the ``fallback`` rules (or
        the default rules when there are none) and sets :attr:`load_error`.
        """
        if not path.exists():
            return cls(RuleSet(rules=DEFAULT_RULES), path)
        try:
            return cls(load_rules(path), path)
        except RulesFileError as exc:
            message = str(exc)
        except (OSError, ValueError, RecursionError, MemoryError) as exc:
            message = f"{path.name}: {type(exc).__name__}: {exc}"
        kept = fallback.rules if fallback is not None and fallback.rules else DEFAULT_RULES
        document = cls(RuleSet(rules=kept), path)
        document.load_error = " ".join(message.split())
        return document

    # -- reading -----------------------------------------------------------------

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def rule(self, row: int) -> Rule:
        return self._rules[row]

    def problems(self, row: int) -> tuple[Problem, ...]:
        """The problems of the rule at ``row`` (each with ``rule == row``)."""
        return tuple(dataclasses.replace(p, rule=row) for p in self._problems[row])

    def all_problems(self) -> list[Problem]:
        return [problem for row in range(len(self._rules)) for problem in self.problems(row)]

    def snapshot(self) -> RuleSet:
        """The edited rules as a rule set (what Save would write)."""
        return RuleSet(rules=self.rules, version=self.saved.version, extra=self._extra, folder=self.folder)

    def is_dirty(self) -> bool:
        """The edited rules differ from the saved ones."""
        return self.rules != self.saved.rules or self._extra != self.saved.extra

    def unique_name(self, base: str) -> str:
        """``base``, or ``base N`` with the first N no rule uses."""
        names = {rule.name for rule in self._rules}
        if base not in names:
            return base
        number = 2
        while f"{base} {number}" in names:
            number += 1
        return f"{base} {number}"

    # -- editing -----------------------------------------------------------------

    def _store(self, start: int, end: int, rules: Iterable[Rule]) -> None:
        new = list(rules)
        self._rules[start:end] = new
        self._problems[start:end] = [tuple(validate_rule(rule)) for rule in new]

    def replace(self, row: int, rule: Rule) -> bool:
        """Put ``rule`` at ``row``; False when it is the rule already there."""
        if self._rules[row] == rule:
            return False
        self._store(row, row + 1, (rule,))
        return True

    def insert(self, row: int, rules: Sequence[Rule]) -> int:
        """Insert ``rules`` before ``row`` (clamped); returns the row used."""
        row = max(0, min(row, len(self._rules)))
        self._store(row, row, rules)
        return row

    def remove(self, row: int) -> Rule:
        rule = self._rules[row]
        self._store(row, row + 1, ())
        return rule

    def can_move(self, row: int, count: int, before: int) -> bool:
        """Whether ``move(row, count, before)`` would change the order."""
        last = row + count - 1
        return (
            count >= 1
            and row >= 0
            and last < len(self._rules)
            and 0 <= before <= len(self._rules)
            and not row <= before <= last + 1
        )

    def move(self, row: int, count: int, before: int) -> bool:
        """Move ``count`` rules from ``row`` to before the rule now at ``before``."""
        if not self.can_move(row, count, before):
            return False
        moved = self._rules[row : row + count]
        problems = self._problems[row : row + count]
        del self._rules[row : row + count], self._problems[row : row + count]
        at = before - count if before > row else before
        self._rules[at:at] = moved
        self._problems[at:at] = problems
        return True

    def set_rules(self, rules: Iterable[Rule]) -> None:
        """Replace every rule (the file's other keys stay)."""
        self._store(0, len(self._rules), rules)

    # -- files -------------------------------------------------------------------

    def revert(self) -> None:
        """Drop every unsaved change."""
        self._extra = self.saved.extra
        self.set_rules(self.saved.rules)

    def take(self, ruleset: RuleSet) -> None:
        """Edit ``ruleset``'s rules and file keys instead (an import; unsaved until :meth:`save`).

        Its relative body files are rewritten to name the same files from this document's folder.
        """
        self._extra = ruleset.extra
        self.set_rules(self.adopt(ruleset))

    def adopt(self, ruleset: RuleSet) -> list[Rule]:
        """``ruleset``'s rules with their body files named from this document's folder."""
        return rebased(ruleset.rules, ruleset.folder, self.folder)

    def export(self, path: Path) -> RuleSet:
        """Write the edited rules to ``path`` (this document's own file is not touched);
        relative body files are rewritten to name the same files from its folder.

        Raises: RulesFileError.
        """
        target = Path(os.path.abspath(path.parent))
        ruleset = RuleSet(
            rules=tuple(rebased(self.rules, self.folder, target)), extra=self._extra, folder=target
        )
        save_rules(path, ruleset)
        return ruleset

    def save(self) -> RuleSet:
        """Write the edited rules to :attr:`path`; they become :attr:`saved`.

        Raises:
            RulesFileError: no path, the rules could not be read back (a rule
                that the file format cannot hold), or the file could not be
                written; nothing changed.
        """
        if self.path is None:
            raise RulesFileError("these rules have no file to be saved to")
        ruleset = self.snapshot()
        try:
            loads(dumps(ruleset), source="rules")
        except RulesFileError as exc:
            raise RulesFileError(f"the rules file could not be read back ({exc})", exc.problem) from None
        save_rules(self.path, ruleset)
        self.saved = ruleset
        return ruleset
