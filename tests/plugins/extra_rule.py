"""A funding rule added from outside gisplan: small sites only, optionally brownfields only."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gisplan.funding import RuleResult, SiteFacts
from gisplan.funding.rule_registry import register_rule, unregister_rule

KEY = "small_site"


class SmallSiteFields(BaseModel):
    """The settings a call gives under ``rules: {small_site: {...}}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_area_m2: float | None = Field(default=None, gt=0, description="largest site area [m2]")
    brownfield_only: bool = Field(default=False, description="brownfields only")


def small_site_rule(settings: SmallSiteFields, facts: SiteFacts) -> RuleResult | None:
    """Not eligible above the area (or when not a brownfield and the call wants one); to check without an area."""
    if settings.brownfield_only and facts.kind is not None and facts.kind != "brownfield":
        return RuleResult(KEY, "not_eligible", "not_brownfield", {"kind": facts.kind})
    if settings.max_area_m2 is None:
        return None
    if facts.area_m2 is None:
        return RuleResult(KEY, "unknown", "missing", {"max_m2": settings.max_area_m2})
    verdict = "not_eligible" if facts.area_m2 > settings.max_area_m2 else "eligible"
    code = "too_large" if verdict == "not_eligible" else "small"
    return RuleResult(KEY, verdict, code, {"value_m2": facts.area_m2, "max_m2": settings.max_area_m2})


def register() -> None:
    """Register the rule."""
    register_rule(KEY, SmallSiteFields, small_site_rule, texts={"too_large": "fund.reason.small_site_too_large"})


def unregister() -> None:
    """Forget it again."""
    unregister_rule(KEY)
