"""Rule sets: the numbers of a rule (deadlines, thresholds, scores, lines) as versioned data.

A rule set is one version of one kind of rule, in force from its `valid_from` date until the next
version's. `rules_for(kind, on)` answers the version in force on the day a step happens; every
decision that applied it stores which version it used, so a later change never rewrites how an
earlier decision was reached. A day before the first version has no rules: the lookup refuses
with a message rather than guessing.

Each app declares its kinds in its own `rulesets.py` (found at start-up, like admin modules): a
code, a label and the schema of its values (keys, types, bounds). Entered values are checked
against the schema by `core.services_rulesets.ruleset_enter`; defaults are seeded by data
migrations, which copy the values and never import this module.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# --- the schema -------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Field:
    """One value of a rule set. `kind` says its type:

    - ``int`` / ``decimal``: a number within ``low``..``high`` (decimals stored as strings);
    - ``year_amounts``: {year: amount}, years within ``low_year``..``high_year``, amounts
      within ``low``..``high`` (the poverty line of each year);
    - ``codes``: a non-empty list of codes taken from ``choices``;
    - ``text_map``: {text: text}, short lower-case ASCII on both sides (pinyin folds).
    """

    name: str
    label: Any  # a lazy translation
    kind: str
    low: int | Decimal | None = None
    high: int | Decimal | None = None
    choices: tuple[str, ...] = ()
    low_year: int = 2000
    high_year: int = 2100
    help: Any = ""

    def parse(self, raw: Any) -> Any:
        """The typed value of a stored or entered value; ValidationError when it is not one."""
        return _PARSERS[self.kind](self, raw)

    def to_json(self, value: Any) -> Any:
        if self.kind == "decimal":
            return str(value)
        if self.kind == "year_amounts":
            return {str(year): str(amount) for year, amount in sorted(value.items())}
        if self.kind == "codes":
            return list(value)
        if self.kind == "text_map":
            return dict(value)
        return value

    def to_text(self, value: Any) -> str:
        """How the entry form shows the value (one line per entry for mappings)."""
        if self.kind == "year_amounts":
            return "\n".join(f"{year}: {amount}" for year, amount in sorted(value.items()))
        if self.kind == "text_map":
            return "\n".join(f"{k}: {v}" for k, v in value.items())
        if self.kind == "codes":
            return ", ".join(value)
        return str(value)

    def from_text(self, text: str) -> Any:
        """The entry form's text as a raw value for `parse` (the reverse of `to_text`)."""
        text = (text or "").strip()
        if self.kind in ("year_amounts", "text_map"):
            pairs: dict[str, str] = {}
            for n, line in enumerate(text.splitlines(), start=1):
                line = line.strip()
                if not line:
                    continue
                match = re.fullmatch(r"([^:：=]+?)\s*[:：=]\s*(.*)", line)
                if match is None:
                    example = "2015: 2855" if self.kind == "year_amounts" else "zh: z"
                    raise ValidationError(
                        _("第 %(n)s 行应写成“键: 值”,例如 %(example)s。")
                        % {"n": n, "example": example}
                    )
                pairs[match.group(1).strip()] = match.group(2).strip()
            return pairs
        if self.kind == "codes":
            return [part.strip() for part in re.split(r"[,，、\s]+", text) if part.strip()]
        return text

    def _bounds_message(self) -> str:
        return _("“%(label)s”须在 %(low)s 至 %(high)s 之间。") % {
            "label": self.label,
            "low": self.low,
            "high": self.high,
        }


def _parse_int(spec: Field, raw: Any) -> int:
    if isinstance(raw, str) and re.fullmatch(r"-?\d{1,9}", raw.strip()):
        raw = int(raw.strip())
    if not _is_int(raw):
        raise ValidationError(_("“%(label)s”须为整数。") % {"label": spec.label})
    if (spec.low is not None and raw < spec.low) or (spec.high is not None and raw > spec.high):
        raise ValidationError(spec._bounds_message())
    return int(raw)


def _decimal(spec: Field, raw: Any, label: str) -> Decimal:
    if _is_int(raw):
        raw = str(raw)
    if not isinstance(raw, str) or not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", raw.strip()):
        raise ValidationError(_("“%(label)s”须为不超过两位小数的非负数。") % {"label": label})
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValidationError(_("“%(label)s”不是数字。") % {"label": label}) from None
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        raise ValidationError(
            _("“%(label)s”须在 %(low)s 至 %(high)s 之间。")
            % {"label": label, "low": spec.low, "high": spec.high}
        )
    return value


def _parse_decimal(spec: Field, raw: Any) -> Decimal:
    return _decimal(spec, raw, spec.label)


def _parse_year_amounts(spec: Field, raw: Any) -> Mapping[int, Decimal]:
    if not isinstance(raw, dict):
        raise ValidationError(_("“%(label)s”格式不正确。") % {"label": spec.label})
    out: dict[int, Decimal] = {}
    for key, amount in raw.items():
        text = str(key).strip()
        if not re.fullmatch(r"\d{4}", text) or not spec.low_year <= int(text) <= spec.high_year:
            raise ValidationError(
                _("“%(label)s”中的年份“%(year)s”须为 %(low)s 至 %(high)s 之间的四位年份。")
                % {
                    "label": spec.label,
                    "year": text[:10],
                    "low": spec.low_year,
                    "high": spec.high_year,
                }
            )
        out[int(text)] = _decimal(spec, amount, _("%(year)s 年") % {"year": text})
    return MappingProxyType(dict(sorted(out.items())))


