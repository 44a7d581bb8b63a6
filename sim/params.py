"""Every model parameter, typed and documented.

Each field carries its meaning (the description), its unit, its default and
where the default comes from: an entry of docs/SOURCES.md ("source: ...") or a
stated assumption ("assumption: ..."); its names for people (``label_zh``,
``label_en``); its kind (:data:`KINDS`: what sets its value); and, for
assumptions and sourced values, a plausible range with the reason for it
(calibrated parameters have their prior's range, in
``sim/calibration/priors.py``). ``sim params`` and ``docs/PARAMETERS.md`` are
generated from this file, and every label, kind and range is read through
:mod:`sim.paramdoc`, so the documentation cannot drift from the code.

What belongs to one region (its governments, its sectors and their names, which channels target which
sectors, the budget base, the land totals and the size of the market) is not here: it is read from the region's
files (``regions/<name>/``, :mod:`sim.region`), which set the defaults of every scenario naming the region
(``Params.region``); this file defines what those values mean and checks them against the region.

Money is in 万元 (10,000 yuan) throughout; land in mu (亩, 1/15 ha);
time in months. Quantities marked "at reference size" scale with
``run.n_investors / run.reference_investors`` so that a larger market keeps the
same per-project conditions (see ``Params.scale``).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.calibration.priors import BY_KEY  # the priors of the calibrated parameters, by dotted key
from sim.errors import ScenarioError, one_of
from sim.region import ROLES, deep_merge, default_region, load_region

ORIGINS = ("local", "domestic", "foreign")
ORIGIN_NAMES = {"local": ("本地客商", "Local investors"), "domestic": ("国内外地客商", "Investors from the rest of China"),
                "foreign": ("境外客商", "Foreign investors")}
BELIEF_KEYS = ("hard", "soft", "credibility", "delay", "risk")
"""What investors hold beliefs about (the keys of ``behaviour.belief_noise``; the columns of the model's beliefs, in
this order)."""
CHANNELS = (
    "referral",
    "door_to_door",
    "agency",
    "small_team",
    "online",
    "liaison_office",
    "sister_city",
    "leading_industry",
    "key_project_library",
)
CHANNEL_NAMES = {
    "referral": ("以商招商", "Referrals by investors"),
    "door_to_door": ("上门招商", "Door-to-door visits"),
    "agency": ("委托招商", "Agencies"),
    "small_team": ("小分队招商", "Small teams"),
    "online": ("网上招商", "Online promotion"),
    "liaison_office": ("驻外招商联络处", "Liaison offices"),
    "sister_city": ("友好城市", "Sister cities"),
    "leading_industry": ("主导产业推介", "Leading-industry promotion"),
    "key_project_library": ("重点项目库", "Key-project library"),
}
"""Channels in words, (zh, en) (read through sim.model.vocabulary)."""
DEPARTMENT_NAMES_EN = {
    "development_reform": "Development and reform",
    "natural_resources": "Natural resources",
    "power_supply": "Power supply company",
    "ecology_environment": "Ecology and environment",
    "housing_construction": "Housing and construction",
    "tax": "Tax bureau",
    "market_regulation": "Market regulation",
    "bank": "Bank",
}
"""English names of the default departments (their Chinese names are the departments' ``name_zh``)."""
BUDGET_LEVERS = (
    "channels",
    "park",
    "idle_assets",
    "incentive_fund",
    "investment_fund",
    "training",
    "tracking",
    "forums",
    "local_firms",
    "legal",
    "atmosphere",
)
LEVER_NAMES = {
    "channels": ("招商渠道", "Promotion channels"),
    "park": ("市级工业园区建设", "City industrial park"),
    "idle_assets": ("盘活闲置资产", "Revitalise idle assets"),
    "incentive_fund": ("招商专项资金（兑现优惠）", "Incentive fund (pays promises)"),
    "investment_fund": ("产业引导基金", "Investment fund"),
    "training": ("干部培训", "Staff training"),
    "tracking": ("重点项目跟踪", "Project tracking"),
    "forums": ("政银企、政税企和投资洽谈会", "Forums (bank, tax and investor)"),
    "local_firms": ("扶持本地企业", "Encourage local firms"),
    "legal": ("法治环境建设", "Legal environment"),
    "atmosphere": ("营造人文环境", "Pro-business atmosphere"),
}
"""Names of the budget levers (the keys of ``budget.shares``)."""
BELIEF_NAMES = {"hard": ("硬环境", "Hard environment"), "soft": ("软环境", "Soft environment"),
                "credibility": ("政府守信", "Credibility of promises"), "delay": ("审批时长", "Approval delay"),
                "risk": ("法治风险", "Legal risk")}


CALIBRATION_RECORD = Path(__file__).with_name("calibrated_baseline.json")
"""The calibrated baseline: the central point of the posterior that ``experiments/calibrate.py`` wrote."""


def calibration_record() -> dict[str, Any]:
    """The content of :data:`CALIBRATION_RECORD` ({} when there is none)."""
    if not CALIBRATION_RECORD.is_file():
        return {}
    return json.loads(CALIBRATION_RECORD.read_text(encoding="utf-8"))


_RECORD = calibration_record()


KINDS = ("assumption", "sourced", "calibrated", "lever", "structural")
"""What sets a parameter's value. ``assumption``: set by hand, no source pins the value (it has a plausible range
and the reason for it); ``sourced``: a figure of docs/SOURCES.md sets it (its source says which; it has a range
too); ``calibrated``: inferred by the ABC calibration (defined with :func:`C`; its range is its prior's);
``lever``: what a strategy chooses (budget shares, switches, incentive rate, attention, team, assessment, ...);
``structural``: run settings, names and flags of classification."""


def times(low: float, high: float) -> tuple[str, float, float]:
    """A plausible range of a field of a per-entry table (sectors, departments, channels, lead sources, and the
    entries of a table of numbers) as multipliers of each entry's own default: ``times(0.5, 2)`` is half to
    twice it."""
    return ("times", float(low), float(high))


def plus(low: float, high: float) -> tuple[str, float, float]:
    """A plausible range of a field of a per-entry table as offsets to each entry's own default, in the field's
    unit: ``plus(-0.5, 0.5)`` is the default plus or minus a half."""
    return ("plus", float(low), float(high))


def P(default: Any, meaning: str, unit: str, source: str, *, label_zh: str = "", label_en: str = "", kind: str = "",
      range: tuple | None = None, reason: str = "", entries: dict[str, tuple[str, str]] | None = None,
      **kw: Any) -> Any:
    """A documented parameter: default, meaning, unit and source (or assumption), its names for people
    (``label_zh``, ``label_en``), its kind (one of :data:`KINDS`) and, for assumptions and sourced values, a
    plausible ``range`` (low, high) in its unit (or :func:`times` / :func:`plus` of each entry's default, for a
    field of a per-entry table or a table of numbers) with the ``reason`` for it. ``entries`` names the keys of a
    table of numbers (Chinese, English)."""
    extra: dict[str, Any] = {"unit": unit, "source": source, "label_zh": label_zh, "label_en": label_en, "kind": kind}
    if range is not None:
        how, low, high = range if isinstance(range[0], str) else ("value", *range)
        extra.update(range=[low, high], range_of=how)
    if reason:
        extra["reason"] = reason
    if entries:
        extra["entries"] = entries
    return Field(default, description=meaning, json_schema_extra=extra, **kw)


def C(key: str, fallback: float, meaning: str, unit: str, *, label_zh: str = "", label_en: str = "", **kw: Any) -> Any:
    """A calibrated parameter: its default is the posterior's central point in the calibration record, its
    source states the prior and the posterior, its plausible range is the prior's (``sim.calibration.priors``);
    ``fallback`` serves only until the calibration is re-run after a parameter joins the calibrated set (the
    source then says so)."""
    prior = BY_KEY[key]
    post = {r["parameter"]: r for r in _RECORD.get("posterior", [])}.get(key)
    value = _RECORD.get("values", {}).get(key)
    names = {"label_zh": label_zh, "label_en": label_en, "kind": "calibrated"}
    if value is None or post is None:
        source = (f"calibrated: prior {prior.describe()}; not yet in {CALIBRATION_RECORD.name} (hand-set until "
                  "experiments/calibrate.py is re-run)")
        return P(fallback, meaning, unit, source, **names, **kw)
    source = (f"calibrated: prior {prior.describe()}; posterior central point (the weighted medoid among the particles that show the essay's patterns), 90% interval {post['p05']:.4g}-{post['p95']:.4g}, "
              f"{post['verdict']} (ABC-SMC, experiments/calibrate.py; record sim/{CALIBRATION_RECORD.name})")
    return P(float(value), meaning, unit, source, **names, **kw)


def table(description: str, entries: dict[str, tuple[str, str]] | None = None, label_zh: str = "", label_en: str = "",
          **kw: Any) -> Any:
    """A per-entry table (sectors, departments, channels) or a nested source of leads: its description, the
    names of its entries (Chinese, English) and, for a nested section, its own names, which prefix the labels
    of its fields."""
    extra = {"entries": entries or {}, "label_zh": label_zh, "label_en": label_en}
    return Field(description=description, json_schema_extra=extra, **kw)


Share = Annotated[float, Field(ge=0, le=1)]
"""A share or probability in a table (budget shares, origin shares): a finite number from 0 to 1."""

Weight = Annotated[float, Field(ge=0)]
"""A relative weight in a table (a channel's sector focus): a finite number from 0 up."""


class Section(BaseModel):
    """Base of every parameter section: unknown keys are errors, values are checked on assignment, and every
    number, also inside tables, must be finite (NaN and infinities are refused, not carried into the model)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, strict=True, allow_inf_nan=False)


# ----------------------------------------------------------------------------- run
class Run(Section):
    horizon_months: int = P(60, "Months simulated (one step is one month)", "months",
                            "assumption: a five-year plan period, the horizon officials brief on", ge=1, le=600,
                            label_zh="模拟月数", label_en="Months simulated",
                            kind="structural")
    n_investors: int = P(12000, "Potential investors in the market the region can reach at month 0 (the prospect pool; arrivals add to it)",
                         "investors", "region fact: the reachable market at month 0, stated by each region file (regions/<name>/region.toml, with its reason); how many of them sign is calibrated through behaviour.outside_option",
                         ge=10, le=2_000_000,
                         label_zh="初始可接触的客商数（市场规模）", label_en="Prospects in the market at the start",
                         kind="structural")
    arrivals_per_month: float = P(100.0, "New prospects entering the market each month (at reference size): firms that start looking for a location",
                                  "prospects / month", "assumption: the market must not run dry; the regions shipped sign a few hundred projects a year (their figures, regions/*/figures.toml)",
                                  ge=0, le=1_000_000,
                                  label_zh="每月新进入市场的客商", label_en="New prospects entering the market each month",
                                  kind="assumption", range=(50.0, 200.0), reason="half to twice the default: enough newcomers that the market does not run dry; how many sign is calibrated through the outside option, not by this number")
    spinup_months: int = P(180, "Months the status quo runs before month 0 (the spin-up), so that at month 0 the region has a running pipeline, "
                               "operating firms, tax coming in, beliefs and a reputation formed, and funds and promises outstanding; "
                               "a whole number of years, so that budget years and assessments keep their calendar. Strategies begin at "
                               "month 0 and every output counts from there (docs/ODD.md, Initialisation)",
                           "months", "assumption: fifteen years of the status quo, the spin-up the calibration runs every particle after (docs/ODD.md, Initialisation); "
                           "whether the baseline's yearly signings, signed and arrived capital and jobs added are then at most 10% apart between years 1 "
                           "and 5 is measured by experiments/steady_state.py; a cold start (0) ramps up while the budget, the atmosphere and the pipeline fill",
                           ge=0, le=600, multiple_of=12,
                           label_zh="预热月数（现状先运行）", label_en="Spin-up months (status quo before month 0)",
                           kind="structural")
    reference_investors: int = P(12000, "Pool size at which budgets, capacities and land are stated; they scale with n_investors / reference_investors",
                                 "investors", "assumption: equals the default pool", ge=10,
                                 label_zh="参照市场规模", label_en="Reference market size",
                                 kind="structural")
    large_threshold: float = P(10000.0, "Committed capital at or above which a project counts as large", "万元",
                               "assumption: 100 million yuan, the usual 亿元 project line in Chinese reporting", gt=0,
                               label_zh="大项目标准（签约额）", label_en="Large-project line (committed capital)",
                               kind="structural")


# ----------------------------------------------------------------------------- population
class Sector(Section):
    """A sector of the region's economy, as its region file defines it (``regions/<name>/sectors.toml``)."""

    name_zh: str = P("", "Chinese name", "text", "region file",
                     label_zh="行业中文名", label_en="Chinese name",
                     kind="structural")
    name_en: str = P("", "English name", "text", "region file",
                     label_zh="行业英文名", label_en="English name",
                     kind="structural")
    roles: list[str] = P([], "Roles of the sector in the region's strategy: 'leading' marks a leading industry the region promotes "
                             "(channels and lead sources may target roles as well as sectors; 'industrial' follows the flag below)",
                         "roles", "region file",
                         label_zh="行业定位", label_en="Roles of the sector",
                         kind="structural")
    share: float = P(0.2, "Share of the prospect pool in this sector", "share", "region file: prospects weighted toward the region's leading industries", ge=0, le=1,
                     label_zh="该行业客商占比", label_en="Share of prospects in the sector",
                     kind="assumption", range=times(0.5, 1.5), reason="the mix of prospects is weighted toward the region's leading industries (the sources give the mix of signed value, not of prospects): half to one and a half times each sector's share, the others rescaled so that the shares add up to 1")
    industrial: bool = P(False, "Counts as an industrial (secondary-industry) project", "flag", "national statistical classification",
                         label_zh="是否工业项目", label_en="Industrial project",
                         kind="structural")
    capital_median: float = P(2000.0, "Median committed capital of a project", "万元", "assumption", gt=0,
                              label_zh="项目投资额中位数", label_en="Median project capital",
                              kind="assumption", range=times(0.5, 2), reason="half to twice each sector's median; no source gives medians by sector")
    appeal: float = P(0.0, "Sector-specific pull of the region (a_sector in the utility)", "utility", "assumption", ge=-5, le=5,
                      label_zh="行业对本地的偏好", label_en="Sector's own pull of the region",
                      kind="assumption", range=plus(-0.5, 0.5), reason="each sector's default plus or minus 0.5 utility (one logit scale: the odds of going on times or over 2.7); no source pins it")
    env_weight: float = P(1.0, "How strongly this sector weighs the hard and soft environment and credibility", "multiplier", "assumption", ge=0, le=5,
                          label_zh="行业对营商环境的看重程度", label_en="Sector's weight on the business environment",
                          kind="assumption", range=times(0.5, 1.5), reason="half to one and a half times each sector's default; no source pins it")
    land_intensity: float = P(200.0, "Investment per mu of serviced land", "万元/mu", "assumption: provincial park investment-intensity standards of 150-400 万元/mu; at least 1 万元/mu (a sector with less would need almost unbounded land)", ge=1,
                              label_zh="每亩熟地投资强度", label_en="Investment per mu of serviced land",
                              kind="assumption", range=times(0.5, 2), reason="provincial park standards ask 150-400 万元/mu of industrial projects; half to twice each sector's default")
    serviced_land_fraction: float = P(1.0, "Share of the land need that must be serviced (三通一平) park land", "share", "assumption", ge=0, le=1,
                                      label_zh="需“三通一平”熟地的用地比例", label_en="Share of the land need that must be serviced",
                                      kind="assumption", range=times(0.5, 1.5), reason="half to one and a half times each sector's default (at most all of it); no source pins it")
    approvals: int = P(4, "Departmental approvals the project needs before building (the bank loan comes on top)", "approvals", "assumption", ge=0, le=8,
                       label_zh="开工所需部门审批数", label_en="Departmental approvals a project needs",
                       kind="assumption", range=plus(-1, 2), reason="one fewer to two more approvals than each sector's default; no source counts them")
    build_months: float = P(12.0, "Construction time of a median-size project", "months", "assumption", gt=0,
                            label_zh="中位规模项目建设周期", label_en="Construction time of a median-size project",
                            kind="assumption", range=times(0.67, 1.5), reason="two thirds to one and a half times each sector's default (the calibrated construction.build_time_scale already moves every sector together)")
    jobs_per_million: float = P(1.0, "Jobs created per million yuan of operating capital", "jobs / 100 万元", "assumption", ge=0,
                                label_zh="每百万元投资带来的就业岗位", label_en="Jobs per million yuan of capital",
                                kind="assumption", range=times(0.5, 2), reason="half to twice each sector's default; no source gives jobs per yuan by sector")
    tax_yield: float = P(0.03, "Local tax paid per year by an operating firm, as a share of its capital", "share / year", "assumption", ge=0, le=1,
                         label_zh="投产企业年税收占投资额比例", label_en="Yearly tax as a share of capital",
                         kind="assumption", range=times(0.5, 2), reason="half to twice each sector's default; no source pins it")


class Population(Section):
    sectors: dict[str, Sector] = table("Sector table (keys: the region's sectors, from its regions/<name>/sectors.toml)",
                                       default_factory=dict)
    origin_shares: dict[str, Share] = P({"local": 0.25, "domestic": 0.68, "foreign": 0.07},
                                        "Origin of prospects: local, rest of China, abroad", "share",
                                        "assumption: western inland prefectures draw mostly domestic capital",
                                        label_zh="客商来源构成", label_en="Origin of prospects", entries=ORIGIN_NAMES,
                                        kind="assumption", range=times(0.5, 1.5), reason="western inland prefectures draw mostly domestic capital, no source gives the split: half to one and a half times each share, the others rescaled so that the shares add up to 1")
    capital_sigma: float = C("population.capital_sigma", 1.45, "Log-scale spread of committed capital (lognormal around the sector median)",
                             "log 万元", gt=0, le=4,
                             label_zh="项目规模离散程度", label_en="Spread of project size")
    serious_share: float = C("population.serious_share", 0.8961, "Share of prospects with a real intention to build", "share", ge=0, le=1,
                             label_zh="有真实投资意向的客商比例", label_en="Share of prospects who really mean to build")
    unserious_inflation: float = P(1.5, "Factor by which unserious projects inflate the capital they announce", "multiplier",
                                   "assumption: inflated amounts are reported (docs/SOURCES.md#over-reporting-2016)", ge=1, le=10,
                                   label_zh="不实项目签约额的虚报倍数", label_en="Inflation of unserious projects' announced capital",
                                   kind="assumption", range=(1.0, 3.0), reason="from no inflation to three times: amounts are reported inflated (docs/SOURCES.md#over-reporting-2016), by how much no source says")
    patience_months: float = P(6.0, "Mean months of approval waiting an investor tolerates before delay hazards start", "months",
                               "assumption: World Bank 2006, 36-87 days a year with bureaucracy (docs/SOURCES.md#investment-climate-2006) set the scale", gt=0,
                               label_zh="客商可容忍的审批等待", label_en="Months of waiting investors tolerate",
                               kind="assumption", range=(3.0, 12.0), reason="half to twice the default; the World Bank's 36-87 days a year with bureaucracy (docs/SOURCES.md#investment-climate-2006) sets the scale, not the value")
    ties_per_investor: float = P(4.0, "Mean number of ties to other investors (word of mouth, referrals)", "ties",
                                 "assumption: small business networks", ge=0, le=50,
                                 label_zh="客商之间的联系数", label_en="Ties between investors",
                                 kind="assumption", range=(2.0, 8.0), reason="half to twice the default; no source pins it")
    local_tie_share: float = P(0.5, "Share of a local investor's ties that go to other local investors", "share", "assumption", ge=0, le=1,
                               label_zh="本地客商联系中本地客商的比例", label_en="Share of local investors' ties that are local",
                               kind="assumption", range=(0.25, 0.75), reason="from a quarter to three quarters; no source pins it")
    reinvest_per_year: float = P(0.06, "Yearly chance that a satisfied operating firm expands", "probability / year", "assumption", ge=0, le=1,
                                 label_zh="投产企业每年扩产的概率", label_en="Yearly chance that a satisfied firm expands",
                                 kind="assumption", range=(0.03, 0.12), reason="half to twice the default; no source pins it")
    reinvest_years: float = P(5.0, "Years after it starts operating during which a satisfied firm may expand (a project's later phases, 二期)",
                              "years", "assumption", gt=0,
                              label_zh="企业扩产的年限", label_en="Years a firm may expand",
                              kind="assumption", range=(3.0, 10.0), reason="from the three years whose tax is returned to the budget to "
                              "ten; no source pins it. Expansions by firms of every age would grow with the stock of firms and the jobs "
                              "added a year would never settle; at three years or more the budget's tax feedback does not see the change")
    reinvest_fraction: float = P(0.3, "Size of an expansion relative to the firm's capital", "share", "assumption", ge=0, le=5,
                                 label_zh="扩产规模占原投资比例", label_en="Size of an expansion relative to the firm's capital",
                                 kind="assumption", range=(0.15, 0.6), reason="half to twice the default; no source pins it")
    origin_patience: dict[str, Weight] = P({"local": 1.3, "domestic": 1.0, "foreign": 0.7},
                                          "Patience multiplier by origin: local investors bear local procedure longer, foreign ones less",
                                          "multiplier", "assumption",
                                           label_zh="不同来源客商的耐心倍数", label_en="Patience multiplier by origin", entries=ORIGIN_NAMES,
                                           kind="assumption", range=times(0.67, 1.5), reason="the order (local investors most patient, foreign least) is the assumption; two thirds to one and a half times each origin's multiplier")
    patience_shape: float = P(4.0, "Shape of the gamma spread of patience around its mean (larger: more alike)", "gamma shape",
                              "assumption: a coefficient of variation of one half", gt=0, le=100,
                              label_zh="客商耐心的离散程度（伽马形状）", label_en="Shape of the spread of patience",
                              kind="assumption", range=(2.0, 8.0), reason="a coefficient of variation of patience from 0.35 to 0.71 (default 0.5); no source pins it")
    loan_size_elasticity: float = P(0.5, "Rise in the log-odds of needing a bank loan per unit of log capital above the sector median",
                                    "log-odds / log 万元", "assumption: larger projects borrow more of their capital (P3)", ge=0, le=3,
                                    label_zh="贷款需求随项目规模的弹性", label_en="Rise of the need for a loan with project size",
                                    kind="assumption", range=(0.0, 1.0), reason="from no link between size and borrowing to twice the default")
    large_extra_approvals: int = P(2, "Extra approvals a large project needs (environmental impact and energy reviews at a higher level)",
                                   "approvals", "assumption: large and industrial projects face provincial reviews (P3)", ge=0, le=6,
                                   label_zh="大项目额外审批数", label_en="Extra approvals of a large project",
                                   kind="assumption", range=(1, 3), reason="one to three higher-level reviews (environmental impact, energy); no source counts them")
    size_env_elasticity: float = P(0.25, "Elasticity, with capital relative to the large-project line, of the weight a project gives the soft environment, the credibility of promises and legal risk",
                                   "elasticity", "assumption: large investors weigh the legal and regulatory environment most (World Bank 2017; docs/SOURCES.md#investor-survey-2017)", ge=0, le=2,
                                   label_zh="规模对软环境、守信与法治权重的弹性", label_en="Elasticity of the weight on service, credibility and legal risk with size",
                                   kind="assumption", range=(0.0, 0.5), reason="large investors weigh the legal environment most (World Bank 2017; docs/SOURCES.md#investor-survey-2017), by how much no source says: from none to twice the default")
    size_weight_min: float = P(0.5, "Lowest size weight on the soft environment, credibility and legal risk (the smallest projects)",
                               "multiplier", "assumption: keeps the smallest projects within a plausible range", gt=0, le=1,
                               label_zh="最小项目的规模权重", label_en="Lowest size weight (smallest projects)",
                               kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    size_weight_max: float = P(3.0, "Highest size weight on the soft environment, credibility and legal risk (the largest projects)",
                               "multiplier", "assumption: keeps the largest projects within a plausible range", ge=1, le=20,
                               label_zh="最大项目的规模权重", label_en="Highest size weight (largest projects)",
                               kind="assumption", range=(2.0, 5.0), reason="two thirds to five thirds of the default; no source pins it")

    @model_validator(mode="after")
    def _keys(self) -> Population:
        _check_keys(self.origin_shares, ORIGINS, "origin_shares")
        _check_keys(self.origin_patience, ORIGINS, "origin_patience")
        _check_sum(self.origin_shares, "origin_shares", exact=True)
        return self


# ----------------------------------------------------------------------------- behaviour
class Behaviour(Section):
    b_incentive: float = P(0.021, "Utility per percentage point of promised incentive, times believed credibility", "utility / pp",
                           "source: FDI +2.5-3.3% per pp of tax cut (de Mooij and Ederveen 2003; docs/SOURCES.md#tax-incentive-meta-analyses), converted at the logit slope", ge=0,
                           label_zh="优惠政策对客商的吸引力", label_en="Pull of promised incentives",
                           kind="sourced", range=(0.014, 0.0315), reason="the meta-analyses' 2.5-3.3% more FDI per point of tax (docs/SOURCES.md#tax-incentive-meta-analyses) is 14% either side of its middle; turning it into utility depends on how many prospects go on, so two thirds to one and a half times the default")
    b_hard: float = P(1.2, "Utility weight of the believed hard environment (serviced land, infrastructure)", "utility", "assumption: land weighs a little more than service (essay P2)", ge=0,
                      label_zh="硬环境对客商的吸引力", label_en="Weight investors give the hard environment",
                      kind="assumption", range=(0.6, 2.4), reason="half to twice the default; no source pins it")
    b_soft: float = P(1.0, "Utility weight of the believed soft environment (service attitude, atmosphere)", "utility", "assumption", ge=0,
                      label_zh="软环境对客商的吸引力", label_en="Weight investors give the soft environment",
                      kind="assumption", range=(0.5, 2.0), reason="half to twice the default; no source pins it")
    b_delay: float = P(0.05, "Utility lost per month of expected approval delay", "utility / month", "assumption", ge=0,
                       label_zh="审批拖延对客商的影响", label_en="Weight investors give approval delay",
                       kind="assumption", range=(0.025, 0.1), reason="half to twice the default; no source pins it")
    b_risk: float = P(1.5, "Utility weight of believed legal insecurity (harassment, expropriation)", "utility",
                      "assumption: 86-87% of investors rate stability and the legal environment critical (World Bank 2017; docs/SOURCES.md#investor-survey-2017): a weight above the soft environment's; the figure does not give its size", ge=0,
                      label_zh="法治风险对客商的影响", label_en="Weight investors give legal insecurity",
                      kind="assumption", range=(0.75, 3.0), reason="86-87% of investors call stability and the legal environment critical (World Bank 2017; docs/SOURCES.md#investor-survey-2017): a weight above the soft environment's, its size not given: half to twice the default")
    b_team: float = P(0.4, "Utility added in negotiation by a fully professional promotion team", "utility", "assumption", ge=0,
                      label_zh="专业招商队伍在洽谈中的作用", label_en="Pull of a professional promotion team in negotiation",
                      kind="assumption", range=(0.2, 0.8), reason="half to twice the default; no source pins it")
    tau: float = P(0.5, "Logit scale of the go-on decision", "utility", "assumption", gt=0,
                   label_zh="客商决策的随机性", label_en="Randomness of investors' decisions",
                   kind="assumption", range=(0.25, 1.0), reason="half to twice the default; no source pins it")
    outside_option: float = C("behaviour.outside_option", 0.8, "Value of the best outside offer (other regions) at month 0", "utility",
                              label_zh="外地竞争拉力", label_en="Pull of competing regions")
    outside_growth: float = P(0.0, "Yearly rise of competing regions' pull over this region's from month 0 (0: under the status quo the region keeps pace with them)",
                              "utility / year", "assumption: the region's own yearly figures are those of a region in steady state (docs/SOURCES.md), so the baseline keeps pace with its rivals; "
                              "a rise is a future the screening of assumptions and the allocation search vary", ge=-1, le=1,
                              label_zh="外地竞争拉力的年增长", label_en="Yearly rise of competing regions' pull",
                              kind="assumption", range=(0.0, 0.08), reason="from other regions keeping pace to other regions pulling ahead by 0.08 utility a year (a third of the logit scale in four years; the futures of the robust allocation search); no source pins it")
    return_months: float = P(24.0, "Months after declining before a prospect may be courted again; it keeps the beliefs it left with", "months",
                             "assumption", gt=0, le=600,
                             label_zh="客商再次接洽前的间隔", label_en="Months before a prospect may be courted again",
                             kind="assumption", range=(12.0, 48.0), reason="half to twice the default; no source pins it")
    negotiation_months: float = P(3.0, "Mean length of negotiation before a signing decision", "months", "assumption", gt=0,
                                  label_zh="洽谈时长", label_en="Length of negotiation",
                                  kind="assumption", range=(1.5, 6.0), reason="half to twice the default; no source pins it")
    experience_weight: float = P(0.3, "Pull of a month's own experience on a belief (lambda)", "share / month", "assumption", ge=0, le=1,
                                 label_zh="亲身经历对客商判断的影响", label_en="Weight of investors' own experience",
                                 kind="assumption", range=(0.15, 0.6), reason="half to twice the default; no source pins it")
    word_of_mouth_weight: float = P(0.15, "Pull of informed ties' beliefs on a belief each month", "share / month", "assumption", ge=0, le=1,
                                    label_zh="口碑传播强度", label_en="Strength of word of mouth",
                                    kind="assumption", range=(0.075, 0.3), reason="half to twice the default; no source pins it")
    reputation_memory: float = P(0.97, "Monthly persistence of the region's public reputation", "share / month", "assumption: slow to build", ge=0, le=1,
                                 label_zh="地区声誉的持续性（每月）", label_en="Monthly persistence of the region's reputation",
                                 kind="assumption", range=(0.9, 0.99), reason="a half-life of the reputation from about 7 to 70 months (default 23); no source pins it")
    reputation_years: float = P(5.0, "Years back whose signers make the public reputation: it follows what the investors who signed in these "
                                     "years, staying or gone, now believe", "years", "assumption", gt=0,
                                label_zh="地区声誉所依据的年限", label_en="Years of signers behind the reputation",
                                kind="assumption", range=(2.0, 10.0), reason="from two years of experience to ten; no source pins it. With every "
                                "signer ever counted, firms gone for decades would still shape it and the status quo would never settle")
    reputation_hard: float = P(0.45, "Public reputation of the hard environment at month 0 (the region's track record)", "0-1", "assumption", ge=0, le=1,
                               label_zh="初始硬环境声誉", label_en="Reputation of the hard environment at the start",
                               kind="assumption", range=(0.25, 0.65), reason="the default plus or minus 0.2 on the 0-1 scale; no source measures it")
    reputation_soft: float = P(0.4, "Public reputation of the soft environment at month 0", "0-1", "assumption", ge=0, le=1,
                               label_zh="初始软环境声誉", label_en="Reputation of the soft environment at the start",
                               kind="assumption", range=(0.2, 0.6), reason="the default plus or minus 0.2 on the 0-1 scale; no source measures it")
    reputation_credibility: float = P(0.65, "Public reputation for keeping promises at month 0", "0-1", "assumption: the essay's 'incentives not fully delivered'", ge=0, le=1,
                                      label_zh="初始守信声誉", label_en="Reputation for keeping promises at the start",
                                      kind="assumption", range=(0.45, 0.85), reason="the default plus or minus 0.2 on the 0-1 scale; the essay says incentives are not fully delivered, not how often")
    referral_rate: float = P(0.01, "Monthly chance that a fully satisfied operating firm refers one of its ties", "probability / month / tie", "assumption", ge=0, le=1,
                             label_zh="以商招商的推荐率", label_en="Referral rate of operating firms",
                             kind="assumption", range=(0.005, 0.02), reason="half to twice the default; no source pins it")
    referral_years: float = P(3.0, "Years after it starts operating during which a satisfied firm passes on its ties (its suppliers and partners "
                                   "follow it in while it sets up; later its ties are settled elsewhere)", "years", "assumption", gt=0,
                              label_zh="企业以商招商的年限", label_en="Years a firm refers its ties",
                              kind="assumption", range=(1.0, 6.0), reason="a third to twice the default; no source measures how long a firm keeps "
                              "bringing in partners. Referrals by firms of every age would grow with the stock of firms and never let the status quo settle")
    referral_reward_boost: float = P(1.5, "Relative rise of the referral rate while referral rewards (以商招商) are funded", "share", "assumption", ge=0, le=10,
                                     label_zh="奖励以商招商后推荐率的提高", label_en="Rise of referrals while referral rewards are funded",
                                     kind="assumption", range=(0.5, 3.0), reason="a third to twice the default; no source measures the effect of referral rewards")
    credibility_shock: float = P(0.5, "Drop of believed credibility after a broken promise (quick to lose)", "share", "assumption", ge=0, le=1,
                                 label_zh="失信对政府公信力的打击", label_en="Credibility lost after a broken promise",
                                 kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    unserious_sign_bonus: float = P(0.2, "Extra chance to sign for an unserious prospect: the contract, not the project, is what it is after", "probability",
                                    "assumption: letters of intent and re-signed projects counted as contracts (docs/SOURCES.md#over-reporting-2016)", ge=0, le=1,
                                    label_zh="不实项目的额外签约概率", label_en="Extra chance to sign for an unserious prospect",
                                    kind="assumption", range=(0.1, 0.4), reason="half to twice the default; no source pins it")
    initial_word_of_mouth: float = P(0.45, "Pull of informed ties' beliefs on a newly contacted prospect's first beliefs", "share",
                                     "assumption: three months' worth of word of mouth", ge=0, le=1,
                                     label_zh="口碑对新客商初始判断的影响", label_en="Pull of word of mouth on a new prospect's first beliefs",
                                     kind="assumption", range=(0.225, 0.675), reason="half to one and a half times the default; no source pins it")
    belief_noise: dict[str, Weight] = P({"hard": 0.1, "soft": 0.1, "credibility": 0.1, "delay": 1.5, "risk": 0.08},
                                       "Spread of a new prospect's first beliefs around the reputation (delay in months, the others on 0-1)",
                                       "sd", "assumption",
                                        label_zh="客商初始判断的离散程度", label_en="Spread of first beliefs", entries=BELIEF_NAMES,
                                        kind="assumption", range=times(0.5, 2), reason="half to twice each belief's default; no source pins it")
    partner_vouching: float = P(0.1, "Credibility and soft-environment belief added when a local partner brings the prospect", "0-1", "assumption", ge=0, le=1,
                                label_zh="本地合作方引荐带来的信任", label_en="Trust added when a local partner brings the prospect",
                                kind="assumption", range=(0.05, 0.2), reason="half to twice the default; no source pins it")
    attitude_weight_in_service: float = P(0.5, "Weight of departments' service attitude (proactiveness) in the service investors meet; the rest is effort alone", "share", "assumption", ge=0, le=1,
                                          label_zh="服务态度在服务质量中的权重", label_en="Weight of service attitude in service",
                                          kind="assumption", range=(0.25, 0.75), reason="from a quarter to three quarters; no source pins it")
    service_weight_in_soft: float = P(0.6, "Weight of departments' service in the soft environment (the rest is the atmosphere)", "share", "assumption", ge=0, le=1,
                                      label_zh="部门服务在软环境中的权重", label_en="Weight of departments' service in the soft environment",
                                      kind="assumption", range=(0.4, 0.8), reason="the default plus or minus 0.2; no source pins it")
    delay_memory_projects: int = P(200, "Recent approvals whose mean makes the actual approval delay investors hear of", "projects", "assumption", ge=1, le=100000,
                                   label_zh="客商了解到的近期审批数", label_en="Recent approvals investors hear of",
                                   kind="assumption", range=(100, 400), reason="half to twice the default; no source pins it")
    risk_learning_share: float = P(0.333, "Speed of learning about legal risk relative to the other beliefs (harassment is rare, so learnt slowly)", "share", "assumption", ge=0, le=1,
                                   label_zh="对法治风险的学习速度", label_en="Speed of learning about legal risk",
                                   kind="assumption", range=(0.17, 0.67), reason="half to twice the default; no source pins it")
    satisfied_threshold: float = P(0.5, "Satisfaction above which an operating firm counts as satisfied (it lifts the atmosphere)", "0-1", "assumption", ge=0, le=1,
                                   label_zh="投产企业“满意”的门槛", label_en="Satisfaction threshold of an operating firm",
                                   kind="assumption", range=(0.4, 0.6), reason="the default plus or minus 0.1 on the 0-1 scale; no source pins it")
    satisfaction_delay_months: float = P(24.0, "Believed approval delay at which the speed part of satisfaction is nil", "months", "assumption", gt=0,
                                         label_zh="满意度中审批速度归零的等待时长", label_en="Approval delay at which satisfaction with speed is nil",
                                         kind="assumption", range=(12.0, 48.0), reason="half to twice the default; no source pins it")
    building_sunk_share: float = P(0.3, "Outside-offer hazard of a project under construction relative to one not yet building (sunk costs)", "share", "assumption", ge=0, le=1,
                                   label_zh="在建项目转投外地的相对风险", label_en="Outside-offer hazard while building, relative",
                                   kind="assumption", range=(0.15, 0.6), reason="half to twice the default; no source pins it")

    @model_validator(mode="after")
    def _noise_keys(self) -> Behaviour:
        _check_keys(self.belief_noise, BELIEF_KEYS, "belief_noise")
        return self


class Construction(Section):
    upfront_share: float = C("construction.upfront_share", 0.4369, "Share of capital that arrives when building starts", "share", ge=0, le=1,
                             label_zh="开工时到位资金比例", label_en="Share of capital arriving at ground-breaking")
    size_elasticity: float = C("construction.size_elasticity", 0.4304, "Elasticity of construction time with project size relative to the sector median", "elasticity", ge=0, le=1,
                               label_zh="建设周期随规模的弹性", label_en="Elasticity of construction time with size")
    build_time_scale: float = C("construction.build_time_scale", 0.8779, "Multiplier on every sector's construction time", "multiplier", gt=0, le=5,
                                label_zh="建设周期倍数", label_en="Construction time multiplier")
    max_build_months: float = P(60.0, "Longest construction a project is planned for at full speed: a project whose size would take longer "
                                      "(sector time x multiplier x size to the elasticity) is built in phases within it", "months",
                                "assumption: five years, one plan period; the elasticity with size makes the largest projects of the "
                                "calibrated spread take decades otherwise, which no project plan states", ge=1, le=600,
                                label_zh="项目最长建设周期（满速）", label_en="Longest construction at full speed",
                                kind="assumption", range=(36.0, 96.0), reason="three to eight years: large industrial projects are built over "
                                "two to five years, and phases of the largest over longer; no source counts them")
    stall_speed: float = C("construction.stall_speed", 0.1693, "Construction speed while approvals are still pending (work only on what is permitted)", "share", ge=0, le=1,
                           label_zh="审批未完时的施工速度", label_en="Construction speed while approvals are pending")
    self_finance_speed: float = P(0.6, "Speed of capital arrival for a project building without the loan it asked for", "share", "assumption", gt=0, le=1,
                                  label_zh="无贷款时的资金到位速度", label_en="Capital arrival without a loan",
                                  kind="assumption", range=(0.3, 0.9), reason="half to one and a half times the default; no source pins it")
    land_wait_tolerance: float = P(6.0, "Months of waiting for land that make an investor's hard-environment experience nil", "months", "assumption; at least 1 month, the model's time step", ge=1,
                                   label_zh="可容忍的等地时长", label_en="Months of waiting for land investors tolerate",
                                   kind="assumption", range=(3.0, 12.0), reason="half to twice the default; no source pins it")


class Hazards(Section):
    no_land: float = C("hazards.no_land", 0.0652, "Monthly chance of leaving while approved but waiting for serviced land", "probability / month", ge=0, le=1,
                       label_zh="无地可用时的撤出风险", label_en="Withdrawal hazard when no land is ready")
    delay: float = C("hazards.delay", 0.2911, "Monthly chance of leaving per patience-length of waiting past patience", "probability / month", ge=0, le=1,
                     label_zh="审批拖延时的撤出风险", label_en="Withdrawal hazard from approval delay")
    loan_refused: float = P(0.5, "Chance of leaving when the bank refuses the loan", "probability", "assumption", ge=0, le=1,
                            label_zh="贷款被拒时的撤出概率", label_en="Withdrawal chance when the loan is refused",
                            kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    incentive_broken: float = P(0.35, "Chance of leaving in the month a promised incentive is not honoured", "probability", "assumption", ge=0, le=1,
                                label_zh="优惠未兑现时的撤出概率", label_en="Withdrawal chance when an incentive is broken",
                                kind="assumption", range=(0.175, 0.7), reason="half to twice the default; no source pins it")
    outside_offer: float = P(0.01, "Monthly chance of taking a better offer, when the outside option beats the local one", "probability / month", "assumption", ge=0, le=1,
                             label_zh="外地更优条件的撤出风险", label_en="Hazard of leaving for a better offer",
                             kind="assumption", range=(0.005, 0.02), reason="half to twice the default; no source pins it")
    handoff: float = P(0.08, "Monthly chance of wavering away during a city-to-county hand-off", "probability / month", "assumption", ge=0, le=1,
                       label_zh="市县转交时的摇摆风险", label_en="Hazard of wavering during a hand-off",
                       kind="assumption", range=(0.04, 0.16), reason="half to twice the default; no source pins it")
    insecurity: float = P(0.015, "Monthly chance of leaving at full legal insecurity (scaled by the actual level)", "probability / month", "assumption", ge=0, le=1,
                          label_zh="法治不安的撤出风险", label_en="Hazard from legal insecurity",
                          kind="assumption", range=(0.0075, 0.03), reason="half to twice the default; no source pins it")
    not_serious: float = C("hazards.not_serious", 0.0836, "Monthly chance that a signed unserious project is dropped", "probability / month", ge=0, le=1,
                           label_zh="不实项目被清理的速度", label_en="Rate at which unserious projects drop out")
    exit_operating: float = P(0.004, "Monthly chance that an operating firm closes, at zero satisfaction", "probability / month", "assumption", ge=0, le=1,
                              label_zh="投产企业关停风险", label_en="Closure hazard of operating firms",
                              kind="assumption", range=(0.002, 0.008), reason="a yearly closure chance at zero satisfaction from 2.4% to 9% (default 4.7%); no source pins it")
    delay_building_share: float = P(0.5, "Delay hazard of a project already building relative to one waiting to start", "share", "assumption", ge=0, le=1,
                                    label_zh="在建项目的审批拖延撤出风险（相对）", label_en="Delay hazard while building, relative",
                                    kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    delay_excess_cap: float = P(2.0, "Waiting past patience, in patience-lengths, beyond which the delay hazard rises no more", "patience-lengths", "assumption", gt=0, le=20,
                                label_zh="审批拖延风险的上限（耐心的倍数）", label_en="Cap of the delay hazard, in patience-lengths",
                                kind="assumption", range=(1.0, 4.0), reason="half to twice the default; no source pins it")
    insecurity_operating_share: float = P(0.3, "Insecurity hazard of an operating firm relative to one building", "share", "assumption", ge=0, le=1,
                                          label_zh="投产企业的法治不安风险（相对）", label_en="Insecurity hazard of operating firms, relative",
                                          kind="assumption", range=(0.15, 0.6), reason="half to twice the default; no source pins it")
    stall: float = C("hazards.stall", 0.006, "Monthly chance that a project under construction stalls half-built (烂尾) with its finance in place",
                     "probability / month", ge=0, le=1,
                     label_zh="在建项目停工（烂尾）风险", label_en="Hazard that a project under construction stalls")
    stall_funding_gap: float = P(4.0, "Multiplier on the stall hazard while a project builds without the loan it needed or after a broken promise", "multiplier",
                                 "assumption: stalls follow broken financing", ge=1, le=50,
                                 label_zh="资金缺口时的烂尾风险倍数", label_en="Stall hazard multiplier with a funding gap",
                                 kind="assumption", range=(2.0, 8.0), reason="half to twice the default: stalls follow broken financing, by how much no source says")
    stall_resume: float = P(0.02, "Monthly chance that a stalled project finds new money and resumes", "probability / month", "assumption", ge=0, le=1,
                            label_zh="停工项目复工概率", label_en="Monthly chance that a stalled project resumes",
                            kind="assumption", range=(0.01, 0.04), reason="half to twice the default; no source pins it")


# ----------------------------------------------------------------------------- departments
class Department(Section):
    name_zh: str = P("", "Chinese name", "text", "-",
                     label_zh="部门中文名", label_en="Chinese name",
                     kind="structural")
    vertical: bool = P(False, "A vertically managed unit (条管单位) answering to its own line ministry", "flag", "essay, problem P1",
                       label_zh="是否条管单位", label_en="Vertically managed unit",
                       kind="structural")
    capacity: float = P(60.0, "Requests a department can handle a month at full efficiency and effort (at reference size)", "requests / month", "assumption: sized so that queues bind mainly at vertical units", gt=0,
                        label_zh="部门每月办理能力", label_en="Requests handled a month",
                        kind="assumption", range=times(0.5, 2), reason="half to twice each department's default; no source counts them")
    efficiency: float = P(0.55, "Staff skills: share of capacity realised, and with effort the monthly chance a waiting request is dealt with", "share", "assumption", gt=0, le=1,
                          label_zh="部门工作效率（人员能力）", label_en="Staff skills (efficiency)",
                          kind="assumption", range=times(0.67, 1.5), reason="two thirds to one and a half times each department's default (at most 1); no source pins it")
    proactiveness: float = P(0.4, "Service attitude: willingness to serve without being pushed", "share", "assumption", ge=0, le=1,
                             label_zh="部门服务态度（主动性）", label_en="Service attitude (proactiveness)",
                             kind="assumption", range=times(0.5, 1.5), reason="half to one and a half times each department's default; no source measures it")
    alignment: float = P(1.0, "How much local leadership and assessment move this unit's effort", "share", "assumption: low for vertical units", ge=0, le=1,
                         label_zh="受本地领导和考核影响的程度", label_en="Response to local leaders and assessment",
                         kind="assumption", range=times(0.5, 1.5), reason="low for vertical units (essay P1), by how much no source says: half to one and a half times each department's default (at most 1)")


def _departments() -> dict[str, Department]:
    return dict(
        development_reform=Department(name_zh="发展改革", capacity=85),
        natural_resources=Department(name_zh="自然资源", capacity=80),
        power_supply=Department(name_zh="供电公司", vertical=True, capacity=60, alignment=0.3, proactiveness=0.3),
        ecology_environment=Department(name_zh="生态环境", capacity=40),
        housing_construction=Department(name_zh="住房建设", capacity=40),
        tax=Department(name_zh="税务", vertical=True, capacity=30, alignment=0.3, proactiveness=0.3),
        market_regulation=Department(name_zh="市场监管", capacity=40),
        bank=Department(name_zh="银行", vertical=True, capacity=50, alignment=0.25, proactiveness=0.3),
    )


class Service(Section):
    departments: dict[str, Department] = table("Departments in the order a project's approvals visit them; 'bank' decides loans",
                                               default_factory=_departments,
                                               entries={k: (v.name_zh, DEPARTMENT_NAMES_EN[k]) for k, v in _departments().items()})
    pre_start_approvals: int = P(2, "Approvals needed before ground-breaking (project filing, land); the others are worked while building and construction stalls without them",
                                 "approvals", "assumption: matches the high start and low completion rates of the fair cohorts (docs/SOURCES.md#provincial-fair-cohorts)", ge=0, le=8,
                                 label_zh="开工前需完成的审批数", label_en="Approvals needed before ground-breaking",
                                 kind="assumption", range=(1, 3), reason="one to three (project filing, land, planning); the default matches the high start and low completion rates of the fair cohorts (docs/SOURCES.md#provincial-fair-cohorts), other values are not ruled out")
    loan_share: float = P(0.6, "Share of projects that need a bank loan", "share", "assumption", ge=0, le=1,
                          label_zh="需要银行贷款的项目比例", label_en="Share of projects needing a loan",
                          kind="assumption", range=(0.4, 0.8), reason="the default plus or minus 0.2; no source pins it")
    loan_approval: float = P(0.55, "Chance the bank approves a loan, before forums", "probability", "assumption: banks' reluctance in the essay, problem P1", ge=0, le=1,
                             label_zh="银行贷款审批通过率", label_en="Bank loan approval rate",
                             kind="assumption", range=(0.35, 0.8), reason="banks are reluctant (essay P1), how much no source says: from about a third to four fifths of loans (the designs' ranges)")
    base_effort: float = P(0.5, "Effort of a department with no leadership push", "share", "assumption", ge=0, le=1,
                           label_zh="部门基础工作努力程度", label_en="Departments' baseline effort",
                           kind="assumption", range=(0.3, 0.7), reason="the default plus or minus 0.2; no source pins it")
    assessment_effort_push: float = P(0.5, "Push on department effort from assessment fully on landed capital and service (none when fully on signed amounts)", "share", "assumption", ge=0, le=1,
                                      label_zh="考核对部门努力的推动", label_en="Push of assessment on departments' effort",
                                      kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    unserious_loan_factor: float = P(0.5, "Loan approval of an unserious project relative to a serious one (the bank's own screening)", "share", "assumption", ge=0, le=1,
                                     label_zh="银行对不实项目的批贷折扣", label_en="Loan approval of unserious projects, relative",
                                     kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    vertical_coordination_staff: float = P(6.0, "Staff of the joint office with vertical units at full coordination (at reference size)", "persons", "assumption: a small standing office", ge=0,
                                           label_zh="条管单位联席办公室人数", label_en="Staff of the joint office with vertical units",
                                           kind="assumption", range=(3.0, 12.0), reason="half to twice the default; no source pins it")
    vertical_coordination_attention: float = P(0.05, "Share of the city leader's attention joint meetings with vertical units take at full coordination", "share", "assumption", ge=0, le=1,
                                               label_zh="条管单位联席会议占用领导精力", label_en="Leaders' attention joint meetings with vertical units take",
                                               kind="assumption", range=(0.025, 0.1), reason="half to twice the default; no source pins it")
    one_stop_centre: bool = P(False, "Administrative service centre: approvals run in parallel, not in sequence (C3)", "switch", "essay C3",
                              label_zh="行政服务中心（并联审批）", label_en="One-stop service centre",
                              kind="lever")
    one_stop_capacity_gain: float = P(0.25, "Capacity gained by departments working in the one-stop centre", "share",
                                      "assumption: approval centres raise investment persistently (docs/SOURCES.md#approval-centres); the size is not sourced", ge=0, le=2,
                                      label_zh="政务服务中心提升的办理能力", label_en="Capacity gained in the one-stop centre",
                                      kind="assumption", range=(0.1, 0.5), reason="approval centres raise investment persistently (docs/SOURCES.md#approval-centres), how much they raise capacity no source says: from 0.1 to twice the default")
    one_stop_cost: float = P(300.0, "Running cost of the one-stop centre (at reference size)", "万元 / year", "assumption", ge=0,
                             label_zh="政务服务中心运行成本", label_en="Running cost of the one-stop centre",
                             kind="assumption", range=(150.0, 600.0), reason="half to twice the default; no source pins it")
    complaint_centre: bool = P(False, "Complaint centre: broken promises can be appealed; departments are accountable (C3)", "switch", "essay C3",
                               label_zh="投诉中心", label_en="Complaint centre",
                               kind="lever")
    complaint_cost: float = P(100.0, "Running cost of the complaint centre (at reference size)", "万元 / year", "assumption", ge=0,
                              label_zh="投诉中心运行成本", label_en="Running cost of the complaint centre",
                              kind="assumption", range=(50.0, 200.0), reason="half to twice the default; no source pins it")
    complaint_resolution: float = P(0.5, "Chance an appealed broken promise is honoured late", "probability", "assumption", ge=0, le=1,
                                    label_zh="投诉后补兑现的概率", label_en="Chance an appealed broken promise is honoured late",
                                    kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    complaint_effort_gain: float = P(0.2, "Effort a department adds when every request in its queue is overdue and complained of (with a complaint centre, complaints reach its leaders)",
                                     "share", "assumption", ge=0, le=1,
                                     label_zh="投诉对部门努力的推动", label_en="Effort gained from complaints",
                                     kind="assumption", range=(0.1, 0.4), reason="half to twice the default; no source pins it")
    one_stop_effort_gain: float = P(0.1, "Effort a department in the one-stop centre adds because it is assessed on its time to approve", "share", "assumption", ge=0, le=1,
                                    label_zh="进驻服务中心部门增加的努力", label_en="Effort gained in the one-stop centre",
                                    kind="assumption", range=(0.05, 0.2), reason="half to twice the default; no source pins it")
    vertical_coordination: float = P(0.0, "Share of the gap to full alignment that joint meetings close for vertical units", "share", "assumption", ge=0, le=1,
                                     label_zh="条管单位的协调程度", label_en="Coordination of vertical units",
                                     kind="lever")
    training_effect: float = P(0.35, "Efficiency gained per 1,000 万元 of training still in effect (saturating)", "share / 1,000 万元", "assumption", ge=0,
                               label_zh="培训对部门效率的提升", label_en="Efficiency gained from training",
                               kind="assumption", range=(0.175, 0.7), reason="half to twice the default; no source pins it")
    training_fade: float = P(0.3, "Yearly share of the training's effect lost as trained officials move on (cadres rotate every few years)",
                             "1 / year", "assumption", ge=0, le=2,
                             label_zh="培训效果的流失", label_en="Yearly loss of training's effect",
                             kind="assumption", range=(0.15, 0.6), reason="half to twice the default (a trained official stays in post about "
                             "two to seven years); no source measures it. Without it a decade of any training would hold every department at "
                             "the ceiling for good")
    training_lag_months: int = P(6, "Months before training shows in efficiency", "months", "assumption", ge=0, le=60,
                                 label_zh="培训见效的时滞", label_en="Months before training shows",
                                 kind="assumption", range=(3, 12), reason="half to twice the default; no source pins it")
    training_max_efficiency: float = P(0.95, "Efficiency ceiling", "share", "assumption", gt=0, le=1,
                                       label_zh="部门效率上限", label_en="Efficiency ceiling",
                                       kind="assumption", range=(0.85, 1.0), reason="from 0.85 to full efficiency; no source pins it")


# ----------------------------------------------------------------------------- government and levers
class LeadSource(Section):
    """Whom a source of leads reaches: lead quality, size and sector targeting."""

    quality: float = P(0.75, "Share of serious prospects among the contacts (lead quality)", "share", "assumption", ge=0, le=1,
                       label_zh="线索质量（有真实意向客商的比例）", label_en="Lead quality (share of serious prospects)",
                       kind="assumption", range=plus(-0.1, 0.1), reason="each source's default plus or minus 0.1 (at most 1); no source measures the quality of leads by channel")
    size_preference: float = P(0.0, "Exponent of the firm's real capital in the targeting weight (positive seeks large projects); "
                                    "channels know firms from registers, not from the amounts later written into contracts",
                               "exponent", "assumption", ge=-2, le=2,
                               label_zh="对大项目的偏好", label_en="Preference for large projects",
                               kind="assumption", range=plus(-0.3, 0.3), reason="each source's default plus or minus 0.3; no source pins it")
    sector_focus: dict[str, Weight] = P({}, "Targeting weight by sector id of the region or by role ('leading', 'industrial'): a sector "
                                            "weighs its own weight if given, else the largest of its roles', else 1", "weight", "assumption",
                                        label_zh="行业定向权重", label_en="Sector targeting weight",
                                        kind="assumption", range=times(0.5, 2), reason="half to twice each sector's weight; no source pins it")


class Channel(LeadSource):
    share: float = P(0.0, "Share of the channel budget spent on this channel", "share", "strategy", ge=0, le=1,
                     label_zh="渠道经费份额", label_en="Share of the channel budget",
                     kind="lever")
    cost_per_contact: float = P(1.0, "Cost of one prospect contacted", "万元 / contact", "assumption", gt=0,
                                label_zh="每接洽一个客商的成本", label_en="Cost per prospect contacted",
                                kind="assumption", range=times(0.5, 2), reason="docs/SOURCES.md#promotion-costs prices a liaison office (8 万元 a year besides salaries) and agency promotion (1 万元 a year per partner city), not a contact: half to twice each channel's default")
    city_level: bool = P(False, "Run by the city (contacts need a hand-off unless a city park takes them)", "flag", "assumption",
                         label_zh="是否市级渠道", label_en="Run by the city",
                         kind="structural")


def _channels() -> dict[str, Channel]:
    # Leading-industry promotion seeks the region's leading industries, the key-project library industrial ones;
    # a region file may weigh its own sectors (regions/<name>/sectors.toml, [targets]).
    return dict(
        referral=Channel(share=0.0, cost_per_contact=4, quality=0.9, size_preference=0.0),
        door_to_door=Channel(share=0.30, cost_per_contact=10, quality=0.9, size_preference=0.3),
        agency=Channel(share=0.10, cost_per_contact=4, quality=0.75, size_preference=0.1),
        small_team=Channel(share=0.15, cost_per_contact=6, quality=0.85, size_preference=0.1),
        online=Channel(share=0.10, cost_per_contact=1.2, quality=0.6, size_preference=-0.2),
        liaison_office=Channel(share=0.20, cost_per_contact=3.2, quality=0.9, size_preference=0.5, city_level=True),
        sister_city=Channel(share=0.0, cost_per_contact=4, quality=0.9, size_preference=0.2, city_level=True),
        leading_industry=Channel(share=0.15, cost_per_contact=3, quality=0.88, sector_focus={"leading": 3.0}, city_level=True),
        key_project_library=Channel(share=0.0, cost_per_contact=12, quality=0.95, size_preference=0.8,
                                    sector_focus={"industrial": 3.0}, city_level=True),
    )


class Budget(Section):
    base_transfer: float = P(30000.0, "Yearly money for attraction from base transfers (at reference size)", "万元 / year", "region fact: each region file states it (regions/<name>/region.toml, with its reason)", ge=0,
                             label_zh="年度招商经费", label_en="Yearly attraction budget",
                             kind="lever")
    tax_share: float = P(0.15, "Share of tax paid by operating firms that flows back into the attraction budget", "share", "assumption", ge=0, le=1,
                         label_zh="税收回流招商经费的比例", label_en="Share of tax returned to the budget",
                         kind="assumption", range=(0.05, 0.3), reason="a third to twice the default; no source pins it")
    tax_years: float = P(3.0, "Years of operation whose tax a firm returns to the attraction budget (the reward of attracting it): the "
                               "budget gets tax_share of the tax of each firm in its first tax_years years of operation, not of every firm "
                               "ever attracted, for ever",
                         "years", "assumption: attraction rewards count the tax of a firm's first years (a rule of attraction rewards, "
                         "docs/ODD.md section 7.9); with every year counted the loop of tax and budget has a gain above one and "
                         "never settles", gt=0, le=50,
                         label_zh="税收回流计入的投产年数", label_en="Years of a firm's tax returned to the budget",
                         kind="assumption", range=(1.0, 10.0), reason="from one year to ten: rewards of one to a few years are usual, a decade is the longest plausible")
    fund_carryover: float = P(1.0, "Years of its allotment a fund (incentives, investment) may carry into the next budget year; what it holds "
                                   "beyond that goes back to the treasury at the year's start (结余收回)", "years of allotment",
                              "assumption: unspent budget money is carried over at most about a year before the treasury takes it back",
                              ge=0, le=10, label_zh="专项资金可结转年数", label_en="Years of allotment a fund may carry over",
                              kind="assumption", range=(0.5, 2.0), reason="from half a year's allotment to two years': how strictly a county's "
                              "treasury recovers unspent money varies. Without a limit a fund fills up in years of few claims and hides for "
                              "years that promises run ahead of the money")
    shares: dict[str, Share] = P(
        {"channels": 0.25, "park": 0.0, "idle_assets": 0.0, "incentive_fund": 0.55, "investment_fund": 0.0, "training": 0.05, "tracking": 0.0,
         "forums": 0.0, "local_firms": 0.0, "legal": 0.05, "atmosphere": 0.10},
        "Shares of the yearly budget by lever (" + ", ".join(BUDGET_LEVERS) + "); institutions' running costs come off first; must sum to at most 1",
        "share", "assumption: incentives and promotion dominate, parks starved (essay P2)",
                                 label_zh="年度预算份额", label_en="Share of the yearly budget", entries=LEVER_NAMES,
                                 kind="lever")

    amounts: dict[str, Weight] = P({}, "Money allotted to a lever each year on top of its share (at reference size): new money the budget grows by, "
                                       "so that a lever's allotment can be stated in 万元 (e.g. the incentive fund's doubled) without recomputing the base and every share",
                                   "万元 / year", "strategy",
                                   label_zh="各项措施的年度追加拨款", label_en="Money added to a lever each year", entries=LEVER_NAMES,
                                   kind="lever")

    @model_validator(mode="after")
    def _shares(self) -> Budget:
        _check_keys(self.shares, BUDGET_LEVERS, "shares", subset=True)
        _check_sum(self.shares, "shares")
        _check_keys(self.amounts, BUDGET_LEVERS, "amounts", subset=True)
        return self


class Platform(Section):
    initial_land_mu: float = P(2500.0, "Serviced land free at month 0 across all counties (at reference size); shared by the governments as their region file says (governments.*.land_share), equally where it says nothing",
                               "mu", "region fact: each region file states it (regions/<name>/region.toml, with its reason or source)", ge=0,
                               label_zh="初始可用熟地", label_en="Serviced land at the start",
                               kind="assumption", range=(1250.0, 5000.0), reason="half to twice the default; no source pins it")
    county_land_mu_per_year: float = C("platform.county_land_mu_per_year", 5018.5404, "Serviced land the counties add each year outside the strategy (at reference size)", "mu / year", ge=0,
                                       label_zh="各县每年新增熟地", label_en="Serviced land added by counties each year")
    county_land_reserve_years: float = P(1.0, "Years of their land the counties keep serviced ahead of demand: a county adds serviced land only while "
                                              "its free serviced land is below this many years of its yearly part", "years", "assumption", gt=0,
                                         label_zh="各县熟地储备年数", label_en="Years of land the counties keep ready",
                                         kind="assumption", range=(0.5, 3.0), reason="from half a year's land to three years'; no source pins it. "
                                         "Servicing land costs money and land quota, so counties do not service far ahead of the projects asking "
                                         "for it; without a limit, land piles up in years of little demand")
    park_cost_per_mu: float = P(12.0, "Cost of making one mu serviced (三通一平) in a city industrial park", "万元 / mu", "assumption", gt=0,
                                label_zh="园区每亩“三通一平”成本", label_en="Park cost per mu serviced",
                                kind="assumption", range=(6.0, 24.0), reason="half to twice the default; no source pins it")
    park_build_months: int = P(18, "Lag from park spending to serviced land", "months", "assumption", ge=0, le=120,
                               label_zh="园区建设周期", label_en="Park build lag",
                               kind="assumption", range=(9, 36), reason="half to twice the default; no source pins it")
    idle_cost_per_mu: float = P(4.0, "Cost of revitalising one mu of idle factory land by transfer or lease", "万元 / mu", "assumption", gt=0,
                                label_zh="盘活每亩闲置土地的成本", label_en="Cost of revitalising one mu of idle land",
                                kind="assumption", range=(2.0, 8.0), reason="half to twice the default; no source pins it")
    idle_lag_months: int = P(3, "Lag from revitalisation spending to usable land", "months", "assumption", ge=0, le=60,
                             label_zh="盘活闲置资产的时滞", label_en="Lag of idle-asset revitalisation",
                             kind="assumption", range=(1, 6), reason="half to twice the default; no source pins it")
    idle_stock_mu: float = P(3000.0, "Idle factory and land stock at month 0 that can be revitalised (at reference size); projects that withdraw while building or stall add to it; "
                                     "shared by the governments as their region file says (governments.*.idle_share), equally where it says nothing",
                             "mu", "region fact: each region file states it (regions/<name>/region.toml, with its reason or source)", ge=0,
                             label_zh="可盘活的闲置土地", label_en="Idle land that can be revitalised",
                             kind="assumption", range=(1500.0, 6000.0), reason="half to twice the default; no source pins it")
    handoff_months: float = P(3.0, "Mean months a city-contacted project spends being handed to a county when the city park has no free land at all; "
                                   "shorter, and rarer, as the park's free land grows relative to demand", "months", "assumption: essay P2", ge=0, le=24,
                              label_zh="市县转交时长", label_en="Length of a city-to-county hand-off",
                              kind="assumption", range=(1.5, 6.0), reason="half to twice the default; no source pins it")
    land_in_turn: bool = P(True, "Each government gives serviced land in the order of its queue (tracked projects first, then by signing): "
                                 "a project whose need does not fit holds up those behind it until enough land is ready or it gives up; "
                                 "off, any later project that fits takes land past it (first fit)", "switch",
                           "assumption: essay P2, projects are held up waiting for serviced land; a county's land plan keeps the plot "
                           "planned for the project first in line rather than parcel it out to later ones",
                           label_zh="熟地按排队顺序供给", label_en="Land given in turn",
                           kind="structural")
    county_search_months: int = P(3, "Months a signed project waits for land in its own county before it is offered land in another county "
                                      "(the city park takes it at once): counties act separately and hold on to their projects", "months",
                                  "assumption: essay P2 and P6, counties compete rather than pass projects on; a quarter, one round of the "
                                  "county's land supply reports", ge=0, le=24,
                                  label_zh="本县等地多久后改落他县", label_en="Months waiting at home before another county",
                                  kind="assumption", range=(1, 6), reason="from a month, a county that passes projects on at once, to half a year; no source pins it")
    late_handoff_months: float = P(2.0, "Mean months a signed project spends being moved to another county that has land", "months", "assumption: essay P2", ge=0, le=24,
                                   label_zh="改落他县的转交时长", label_en="Length of a move to another county",
                                   kind="assumption", range=(1.0, 4.0), reason="half to twice the default; no source pins it")
    financing_leverage: float = P(1.0, "Park money raised per yuan of budget (1 = no borrowing; 2 = one yuan borrowed per yuan spent)", "multiplier", "assumption", ge=1, le=5,
                                  label_zh="园区融资杠杆", label_en="Park financing leverage",
                                  kind="lever")
    interest_rate: float = P(0.05, "Yearly interest on park borrowing, paid from the budget", "share / year", "assumption", ge=0, le=0.5,
                             label_zh="园区借款年利率", label_en="Yearly interest on park borrowing",
                             kind="assumption", range=(0.03, 0.08), reason="from a policy-bank rate (about 3%) to a costly local-platform loan (about 8%); no source in docs/SOURCES.md")
    loan_term_years: int = P(10, "Years over which park borrowing is repaid, in equal yearly instalments of principal from the year after it is "
                                 "raised, with interest on what is outstanding; both come off the budget before the levers", "years", "assumption",
                             ge=1, le=40,
                             label_zh="园区借款还款期限", label_en="Term of park borrowing",
                             kind="assumption", range=(5, 20), reason="from a short local-platform loan (about 5 years) to a long special bond or policy-bank loan for park infrastructure (about 20); no source in docs/SOURCES.md")
    county_focus_pull: float = P(3.0, "How much more often a project the city hands on, or a local firm's partner lead, goes to a county that promotes the project's "
                                      "industry (governments.*.leading) than to one that does not", "multiplier",
                                 "assumption: counties court the industries they promote; no effect where no county names its own", ge=1, le=50,
                                 label_zh="县区主导产业对项目落地的吸引", label_en="Pull of a county's own industries on where projects go",
                                 kind="assumption", range=(1.5, 6.0), reason="half to twice the default; no source measures it")


class Policy(Section):
    incentive_rate: float = P(3.0, "Incentive promised to a signed project, in percent of its capital, paid when building starts", "% of capital",
                              "assumption: land-price and tax rebates of a few percent of the investment", ge=0, le=30,
                              label_zh="承诺优惠比例（占投资额）", label_en="Incentive promised (share of capital)",
                              kind="lever")
    incentive_cap: float = P(200.0, "Largest incentive promised to one project", "万元", "assumption", ge=0,
                             label_zh="单个项目优惠上限", label_en="Largest incentive promised to one project",
                             kind="lever")
    honouring_discipline: float = P(0.45, "Discipline in what is promised (不折不扣 starts at the promise): a government stops promising once the promises of the last "
                                         "year exceed the incentive fund's means (its balance plus a year's inflow) divided by this; 1 promises only what the fund can carry, "
                                         "lower values promise beyond it", "share",
                                    "assumption: the essay's incentives promised beyond the means to honour them (P1): the baseline promises about twice what its fund takes in, "
                                    "and how many promises go unpaid follows from the fund and from leader rotation (measured, not set: the patterns block of docs/ODD.md, P1); at least 0.05 (promising over twenty times what the fund carries is outside what the model describes, and near 0 the promise room is infinite)", ge=0.05, le=1,
                                    label_zh="优惠承诺纪律（量入为出）", label_en="Discipline in promising incentives",
                                    kind="lever")
    promise_horizon_months: float = P(12.0, "Window of the promising rule: the promises made in the last this many months must stay within the fund's balance "
                                           "and this many months of its inflow, over discipline", "months", "assumption: a budget year", ge=1, le=60,
                                      label_zh="承诺规则的核算期", label_en="Window of the promising rule",
                                      kind="assumption", range=(6.0, 24.0), reason="half a budget year to two; the default is one budget year")
    promise_vetting_months: float = P(0.25, "Staff time the finance bureau spends vetting one promise against the fund, at full discipline", "person-months / promise",
                                      "assumption", ge=0,
                                      label_zh="审核一项承诺所需人月", label_en="Staff time to vet one promise",
                                      kind="assumption", range=(0.1, 0.5), reason="from two fifths to twice the default; no source pins it")
    tax_forum_gain: float = P(0.15, "Chance that an unpaid promise is paid late, from what the fund holds, in a year with a tax-enterprise forum", "probability", "assumption", ge=0, le=1,
                              label_zh="政税企座谈会促成补兑现的概率", label_en="Late payment gained in a tax-enterprise forum year",
                              kind="assumption", range=(0.0, 0.3), reason="from no effect to twice the default: no source measures what a forum does")
    bank_forum_gain: float = P(0.15, "Loan approval gained in a year with a bank-enterprise forum", "probability", "assumption", ge=0, le=1,
                               label_zh="政银企座谈会提高的贷款通过率", label_en="Loan approval gained in a bank-enterprise forum year",
                               kind="assumption", range=(0.0, 0.3), reason="from no effect to twice the default: no source measures what a forum does")
    forum_cost: float = P(150.0, "Cost of one yearly forum (investor, bank-enterprise or tax-enterprise) (at reference size)", "万元", "assumption", ge=0,
                          label_zh="每场座谈会（洽谈会）费用", label_en="Cost of one forum",
                          kind="assumption", range=(75.0, 300.0), reason="half to twice the default; no source pins it")
    investor_forum_contacts: float = P(25.0, "Serious prospects met at a yearly investor forum (at reference size)", "contacts", "assumption", ge=0,
                                       label_zh="投资洽谈会接洽的客商数", label_en="Prospects met at an investor forum",
                                       kind="assumption", range=(10.0, 50.0), reason="two fifths to twice the default; no source pins it")
    tracking_cost: float = P(5.0, "Yearly cost of tracking one signed project in the key-project library", "万元 / project / year", "assumption", gt=0,
                             label_zh="跟踪一个项目的年成本", label_en="Yearly cost of tracking one project",
                             kind="assumption", range=(2.5, 10.0), reason="half to twice the default; no source pins it")
    tracking_hazard_cut: float = P(0.5, "Share by which tracking cuts land, delay and hand-off hazards of a tracked project", "share", "assumption", ge=0, le=1,
                                   label_zh="项目跟踪降低撤出风险的程度", label_en="Withdrawal risk cut by tracking",
                                   kind="assumption", range=(0.2, 0.8), reason="from a fifth to four fifths: no source measures what tracking does")
    leadership_attention: float = P(0.2, "Share of each leader's (city and county heads') time given to attraction: pushes department effort; "
                                         "charged at the shadow value of a leader-month (what else that time would do)", "share", "assumption", ge=0, le=1,
                                    label_zh="领导重视程度", label_en="Leaders' attention",
                                    kind="lever")
    team_quality: float = P(0.3, "Professionalism of the promotion team: share of the full professional team in post (positions paid, staff trained); better negotiation",
                            "share", "assumption", ge=0, le=1,
                            label_zh="招商队伍专业化程度", label_en="Professionalism of the promotion team",
                            kind="lever")
    team_size: float = P(60.0, "Staff of a fully professional promotion team across the city and counties (at reference size)", "persons",
                         "assumption: about seven to eight per government", ge=0,
                         label_zh="专业招商队伍满编人数", label_en="Staff of a full professional promotion team",
                         kind="assumption", range=(30.0, 120.0), reason="half to twice the default (about four to fifteen per government); no source pins it")
    team_salary: float = P(1.0, "Cost of one professional promotion post, salary and overheads", "万元 / person-month",
                           "assumption: recruited at market pay, twice a civil servant's cost (costs.staff_month)", ge=0,
                           label_zh="专业招商岗位月成本", label_en="Monthly cost of a professional promotion post",
                           kind="assumption", range=(0.5, 1.5), reason="from a civil servant's cost (costs.staff_month) to three times it")
    team_training: float = P(2.0, "Yearly training of one professional promotion post", "万元 / person / year", "assumption", ge=0,
                             label_zh="专业招商岗位年培训费", label_en="Yearly training of a promotion post",
                             kind="assumption", range=(1.0, 4.0), reason="half to twice the default; no source pins it")
    assessment_signed_weight: float = P(0.8, "Weight of signed amounts and contact counts in officials' assessment (the rest: landed capital and service)",
                                        "share", "source: a city's 2023 score sheet, 50 + 30 of 100 points on signed amount and contacts (docs/SOURCES.md#assessment-score-sheet)", ge=0, le=1,
                                        label_zh="考核中签约额的权重", label_en="Weight of signed amounts in assessment",
                                        kind="lever")
    screening_strict: float = P(0.85, "Share of unserious prospects screened out when assessment is fully on landed capital", "share", "assumption", ge=0, le=1,
                                label_zh="按到位考核时的项目甄别力度", label_en="Screening under landed-capital targets",
                                kind="assumption", range=(0.5, 0.95), reason="from half of unserious prospects screened out to nearly all: no source measures it, and the strategies that reform assessment depend on it")
    screening_lax: float = P(0.1, "Share screened out when assessment is fully on signed amounts", "share", "assumption", ge=0, le=1,
                             label_zh="按签约考核时的项目甄别力度", label_en="Screening under signed-amount targets",
                             kind="assumption", range=(0.0, 0.3), reason="from none to three times the default; no source measures it")
    signing_push: float = P(0.6, "Utility added at signing by officials chasing signed-amount targets, at full weight", "utility", "assumption", ge=0,
                            label_zh="追求签约额的推动力", label_en="Push to sign under signed-amount targets",
                            kind="assumption", range=(0.2, 1.2), reason="a third to twice the default: no source measures it, and the strategies that reform assessment depend on it")
    city_coordination: bool = P(False, "City coordinates counties: shared lead registry, no duplicate contacts (P6); needs a standing office", "switch", "essay P6",
                                label_zh="全市统筹（县区不重复争抢）", label_en="City coordinates the counties",
                                kind="lever")
    coordination_staff: float = P(10.0, "Staff of the city's standing coordination office (at reference size)", "persons", "assumption: a leading-group office", ge=0,
                                  label_zh="市级统筹办公室人数", label_en="Staff of the city coordination office",
                                  kind="assumption", range=(5.0, 20.0), reason="half to twice the default; no source pins it")
    coordination_attention: float = P(0.05, "Share of the city leader's time the coordination office takes", "share", "assumption", ge=0, le=1,
                                      label_zh="统筹办公室占用市领导精力", label_en="City leader's attention the coordination office takes",
                                      kind="assumption", range=(0.025, 0.1), reason="half to twice the default; no source pins it")
    max_bid_markup: float = P(0.3, "Largest extra incentive (relative to the published rate) a county offers a prospect another county also courts", "share",
                              "assumption: counties outbid each other with land-price and tax rebates (essay P6)", ge=0, le=5,
                              label_zh="县区竞价的最高加码", label_en="Largest markup a county bids",
                              kind="assumption", range=(0.1, 0.6), reason="a third to twice the default; counties outbid each other (essay P6), by how much no source says")
    courting_push: float = P(0.5, "Extra pace at which a county under full assessment pressure spends its channel money (it runs out sooner in the year)", "share",
                             "assumption: counties behind their targets step up promotion", ge=0, le=5,
                             label_zh="考核压力下加快渠道支出", label_en="Extra pace of channel spending under pressure",
                             kind="assumption", range=(0.25, 1.0), reason="half to twice the default; no source pins it")
    bid_follow: float = P(0.8, "Share of the markup it believes rivals offered (last month's winning bids) that a county matches", "share", "assumption", ge=0, le=1,
                          label_zh="县区跟进对手加码的程度", label_en="Share of rivals' markup a county matches",
                          kind="assumption", range=(0.5, 1.0), reason="from matching half of what rivals are believed to offer to all of it; no source pins it")
    leader_attention_spread: float = P(0.5, "Spread of a new leader's attention around the strategy's level (relative; uniform)", "share",
                                       "assumption: leaders' priorities differ", ge=0, le=1,
                                       label_zh="新任领导重视程度的差异", label_en="Spread of a new leader's attention",
                                       kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    legal_insecurity: float = P(0.35, "Legal insecurity without legal-environment effort (chance-scale of harassment): where it starts and "
                                      "where it drifts back to", "share", "assumption", ge=0, le=1,
                                label_zh="无法治投入时的不安程度", label_en="Legal insecurity without effort",
                                kind="assumption", range=(0.2, 0.5), reason="the default plus or minus 0.15 on the 0-1 scale; no source measures it")
    legal_effect: float = P(0.25, "Share of insecurity removed per 1,000 万元 of legal-environment spending (as a rate: exp(-effect x spending))",
                            "1 / 1,000 万元", "assumption", ge=0,
                            label_zh="法治投入降低不安的效果", label_en="Insecurity removed by legal spending",
                            kind="assumption", range=(0.1, 0.5), reason="from two fifths to twice the default; no source pins it")
    legal_renewal: float = P(0.3, "Yearly rate at which legal insecurity drifts back to its level without effort (new disputes, officials "
                                  "moving on): spending holds it down only while it lasts", "1 / year", "assumption", ge=0, le=2,
                             label_zh="法治不安的回升速度", label_en="Yearly return of legal insecurity",
                             kind="assumption", range=(0.15, 0.6), reason="half to twice the default (insecurity returns within one to "
                             "seven years once effort stops); no source measures it. Without a return, a decade of any legal spending "
                             "would remove insecurity for good")
    atmosphere: float = P(0.35, "Pro-business atmosphere (人文环境) at month 0", "share", "assumption", ge=0, le=1,
                          label_zh="初始人文环境", label_en="Pro-business atmosphere at the start",
                          kind="assumption", range=(0.2, 0.5), reason="the default plus or minus 0.15 on the 0-1 scale; no source measures it")
    atmosphere_effect: float = P(0.02, "Yearly atmosphere gain per 1,000 万元 of spending", "share / 1,000 万元", "assumption", ge=0,
                                 label_zh="营造人文环境投入的效果", label_en="Atmosphere gained from spending",
                                 kind="assumption", range=(0.01, 0.04), reason="half to twice the default; no source pins it")
    atmosphere_from_success: float = P(0.05, "Yearly atmosphere gain when every operating firm is satisfied (it scales with the share "
                                             "satisfied, not their number: success stories set the tone, however many firms tell them)",
                                       "share / year", "assumption", ge=0,
                                       label_zh="成功企业对人文环境的带动", label_en="Atmosphere gained from satisfied firms",
                                       kind="assumption", range=(0.025, 0.1), reason="half to twice the default; no source pins it. A gain "
                                       "per satisfied firm would grow with the stock of firms and never let the status quo settle")
    atmosphere_decay: float = P(0.2, "Yearly decay of the atmosphere toward zero without effort", "share / year", "assumption", ge=0, le=1,
                                label_zh="人文环境的自然衰减", label_en="Yearly decay of the atmosphere",
                                kind="assumption", range=(0.1, 0.4), reason="half to twice the default (a campaign's effect fades in two "
                                "to ten years); no source pins it")
    persistence: float = P(0.8, "Chance that a new city leader keeps the strategy (else a stop-go year: the lever money cut to stop_go_share); "
                                "kept by institutionalising it (a leading group, written rules), which takes leaders' time",
                           "probability", "essay C1", ge=0, le=1,
                           label_zh="政策的连续性", label_en="Persistence of the strategy",
                           kind="lever")
    persistence_attention: float = P(0.05, "Share of each leader's time that institutionalising the strategy takes at full persistence", "share", "assumption", ge=0, le=1,
                                     label_zh="制度化占用的领导精力", label_en="Leaders' attention institutionalising takes",
                                     kind="assumption", range=(0.025, 0.1), reason="half to twice the default; no source pins it")
    stop_go_share: float = P(0.5, "Share of the lever money a stop-go year keeps", "share", "assumption", ge=0, le=1,
                             label_zh="政策中断年份保留的经费比例", label_en="Share of lever money a stop-go year keeps",
                             kind="assumption", range=(0.3, 0.7), reason="the default plus or minus 0.2; no source pins it")
    leader_rotation: float = P(0.28, "Yearly chance that a government's leader is rotated out", "probability / year",
                               "assumption: local leaders' tenures of three to four years", ge=0, le=1,
                               label_zh="领导调动频率", label_en="Yearly chance of a leader's rotation",
                               kind="assumption", range=(0.2, 0.35), reason="local leaders' tenures of about three to five years (default about 3.6)")
    successor_drop: float = P(0.3, "Share of a predecessor's outstanding promises a new leader drops (新官不理旧账)", "share", "assumption: the essay's 'promises not delivered' (P1)", ge=0, le=1,
                              label_zh="新官不理旧账的比例", label_en="Share of promises a new leader drops",
                              kind="assumption", range=(0.1, 0.5), reason="from a third to five thirds of the default: the essay reports promises not delivered, not how many a successor drops")
    fund_exposure: float = P(0.1, "Money the investment fund (产业引导基金) puts up, as a share of the project's capital, to guarantee or co-invest in a loan the bank refused; "
                                  "returned when the project operates, lost when it withdraws or stalls", "share of capital",
                             "assumption: a guarantee fund backs about five times its money on half the capital borrowed", ge=0, le=1,
                             label_zh="引导基金担保或跟投的比例", label_en="Investment fund's stake as a share of capital",
                             kind="assumption", range=(0.05, 0.2), reason="half to twice the default; no source pins it")
    fund_due_diligence: float = P(0.7, "Chance the investment fund's due diligence turns down an unserious applicant", "probability", "assumption", ge=0, le=1,
                                  label_zh="引导基金尽职调查拒绝不实项目的概率", label_en="Chance the fund's due diligence turns down an unserious applicant",
                                  kind="assumption", range=(0.5, 0.9), reason="the default plus or minus 0.2; no source pins it")
    forum_leads: LeadSource = table("Whom an investor forum reaches: the bigger serious investors (assumption: forums invite established firms)",
                                    default_factory=lambda: LeadSource(quality=0.95, size_preference=0.5),
                                    label_zh="投资洽谈会", label_en="Investor forum")


class LocalFirms(Section):
    count: int = P(120, "Local firms that could partner with outside investors (at reference size)", "firms", "assumption", ge=0,
                   label_zh="可合作的本地企业数", label_en="Local firms that could partner",
                   kind="assumption", range=(60, 240), reason="half to twice the default; no source pins it")
    proactiveness: float = P(0.08, "Mean proactiveness: chance a month of seeking an outside partner", "probability / month",
                             "assumption: low by default (essay P5)", ge=0, le=1,
                             label_zh="本地企业的主动性", label_en="Proactiveness of local firms",
                             kind="assumption", range=(0.04, 0.16), reason="half to twice the default: low by default (essay P5), by how much no source says")
    encouragement_effect: float = P(0.6, "Proactiveness gained per 1,000 万元 of encouragement spending (saturating)", "share / 1,000 万元", "assumption", ge=0,
                                    label_zh="扶持本地企业的效果", label_en="Proactiveness gained from encouragement",
                                    kind="assumption", range=(0.3, 1.2), reason="half to twice the default; no source pins it")
    partner_success: float = P(0.35, "Chance that a partner search finds an interested prospect", "probability", "assumption", ge=0, le=1,
                               label_zh="本地企业找到合作方的概率", label_en="Success of local firms' partner search",
                               kind="assumption", range=(0.2, 0.5), reason="from about half to one and a half times the default; no source pins it")
    proactiveness_concentration: float = P(2.0, "First shape of the beta spread of firms' own proactiveness (larger: more alike)", "beta shape", "assumption", gt=0, le=100,
                                           label_zh="本地企业主动性的离散程度（贝塔形状）", label_en="Shape of the spread of firms' proactiveness",
                                           kind="assumption", range=(1.0, 4.0), reason="half to twice the default; no source pins it")
    atmosphere_floor: float = P(0.5, "Proactiveness multiplier at zero atmosphere (it is floor + atmosphere)", "multiplier", "assumption", ge=0, le=1,
                                label_zh="人文环境为零时的主动性倍数", label_en="Proactiveness multiplier at zero atmosphere",
                                kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    encouragement_max: float = P(0.5, "Largest share of the gap to full proactiveness that encouragement can close", "share", "assumption", ge=0, le=1,
                                 label_zh="扶持可弥补的主动性差距上限", label_en="Largest gap encouragement can close",
                                 kind="assumption", range=(0.25, 0.75), reason="half to one and a half times the default; no source pins it")
    partner_leads: LeadSource = table("Whom local firms' partner searches reach: mostly serious firms in the region's leading industries (assumption: local firms vouch for partners they know)",
                                      default_factory=lambda: LeadSource(quality=0.93, sector_focus={"leading": 2.0}),
                                      label_zh="本地企业合作线索", label_en="Local firms' partner leads")


class Costs(Section):
    """Shadow prices that put staff time and leaders' attention in the same currency as money (万元)."""

    staff_month: float = P(0.5, "Full cost of one month of a government staff member's time", "万元 / person-month",
                           "assumption anchored on docs/SOURCES.md#promotion-costs: a liaison office of 2 staff costs 8 万元 a year besides salaries (0.33 万元 per person-month); with salaries 0.5", ge=0,
                           label_zh="干部每人每月成本", label_en="Cost of a staff member's month",
                           kind="assumption", range=(0.33, 1.0), reason="docs/SOURCES.md#promotion-costs: a liaison office costs 8 万元 a year for 2 staff besides salaries (0.33 万元 a person-month), the floor; with salaries up to twice the default")
    leader_month: float = P(20.0, "Shadow value of one month of a leader's full attention: the other work it would do, with the staff it moves", "万元 / leader-month",
                            "assumption: about forty staff-months", ge=0,
                            label_zh="领导一个月精力的影子价值", label_en="Shadow value of a leader's month",
                            kind="assumption", range=(10.0, 40.0), reason="twenty to eighty staff-months (default forty); no source pins it")


# ----------------------------------------------------------------------------- the region's governments
class Government(Section):
    """A government of the region, as its region file states it: the city itself (市本级) or a district or county.
    Where the file gives no share of a region total, the districts and counties share it equally."""

    name_zh: str = P("", "Chinese name", "text", "region file",
                     label_zh="政府中文名", label_en="Chinese name",
                     kind="structural")
    name_en: str = P("", "English name", "text", "region file",
                     label_zh="政府英文名", label_en="English name",
                     kind="structural")
    kind: Literal["city", "district", "county"] = P("county", "The city itself (市本级, one per region, listed last) or a district or county", "kind", "region file",
                                                    label_zh="政府层级", label_en="Kind of government",
                                                    kind="structural")
    land_share: float | None = P(None, "Share of the serviced land free at month 0 (platform.initial_land_mu) that lies in this district or county; unset: an equal part of what the others leave",
                                 "share", "region file", ge=0, le=1,
                                 label_zh="初始熟地占比", label_en="Share of the serviced land at the start",
                                 kind="structural")
    land_added_share: float | None = P(None, "Share of the serviced land the counties add each year (platform.county_land_mu_per_year) added here; unset: an equal part of what the others leave",
                                       "share", "region file", ge=0, le=1,
                                       label_zh="每年新增熟地占比", label_en="Share of the serviced land added each year",
                                       kind="structural")
    idle_share: float | None = P(None, "Share of the idle stock at month 0 (platform.idle_stock_mu) that lies here; unset: an equal part of what the others leave",
                                 "share", "region file", ge=0, le=1,
                                 label_zh="闲置资产占比", label_en="Share of the idle stock",
                                 kind="structural")
    channel_share: float | None = P(None, "Share of the county-level channel money this district or county spends; unset: an equal part of what the others leave",
                                    "share", "region file", ge=0, le=1,
                                    label_zh="县级招商渠道经费占比", label_en="Share of the county channel money",
                                    kind="structural")
    leader_attention: float = P(1.0, "Attention this government's leader gives attraction, relative to the strategy's (policy.leadership_attention)", "multiplier",
                                "region file", ge=0, le=5,
                                label_zh="主要领导重视程度（相对）", label_en="Leader's attention, relative",
                                kind="structural")
    leading: list[str] = P([], "The region's sectors this district or county promotes: projects the city hands on and partner leads go to it more often "
                               "(platform.county_focus_pull)", "sectors", "region file",
                           label_zh="主导产业", label_en="Leading industries",
                           kind="structural")
    population: float | None = P(None, "Resident population (for reference; the model does not use it)", "万人", "region file", ge=0,
                                 label_zh="常住人口", label_en="Resident population",
                                 kind="structural")
    gdp: float | None = P(None, "Gross domestic product (for reference; the model does not use it)", "亿元", "region file", ge=0,
                          label_zh="地区生产总值", label_en="GDP",
                          kind="structural")


DEFAULT_REGION = default_region()
"""The region of a scenario that names none (``regions/regions.toml``)."""
COUNTY_SPLITS = ("land_share", "land_added_share", "idle_share", "channel_share")
"""Shares of region totals the districts and counties split (:meth:`Params.county_split`)."""
LEAD_TARGETS = {**{c: ("channels", c) for c in CHANNELS}, "forum": ("policy", "forum_leads"),
                "partner": ("local_firms", "partner_leads")}
"""Where the sector targeting of each name of a region file's ``[targets]`` goes: a channel, the investor forum or
the local firms' partner searches."""


class Params(Section):
    """The full, validated parameter set of one scenario. Its region (``region``) sets the defaults below what the
    scenario states: the governments, the sectors, the channels' targeting and the region's facts."""

    region: str = P(DEFAULT_REGION, "The region simulated: a folder of regions/ whose files state its governments, sectors and facts (a scenario's [scenario] region)",
                    "name", "scenario file",
                    label_zh="地区", label_en="Region",
                    kind="structural")
    governments: dict[str, Government] = table("Governments of the region, its districts and counties first and the city last (keys: the region's governments, "
                                               "from its regions/<name>/region.toml)", default_factory=dict)
    run: Run = Field(default_factory=Run)
    population: Population = Field(default_factory=Population)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    hazards: Hazards = Field(default_factory=Hazards)
    construction: Construction = Field(default_factory=Construction)
    service: Service = Field(default_factory=Service)
    channels: dict[str, Channel] = table("Promotion channels (keys: " + ", ".join(CHANNELS) + ")", default_factory=_channels,
                                         entries=CHANNEL_NAMES)
    budget: Budget = Field(default_factory=Budget)
    platform: Platform = Field(default_factory=Platform)
    policy: Policy = Field(default_factory=Policy)
    local_firms: LocalFirms = Field(default_factory=LocalFirms)
    costs: Costs = Field(default_factory=Costs)

    @model_validator(mode="before")
    @classmethod
    def _region_defaults(cls, data: Any) -> Any:
        """The region's values (and every field's default) below what is given."""
        if not isinstance(data, dict):
            return data
        name = data.get("region", DEFAULT_REGION)
        return _under(region_data(name), data) if isinstance(name, str) else data

    @model_validator(mode="after")
    def _checks(self) -> Params:
        _check_keys(self.channels, CHANNELS, "channels")
        _check_sum({k: c.share for k, c in self.channels.items()}, "channels.*.share")
        if "bank" not in self.service.departments:
            raise ValueError("service.departments: expected a department named 'bank', found none")
        region = load_region(self.region)
        sectors = self.population.sectors
        _check_keys(sectors, region.sectors, "population.sectors")
        _check_sum({k: v.share for k, v in sectors.items()}, "population.sectors.*.share", exact=True)
        for k, sec in sectors.items():
            bad = [r for r in sec.roles if r != "leading"]
            if bad:
                raise ValueError(f"population.sectors.{k}.roles: expected roles from leading (a sector is industrial by its flag), found '{bad[0]}'")
        targets = (*region.sectors, *ROLES)
        for name, ch in self.channels.items():
            _check_keys(ch.sector_focus, targets, f"channels.{name}.sector_focus", subset=True)
        _check_keys(self.policy.forum_leads.sector_focus, targets, "policy.forum_leads.sector_focus", subset=True)
        _check_keys(self.local_firms.partner_leads.sector_focus, targets, "local_firms.partner_leads.sector_focus", subset=True)
        self._check_governments(region.governments, region.sectors)
        return self

    def _check_governments(self, ids: tuple[str, ...], sectors: tuple[str, ...]) -> None:
        _check_keys(self.governments, ids, "governments")
        govs = list(self.governments.items())
        cities = [k for k, g in govs if g.kind == "city"]
        if cities != [govs[-1][0]]:
            found = f"{len(cities)} of kind 'city'" if len(cities) != 1 else f"'{cities[0]}' not last"
            raise ValueError(f"governments: expected one city (市本级), listed last, found {found}")
        for k, g in govs:
            bad = [s for s in g.leading if s not in sectors]
            if bad:
                raise ValueError(f"governments.{k}.leading: expected sectors of the region ({', '.join(sectors)}), found '{bad[0]}'")
        for f in COUNTY_SPLITS:
            if getattr(govs[-1][1], f) is not None:
                raise ValueError(f"governments.{govs[-1][0]}.{f}: expected no share for the city (its land is its park), found {getattr(govs[-1][1], f)}")
            stated = {k: getattr(g, f) for k, g in govs[:-1] if getattr(g, f) is not None}
            total = sum(stated.values())
            rest = len(govs) - 1 - len(stated)
            if (rest == 0 and abs(total - 1) > 1e-6) or total > 1 + 1e-9:
                raise ValueError(f"governments.*.{f}: expected shares summing to 1, found {total:.4g}")
            if rest and total >= 1 - 1e-9:
                first = next(k for k, g in govs[:-1] if getattr(g, f) is None)
                raise ValueError(f"governments.{first}.{f}: expected some of the region's total left for it, found the others' shares summing to {total:.4g}")

    @property
    def sector_ids(self) -> list[str]:
        """The region's sectors, in the order of its file (a prospect's sector is an index into it)."""
        return list(self.population.sectors)

    def focus_weights(self, focus: dict[str, float]) -> list[float]:
        """Targeting weight of each sector (in :attr:`sector_ids` order) under a channel's ``sector_focus``: its own
        weight if given, else the largest weight of its roles ('leading', and 'industrial' for an industrial
        sector), else 1."""
        out = []
        for k, sec in self.population.sectors.items():
            if k in focus:
                out.append(focus[k])
                continue
            roles = [*sec.roles, *(["industrial"] if sec.industrial else [])]
            found = [focus[r] for r in roles if r in focus]
            out.append(max(found) if found else 1.0)
        return out

    def county_split(self, share: str) -> tuple[list[float], float]:
        """How the districts and counties split a region total (``share`` one of :data:`COUNTY_SPLITS`): each one's
        weight and the weights' sum, so that a county's part is ``total * weight / sum``. Counties without a share
        in the region file split what the others leave equally; with no share at all every weight is 1."""
        values = [getattr(g, share) for g in list(self.governments.values())[:-1]]
        if all(v is None for v in values):
            weights = [1.0] * len(values)
        else:
            left = 1.0 - sum(v for v in values if v is not None)
            unstated = sum(v is None for v in values)
            weights = [v if v is not None else left / unstated for v in values]
        return weights, float(sum(weights))

    def county_focus(self) -> list[list[float]] | None:
        """Weight of each district and county (columns) as the destination of a project of each sector (rows) handed on by
        the city or brought by a local partner: ``platform.county_focus_pull`` where the county promotes the sector
        (its ``leading``), else 1; None when no county names industries of its own (every county alike)."""
        counties = list(self.governments.values())[:-1]
        if not any(g.leading for g in counties):
            return None
        pull = self.platform.county_focus_pull
        return [[pull if k in g.leading else 1.0 for g in counties] for k in self.population.sectors]

    @property
    def scale(self) -> float:
        """Market size relative to the reference: multiplies budgets, capacities, land and firm counts."""
        return self.run.n_investors / self.run.reference_investors


def _generic_defaults() -> dict[str, Any]:
    """Every parameter at its field's default, before a region's files."""
    out: dict[str, Any] = {}
    for name, f in Params.model_fields.items():
        if name in ("region", "governments"):
            continue
        value = f.get_default(call_default_factory=True)
        if isinstance(value, BaseModel):
            value = value.model_dump(mode="python")
        elif isinstance(value, dict):
            value = {k: v.model_dump(mode="python") if isinstance(v, BaseModel) else v for k, v in value.items()}
        out[name] = value
    return out


def _under(base: dict, over: dict) -> dict:
    """``over`` merged over ``base`` for validation (tables merge, values replace): new tables where the two meet,
    the values themselves shared, not copied (validation builds its own objects and changes neither)."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _under(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


_REGION_DATA: dict[str, tuple[int, dict[str, Any]]] = {}


def region_data(name: str) -> dict[str, Any]:
    """The parameter data of region ``name``: every field's default, with the region's sectors, governments, channel
    targeting and facts over them (a scenario's values go over these). Raises ScenarioError for a region that cannot
    be read or names a channel or source of leads that does not exist."""
    region = load_region(name)
    hit = _REGION_DATA.get(name)
    if hit is not None and hit[0] == id(region):
        return hit[1]
    own = {k: v for k, v in region.parameters.items() if k != "targets"}
    for target, focus in region.parameters.get("targets", {}).items():
        if target not in LEAD_TARGETS:
            raise ScenarioError(f"{region.folder / 'sectors.toml'}: key 'targets.{target}': expected "
                                f"{one_of(target, list(LEAD_TARGETS))}, found unknown channel or source '{target}'")
        section, entry = LEAD_TARGETS[target]
        own.setdefault(section, {}).setdefault(entry, {})["sector_focus"] = dict(focus)
    data = deep_merge(_GENERIC, own)
    data["region"] = name
    _REGION_DATA[name] = (id(region), data)
    return data


def _check_keys(d: dict, allowed: tuple[str, ...], where: str, subset: bool = False) -> None:
    unknown = [k for k in d if k not in allowed]
    if unknown:
        close = difflib.get_close_matches(unknown[0], allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(f"{where}.{unknown[0]}: expected one of {', '.join(allowed)}{hint}, found unknown key '{unknown[0]}'")
    if not subset:
        missing = [k for k in allowed if k not in d]
        if missing:
            raise ValueError(f"{where}.{missing[0]}: expected every one of {', '.join(allowed)}, found '{missing[0]}' missing")


def _check_sum(d: dict[str, float], where: str, exact: bool = False) -> None:
    # Each share is already a finite number in [0, 1] (the Share type and the fields' ranges).
    total = sum(d.values())
    if exact and abs(total - 1) > 1e-6:
        raise ValueError(f"{where}: expected shares summing to 1, found {total:.4g}")
    if not exact and total > 1 + 1e-9:
        raise ValueError(f"{where}: expected shares summing to at most 1 (100%), found {total:.4g}")


_GENERIC = _generic_defaults()

Lang = Literal["zh", "en"]
