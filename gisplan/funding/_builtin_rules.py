"""The built-in funding rules, registered like any added rule (:mod:`gisplan.funding.rule_registry`).

List rules read the call's own fields (``applicants``, ``site_kinds``…); the
funding editor keeps its vocabulary pickers for those, so they are not
generated. Range rules read ``limits`` and are generated as min and max inputs.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gisplan.funding._models import Limit
from gisplan.funding._rules import RuleResult, SiteFacts, _list_rule, _range_rule
from gisplan.funding.rule_registry import register_rule

ListSetting = list[str] | str | None


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ApplicantsFields(_Fields):
    """Who may apply."""

    applicants: ListSetting = None


class SiteKindsFields(_Fields):
    """Which kinds of site are eligible."""

    site_kinds: ListSetting = None


class UsesFields(_Fields):
    """Which intended uses are eligible."""

    uses: ListSetting = None


class OwnersFields(_Fields):
    """Which owners are eligible."""

    owners: ListSetting = None


class BuildingUsesFields(_Fields):
    """Which building uses are eligible."""

    building_uses: ListSetting = None


class PreviousUsesFields(_Fields):
    """Which previous uses are eligible."""

    previous_uses: ListSetting = None


class CapacityFields(_Fields):
    """Installed PV capacity limits."""

    capacity_kwp: Limit = Field(default=None, description="installed PV capacity [kWp]")


class AreaFields(_Fields):
    """Site area limits."""

    area_ha: Limit = Field(default=None, description="site area [ha]")


class PopulationFields(_Fields):
    """Population limits of the applicant municipality."""

    population: Limit = Field(default=None, description="inhabitants of the applicant municipality")


class EnergyPovertyFields(_Fields):
    """Energy poverty limits of the site's municipality."""

    energy_poverty: Limit = Field(default=None, description="energy poverty indicator, in its loaded unit")


def applicant_rule(settings: ApplicantsFields, facts: SiteFacts) -> RuleResult | None:
    """Whether the applicant type may apply."""
    return _list_rule("applicant", settings.applicants, facts.applicant)


def site_kind_rule(settings: SiteKindsFields, facts: SiteFacts) -> RuleResult | None:
    """Whether the kind of site is eligible."""
    return _list_rule("site_kind", settings.site_kinds, facts.kind)


def use_rule(settings: UsesFields, facts: SiteFacts) -> RuleResult | None:
    """Whether the intended use is eligible."""
    return _list_rule("use", settings.uses, facts.intended_use)


def owner_rule(settings: OwnersFields, facts: SiteFacts) -> RuleResult | None:
    """Whether the owner fits (see :func:`gisplan.funding._rules.owner_rule`)."""
    return _list_rule("owner", settings.owners, facts.owner)


def building_use_rule(settings: BuildingUsesFields, facts: SiteFacts) -> RuleResult | None:
    """Whether the building's use fits."""
    return _list_rule("building_use", settings.building_uses, facts.building_use)


def previous_use_rule(settings: PreviousUsesFields, facts: SiteFacts) -> RuleResult | None:
    """Whether the site's previous use fits."""
    return _list_rule("previous_use", settings.previous_uses, facts.previous_use)


def capacity_rule(settings: CapacityFields, facts: SiteFacts) -> RuleResult | None:
    """Installed capacity [kWp] against the call's limits."""
    return _range_rule("capacity", settings.capacity_kwp, facts.capacity_kwp, "kwp")


def area_rule(settings: AreaFields, facts: SiteFacts) -> RuleResult | None:
    """Site area [ha] against the call's limits."""
    area_ha = None if facts.area_m2 is None else facts.area_m2 / 10_000.0
    return _range_rule("area", settings.area_ha, area_ha, "ha")


def population_rule(settings: PopulationFields, facts: SiteFacts) -> RuleResult | None:
    """Inhabitants of the municipality against the call's limits."""
    return _range_rule("population", settings.population, facts.population, "inhabitants")


def energy_poverty_rule(settings: EnergyPovertyFields, facts: SiteFacts) -> RuleResult | None:
    """The municipality's energy poverty indicator against the call's limits."""
    return _range_rule("energy_poverty", settings.energy_poverty, facts.energy_poverty, "indicator")


_TOP: tuple[str, ...] = ()
_LIMITS = ("limits",)

register_rule("applicant", ApplicantsFields, applicant_rule, section=_TOP, in_form=False)
register_rule("site_kind", SiteKindsFields, site_kind_rule, section=_TOP, in_form=False)
register_rule("use", UsesFields, use_rule, section=_TOP, in_form=False)
register_rule("owner", OwnersFields, owner_rule, section=_TOP, in_form=False)
register_rule("building_use", BuildingUsesFields, building_use_rule, section=_TOP, in_form=False)
register_rule("previous_use", PreviousUsesFields, previous_use_rule, section=_TOP, in_form=False)
register_rule(
    "capacity",
    CapacityFields,
    capacity_rule,
    section=_LIMITS,
    labels={"capacity_min": "fund.capacity_min", "capacity_max": "fund.capacity_max"},
)
register_rule(
    "area", AreaFields, area_rule, section=_LIMITS, labels={"area_min": "fund.area_min", "area_max": "fund.area_max"}
)
register_rule(
    "population",
    PopulationFields,
    population_rule,
    section=_LIMITS,
    labels={"population_min": "fund.population_min", "population_max": "fund.population_max"},
)
register_rule(
    "energy_poverty",
    EnergyPovertyFields,
    energy_poverty_rule,
    section=_LIMITS,
    labels={"energy_poverty_min": "fund.energy_poverty_min", "energy_poverty_max": "fund.energy_poverty_max"},
)
