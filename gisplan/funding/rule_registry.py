"""The registry of funding rules: what the matcher checks and what the funding editor shows.

The intake dates and the territory are always checked first (they need the day
and the place lookup); every other rule is registered here, the built-in ones
(applicants, site kinds, uses, owners, building uses, previous uses and the
capacity, area, population and energy poverty limits) through the same call as
any added rule, in :mod:`gisplan.funding._builtin_rules`.

A registered rule provides:

- ``fields``: a pydantic model of its settings. Each field is one setting of a
  call and one input of the funding editor (a number, a text, a yes/no, a list
  of texts, or a :class:`~gisplan.funding.Range` shown as min and max);
- ``section``: where the settings live in a call's YAML. Built-in rules read
  the call's own fields (``()``) or ``limits``; an added rule reads
  ``rules: {<key>: {...}}`` (the default), so it needs no change to
  :class:`~gisplan.funding.FundingCall`;
- ``evaluate``: ``evaluate(settings, facts) -> RuleResult | None`` with the
  settings model filled from the call and the site's
  :class:`~gisplan.funding.SiteFacts`; None when the call sets no such condition;
- ``texts``: reason code -> text key (:mod:`gisplan.texts`) of the sentence
  saying why, filled from the result's params; and ``labels``: editor input
  name -> text key (else the field's description labels the input).

Example::

    class SlopeFields(BaseModel):
        max_slope_deg: float | None = Field(default=None, description="steepest slope [deg]")

    def slope_rule(settings: SlopeFields, facts: SiteFacts) -> RuleResult | None:
        ...

    register_rule("slope", SlopeFields, slope_rule, texts={"too_steep": "fund.reason.too_steep"})

and in ``funding_calls.yaml``: ``rules: {slope: {max_slope_deg: 5}}``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from gisplan.funding._models import FundingCall
    from gisplan.funding._rules import RuleResult, SiteFacts

Evaluate = Callable[[Any, "SiteFacts"], "RuleResult | None"]
#: Where an added rule's settings live in a call: ``rules: {<key>: {...}}``.
RULES_SECTION = "rules"


@dataclass(frozen=True)
class FundingRule:
    """A registered funding rule (see the module docstring)."""

    key: str
    fields: type[BaseModel]
    evaluate: Evaluate
    texts: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    section: tuple[str, ...] | None = None
    """Path of the settings in a call's data: None for ``rules.<key>``."""
    in_form: bool = True
    """Whether the funding editor generates inputs for its fields."""

    @property
    def path(self) -> tuple[str, ...]:
        """Where the settings live in a call's data (``("rules", key)`` for an added rule)."""
        return self.section if self.section is not None else (RULES_SECTION, self.key)

    def settings(self, call: FundingCall) -> BaseModel | None:
        """The rule's settings in ``call``, or None when the call has no settings for an added rule."""
        holder: Any = call
        for part in self.path:
            holder = holder.get(part) if isinstance(holder, Mapping) else getattr(holder, part, None)
            if holder is None:
                return None
        if isinstance(holder, self.fields):
            return holder
        values = {name: getattr(holder, name) for name in self.fields.model_fields if hasattr(holder, name)}
        return self.fields.model_construct(**values)


_REGISTRY: dict[str, FundingRule] = {}
_builtins_loaded = False


def _load_builtins() -> None:
    global _builtins_loaded  # noqa: PLW0603  (one-time lazy registration of the built-ins)
    if not _builtins_loaded:
        _builtins_loaded = True
        # by name, as a plugin would be loaded: the built-ins depend on this module, not the reverse
        importlib.import_module("gisplan.funding._builtin_rules")


def register_rule(
    key: str,
    fields: type[BaseModel],
    evaluate: Evaluate,
    *,
    texts: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    section: tuple[str, ...] | None = None,
    in_form: bool = True,
) -> FundingRule:
    """Register a funding rule under ``key`` (checked after the rules registered before it).

    Raises
    ------
    ValueError
        If ``key`` is already registered.
    """
    _load_builtins()
    if key in _REGISTRY:
        msg = f"funding rule {key!r} is already registered; unregister_rule({key!r}) first"
        raise ValueError(msg)
    rule = FundingRule(key, fields, evaluate, dict(texts or {}), dict(labels or {}), section, in_form)
    _REGISTRY[key] = rule
    return rule


def unregister_rule(key: str) -> None:
    """Forget the rule ``key`` (tests and plugins that unload)."""
    _REGISTRY.pop(key, None)


def funding_rules() -> dict[str, FundingRule]:
    """Every registered rule, by key, in the order reasons are shown."""
    _load_builtins()
    return dict(_REGISTRY)


def validate_rule_settings(value: Mapping[str, Any]) -> dict[str, BaseModel]:
    """A call's ``rules:`` section validated by each named rule's field model.

    Raises
    ------
    ValueError
        Naming the registered added rules, for a key that names none.
    pydantic.ValidationError
        For settings that do not fit the rule's field model.
    """
    rules = {k: r for k, r in funding_rules().items() if r.section is None}
    unknown = sorted(set(value) - set(rules))
    if unknown:
        msg = f"{unknown} are not registered funding rules; registered: {sorted(rules)}"
        raise ValueError(msg)
    return {key: rules[key].fields.model_validate(settings) for key, settings in value.items()}


def reason_text(rule: FundingRule, code: str, params: Mapping[str, Any], language: str) -> str | None:
    """The sentence of an added rule's reason in ``language``, or None when the rule names no text for ``code``."""
    from gisplan.texts import has_text, t

    key = rule.texts.get(code)
    if key is None or not has_text(key):
        return None
    return t(key, language, **params)


__all__ = [
    "RULES_SECTION",
    "Evaluate",
    "FundingRule",
    "funding_rules",
    "reason_text",
    "register_rule",
    "unregister_rule",
    "validate_rule_settings",
]
