"""The funding editor's rule inputs, generated from the registered rules' field models.

Every rule registered with ``in_form=True`` (:mod:`gisplan.funding.rule_registry`)
gets one input per field of its settings model: a :class:`~gisplan.funding.Range`
limit gives a min and a max number (0 = no limit), a number a number, a yes/no
a checkbox, a list of texts a comma-separated text, a text a text. An added
rule's fields therefore appear in the editor without editing the page.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from gisplan.funding import FundingCall, Range
from gisplan.funding.rule_registry import FundingRule, funding_rules

Widget = Literal["range", "number", "checkbox", "list", "text"]


@dataclass(frozen=True)
class RuleInput:
    """One input of the editor for one setting (or one end of a range) of a rule."""

    name: str
    """The input's key among the form's values (``capacity_max``, ``slope_max_slope_deg``)."""
    rule: str
    field: str
    widget: Widget
    part: Literal["min", "max"] | None
    label_key: str | None
    """Text key of the label, when the rule names one."""
    label: str
    """Fallback label: the field's description, else its name."""
    value: Any
    """The current value in the call (0.0 for an empty number, "" for an empty text)."""


def _members(annotation: Any) -> tuple[Any, ...]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return tuple(m for arg in typing.get_args(annotation) for m in _members(arg))
    return (annotation,)


def widget_of(annotation: Any) -> Widget:
    """The input that edits a field of this type."""
    members = _members(annotation)
    if Range in members:
        return "range"
    if bool in members:
        return "checkbox"
    if float in members or int in members:
        return "number"
    if any(typing.get_origin(m) is list for m in members):
        return "list"
    return "text"


def _current(rule: FundingRule, call: FundingCall | None, field: str) -> Any:
    settings = rule.settings(call) if call is not None else None
    return getattr(settings, field, None) if settings is not None else None


def _shown(widget: Widget, value: Any, part: str | None) -> Any:
    if widget == "range":
        return float(getattr(value, part or "max", None) or 0.0) if isinstance(value, Range) else 0.0
    if widget == "number":
        return float(value or 0.0)
    if widget == "checkbox":
        return bool(value)
    if widget == "list":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else ""
    return "" if value is None else str(value)


def rule_inputs(call: FundingCall | None, rules: Mapping[str, FundingRule] | None = None) -> list[RuleInput]:
    """The editor's inputs for every rule shown in the form, with ``call``'s current values."""
    out: list[RuleInput] = []
    for rule in (rules if rules is not None else funding_rules()).values():
        if not rule.in_form:
            continue
        fields = rule.fields.model_fields
        for field, info in fields.items():
            widget = widget_of(info.annotation)
            stem = rule.key if len(fields) == 1 and widget == "range" else f"{rule.key}_{field}"
            value = _current(rule, call, field)
            label = info.description or info.title or field.replace("_", " ")
            parts: tuple[Literal["min", "max"] | None, ...] = ("min", "max") if widget == "range" else (None,)
            for part in parts:
                name = f"{stem}_{part}" if part else stem
                shown_label = f"{label} ({part})" if part else label
                out.append(
                    RuleInput(
                        name,
                        rule.key,
                        field,
                        widget,
                        part,
                        rule.labels.get(name),
                        shown_label,
                        _shown(widget, value, part),
                    )
                )
    return out


def _range(low: float, high: float) -> dict[str, float] | None:
    if not low and not high:
        return None
    return {k: v for k, v in (("min", low), ("max", high)) if v}


def _holder(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    holder = data
    for part in path:
        child = holder.get(part)
        holder[part] = dict(child) if isinstance(child, dict) else {}
        holder = holder[part]
    return holder


def _setting(entry: list[RuleInput], values: Mapping[str, Any]) -> Any:
    first = entry[0]
    if first.widget == "range":
        ends = {i.part: float(values.get(i.name) or 0.0) for i in entry}
        return _range(ends.get("min", 0.0), ends.get("max", 0.0))
    value = values[first.name]
    if first.widget == "list":
        return [part.strip() for part in str(value).split(",") if part.strip()] or None
    if first.widget == "text":
        return str(value).strip() or None
    if first.widget == "number":
        return value or None
    return bool(value)


def apply_rule_inputs(data: dict[str, Any], values: Mapping[str, Any], inputs: list[RuleInput]) -> dict[str, Any]:
    """``data`` (a call's plain data) with the rule inputs found in ``values`` written back.

    A rule none of whose inputs is in ``values`` is left as it is. An empty
    input removes the setting, except that a limit of unknown value stays
    unknown until a value is given. Sections left empty are removed.
    """
    rules = funding_rules()
    grouped: dict[tuple[str, str], list[RuleInput]] = {}
    for item in inputs:
        if item.name in values:
            grouped.setdefault((item.rule, item.field), []).append(item)
    for (key, field), entry in grouped.items():
        path = rules[key].path
        holder = _holder(data, path)
        setting = _setting(entry, values)
        if setting is not None and setting is not False:
            holder[field] = setting
        elif holder.get(field) != "unknown":
            holder.pop(field, None)
        for depth in range(len(path), 0, -1):
            parent = _holder(data, path[: depth - 1]) if depth > 1 else data
            if not parent.get(path[depth - 1]) and path[depth - 1] != "limits":
                parent.pop(path[depth - 1], None)
    return data


__all__ = ["RuleInput", "Widget", "apply_rule_inputs", "rule_inputs", "widget_of"]
