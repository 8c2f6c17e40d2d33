"""Organisation-adjustable thresholds used by the screening and the in-session stop rules.

The definitions (label, unit, default, allowed range, sources, whether sources disagree, which direction
is safer) are content: settings.yaml. An organisation stores only its overrides; everything else is the
library default, which is always the most conservative value the sources support.

    settings = ScreeningSettings.for_library(library)                      # all defaults
    settings = ScreeningSettings.for_library(library, {"vaccination_wait_hours": 48})
    settings.value("vaccination_wait_hours")   # 48.0
    settings.use("vaccination_wait_hours")     # SettingUse(..., is_default=False)

A bad override raises SettingError (a ValueError) naming the setting and what was expected, so a settings
form can show it next to the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kneadwell.library.schema import SettingDef

if TYPE_CHECKING:
    from kneadwell.library.catalog import Library


class SettingError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SettingUse:
    """A setting as it was applied: recorded with every reason that relied on it."""

    id: str
    label: str
    value: float
    unit: str
    default: float
    is_default: bool
    sources: tuple[str, ...]
    sources_disagree: bool

    def describe(self) -> str:
        tail = "default" if self.is_default else f"organisation setting; default {self.default:g}"
        return f"{self.label}: {self.value:g} {self.unit} ({tail})"


class ScreeningSettings:
    def __init__(
        self, definitions: Mapping[str, SettingDef], overrides: Mapping[str, Any] | None = None
    ) -> None:
        self._definitions = MappingProxyType(dict(definitions))
        clean: dict[str, float] = {}
        for setting_id, raw in (overrides or {}).items():
            clean[setting_id] = self._check(setting_id, raw)
        self._overrides = MappingProxyType(clean)

    @classmethod
    def for_library(cls, library: Library, overrides: Mapping[str, Any] | None = None) -> ScreeningSettings:
        return cls(library.settings, overrides)

    def _check(self, setting_id: str, raw: Any) -> float:
        definition = self._definitions.get(setting_id)
        if definition is None:
            raise SettingError(setting_id, "no such setting")
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise SettingError(setting_id, f"expected a number in {definition.unit}")
        value = float(raw)
        if not math.isfinite(value):
            raise SettingError(setting_id, "expected a finite number")
        if definition.integer and value != int(value):
            raise SettingError(setting_id, "expected a whole number")
        if not definition.min <= value <= definition.max:
            raise SettingError(
                setting_id,
                f"must be between {definition.min:g} and {definition.max:g} {definition.unit} "
                f"(the default {definition.default:g} is the most conservative)",
            )
        return value

    @property
    def definitions(self) -> Mapping[str, SettingDef]:
        return self._definitions

    @property
    def overrides(self) -> Mapping[str, float]:
        return self._overrides

    def value(self, setting_id: str) -> float:
        if setting_id in self._overrides:
            return self._overrides[setting_id]
        return float(self._definitions[setting_id].default)

    def unit(self, setting_id: str) -> str:
        return self._definitions[setting_id].unit

    def use(self, setting_id: str) -> SettingUse:
        d = self._definitions[setting_id]
        value = self.value(setting_id)
        return SettingUse(
            id=d.id,
            label=d.label,
            value=value,
            unit=d.unit,
            default=float(d.default),
            is_default=setting_id not in self._overrides,
            sources=tuple(d.sources),
            sources_disagree=d.sources_disagree,
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ScreeningSettings)
            and dict(self._overrides) == dict(other._overrides)
            and dict(self._definitions) == dict(other._definitions)
        )

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._overrides.items())))

    def __repr__(self) -> str:
        return f"ScreeningSettings(overrides={dict(self._overrides)!r})"