def _parse_codes(spec: Field, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationError(_("“%(label)s”至少选一项。") % {"label": spec.label})
    unknown = [str(code)[:20] for code in raw if code not in spec.choices]
    if unknown:
        raise ValidationError(
            _("“%(label)s”中有未知的代码:%(codes)s;可用:%(choices)s。")
            % {"label": spec.label, "codes": "、".join(unknown), "choices": "、".join(spec.choices)}
        )
    return tuple(dict.fromkeys(raw))


def _parse_text_map(spec: Field, raw: Any) -> Mapping[str, str]:
    if not isinstance(raw, dict):
        raise ValidationError(_("“%(label)s”格式不正确。") % {"label": spec.label})
    for key, value in raw.items():
        if (
            not all(isinstance(s, str) and re.fullmatch(r"[a-z]{0,6}", s) for s in (key, value))
            or not key
        ):
            raise ValidationError(
                _("“%(label)s”的每一项须为不超过 6 个小写拼音字母,例如 zh: z。")
                % {"label": spec.label}
            )
    return MappingProxyType(dict(raw))


_PARSERS: dict[str, Callable[[Field, Any], Any]] = {
    "int": _parse_int,
    "decimal": _parse_decimal,
    "year_amounts": _parse_year_amounts,
    "codes": _parse_codes,
    "text_map": _parse_text_map,
}


@dataclass(frozen=True)
class RuleKind:
    """A kind of rule set: its code, what it governs and the schema of its values."""

    code: str
    label: Any
    fields: tuple[Field, ...]
    used_by: Any = ""
    # Cross-field checks over the typed values: {field name: message} for each problem.
    check: Callable[[Mapping[str, Any]], dict[str, str]] | None = field(default=None, compare=False)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def parse(self, raw: Any) -> dict[str, Any]:
        """Typed values from stored or entered ones, every key of the schema and no other.
        Raises ValidationError with one message per field at fault."""
        if not isinstance(raw, dict):
            raise ValidationError(_("规则内容格式不正确。"))
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}
        for spec in self.fields:
            if spec.name not in raw:
                errors[spec.name] = [_("缺少“%(label)s”。") % {"label": spec.label}]
                continue
            try:
                values[spec.name] = spec.parse(raw[spec.name])
            except ValidationError as exc:
                errors[spec.name] = exc.messages
        extra = sorted(set(raw) - {f.name for f in self.fields})
        if extra:
            errors["__all__"] = [
                _("规则中没有这些项:%(keys)s。") % {"keys": "、".join(str(k)[:30] for k in extra)}
            ]
        if not errors and self.check is not None:
            errors = {k: [v] for k, v in self.check(values).items()}
        if errors:
            raise ValidationError(errors)
        return values

    def to_json(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {spec.name: spec.to_json(values[spec.name]) for spec in self.fields}


KINDS: dict[str, RuleKind] = {}


def register(kind: RuleKind) -> RuleKind:
    """Declare a kind (from an app's `rulesets.py`); the same code twice is a mistake."""
    if kind.code in KINDS and KINDS[kind.code] != kind:
        raise ValueError(f"rule set kind {kind.code} declared twice")
    KINDS[kind.code] = kind
    return kind


def kind_of(code: str) -> RuleKind:
    if code not in KINDS:
        raise ValidationError({"kind": _("未知的规则类别。")})
    return KINDS[code]


# --- the values in force ----------------------------------------------------------------------


class RulesNotInForce(ValidationError):
    """No version of a kind is in force on the day asked for (none entered yet, or all later)."""

    def __init__(self, kind: str, on: datetime.date) -> None:
        self.kind, self.on = kind, on
        label = KINDS[kind].label if kind in KINDS else kind
        super().__init__(
            _("%(date)s 没有生效的“%(label)s”规则,请省民政厅管理员在“规则设置”中录入。")
            % {"date": on.isoformat(), "label": label},
            code="rules_not_in_force",
        )


class RuleValues(Mapping[str, Any]):
    """The typed, read-only values of one rule-set version, with which version it is."""

    __slots__ = ("_values", "kind", "pk", "valid_from", "version")

    def __init__(
        self,
        *,
        kind: str,
        version: int,
        valid_from: datetime.date,
        values: Mapping[str, Any],
        pk: int | None = None,
    ) -> None:
        self.kind, self.version, self.valid_from, self.pk = kind, version, valid_from, pk
        self._values = MappingProxyType(dict(values))

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<RuleValues {self.kind} v{self.version} from {self.valid_from}>"

    @property
    def label(self) -> str:
        """How a page names the version: 第 2 版(2026-01-01 起)."""
        return _("第 %(version)s 版(%(date)s 起)") % {
            "version": self.version,
            "date": self.valid_from.isoformat(),
        }


def values_of(ruleset: Any) -> RuleValues:
    """The typed values of a stored `core.RuleSet` row."""
    return RuleValues(
        kind=ruleset.kind,
        version=ruleset.version,
        valid_from=ruleset.valid_from,
        values=kind_of(ruleset.kind).parse(ruleset.values),
        pk=ruleset.pk,
    )


def rules_for(kind: str, on: datetime.date) -> RuleValues:
    """The version of `kind` in force on `on`: the latest whose valid_from is on or before it.

    Raises RulesNotInForce (a ValidationError with a message for the page) when there is none.
    """
    from .models import RuleSet

    kind_of(kind)
    row = RuleSet.objects.filter(kind=kind, valid_from__lte=on).order_by("-valid_from").first()
    if row is None:
        raise RulesNotInForce(kind, on)
    return values_of(row)
