"""The user's preferences (QSettings): start listening on launch, the colour
theme, the listener's limits.

A settings file is outside data: every value is checked for its type and its
bounds before use, and one that does not fit is ignored (its default is used),
so no settings file keeps the window from opening or a listener from starting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from PySide6.QtCore import QSettings

from inspector.http.limits import Limits
from inspector.limit_settings import LIMIT_FIELDS, Kind, check_limits, limits_with


class Theme(Enum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"

    @property
    def label(self) -> str:
        return {"system": "As the system", "light": "Light", "dark": "Dark"}[self.value]


@dataclass(frozen=True, slots=True)
class Preferences:
    start_on_launch: bool = False
    theme: Theme = Theme.SYSTEM
    limits: Limits = field(default_factory=Limits)


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and 0 < len(value) <= 24:
        try:
            return float(value)
        except ValueError:
            return None
    return None


def load_preferences(settings: QSettings) -> Preferences:
    """The preferences in ``settings``; anything unusable keeps its default."""
    start = settings.value("general/start_on_launch")
    start_on_launch = start is True or (isinstance(start, str) and start.lower() in ("true", "1"))
    theme_text = settings.value("general/theme")
    theme = next((t for t in Theme if t.value == theme_text), Theme.SYSTEM)
    values: dict[str, float] = {}
    for limit in LIMIT_FIELDS:
        number = _number(settings.value(f"limits/{limit.name}"))
        if number is not None and limit.minimum <= number <= limit.maximum:
            values[limit.name] = number if limit.kind is Kind.DURATION else int(number)
    if check_limits({**{f.name: f.default() for f in LIMIT_FIELDS}, **values}) is not None:
        values = {}  # they do not fit together: the defaults
    return Preferences(start_on_launch=start_on_launch, theme=theme, limits=limits_with(values))


def save_preferences(settings: QSettings, preferences: Preferences) -> None:
    settings.setValue("general/start_on_launch", preferences.start_on_launch)
    settings.setValue("general/theme", preferences.theme.value)
    for limit in LIMIT_FIELDS:
        settings.setValue(f"limits/{limit.name}", getattr(preferences.limits, limit.name))
    settings.sync()
