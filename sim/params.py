"""Every model parameter, typed and documented.

Each field carries its meaning (the description), its unit, its default and
where the default comes from: a row of CALIBRATION.md ("source: ...") or a
stated assumption ("assumption: ..."). ``sim params`` and
``docs/PARAMETERS.md`` are generated from this file, so the documentation
cannot drift from the code.

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

SECTORS = ("potato", "herbs", "flowers_fungi", "manufacturing", "energy_materials", "services")
SECTOR_NAMES = {
    "potato": ("马铃薯及农产品加工", "Potato and farm-produce processing"),
    "herbs": ("中药材", "Chinese medicinal herbs"),
    "flowers_fungi": ("花卉与食用菌", "Flowers and edible fungi"),
    "manufacturing": ("制造业", "Manufacturing"),
    "energy_materials": ("能源与材料", "Energy and materials"),
    "services": ("服务业", "Services"),
}
"""Sectors in words, (zh, en) (read through sim.model.vocabulary)."""
ORIGINS = ("local", "domestic", "foreign")
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


CALIBRATION_RECORD = Path(__file__).with_name("calibrated_baseline.json")
"""The calibrated baseline: the central point of the posterior that ``experiments/calibrate.py`` wrote."""


def calibration_record() -> dict[str, Any]:
    """The content of :data:`CALIBRATION_RECORD` ({} when there is none)."""
    if not CALIBRATION_RECORD.is_file():
        return {}
    return json.loads(CALIBRATION_RECORD.read_text(encoding="utf-8"))


_RECORD = calibration_record()


def P(default: Any, meaning: str, unit: str, source: str, **kw: Any) -> Any:
    """A documented parameter: default, meaning, unit and source (or assumption)."""
    return Field(default, description=meaning, json_schema_extra={"unit": unit, "source": source}, **kw)


def C(key: str, fallback: float, meaning: str, unit: str, **kw: Any) -> Any:
    """A calibrated parameter: its default is the posterior's central point in the calibration record, its
    source states the prior and the posterior; ``fallback`` serves only until the calibration is re-run
    after a parameter joins the calibrated set (the source then says so)."""
    from sim.calibration.priors import BY_KEY

    prior = BY_KEY[key]
    post = {r["parameter"]: r for r in _RECORD.get("posterior", [])}.get(key)
    value = _RECORD.get("values", {}).get(key)
    if value is None or post is None:
        source = (f"calibrated: prior {prior.describe()}; not yet in {CALIBRATION_RECORD.name} (hand-set until "
                  "experiments/calibrate.py is re-run)")
        return P(fallback, meaning, unit, source, **kw)
    source = (f"calibrated: prior {prior.describe()}; posterior central point (weighted medoid), 90% interval {post['p05']:.4g}-{post['p95']:.4g}, "
              f"{post['verdict']} (ABC-SMC, experiments/calibrate.py; record sim/{CALIBRATION_RECORD.name})")
    return P(float(value), meaning, unit, source, **kw)


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
                            "assumption: a five-year plan period, the horizon officials brief on", ge=1, le=600)
    n_investors: int = P(12000, "Potential investors in the market the region can reach at month 0 (the prospect pool; arrivals add to it)",
                         "investors", "assumption: the reachable market at month 0; how many of them sign is calibrated through behaviour.outside_option against Dingxi's about 270 signings a year (67 in Q1 2023, CALIBRATION B)",
                         ge=10, le=2_000_000)
    arrivals_per_month: float = P(100.0, "New prospects entering the market each month (at reference size): firms that start looking for a location",
                                  "prospects / month", "assumption: the market must not run dry; Dingxi signs about 270 projects a year (67 in Q1 2023, CALIBRATION B)",
                                  ge=0, le=1_000_000)
    reference_investors: int = P(12000, "Pool size at which budgets, capacities and land are stated; they scale with n_investors / reference_investors",
                                 "investors", "assumption: equals the default pool", ge=10)
    large_threshold: float = P(10000.0, "Committed capital at or above which a project counts as large", "万元",
                               "assumption: 100 million yuan, the usual 亿元 project line in Chinese reporting", gt=0)


# ----------------------------------------------------------------------------- population
class Sector(Section):
    share: float = P(0.2, "Share of the prospect pool in this sector", "share", "assumption: prospects weighted toward Dingxi's leading industries (CALIBRATION B)", ge=0, le=1)
    industrial: bool = P(False, "Counts as an industrial (secondary-industry) project", "flag", "national statistical classification")
    capital_median: float = P(2000.0, "Median committed capital of a project", "万元", "assumption", gt=0)
    appeal: float = P(0.0, "Sector-specific pull of the region (a_sector in the utility)", "utility", "assumption", ge=-5, le=5)
    env_weight: float = P(1.0, "How strongly this sector weighs the hard and soft environment and credibility", "multiplier", "assumption", ge=0, le=5)
    land_intensity: float = P(200.0, "Investment per mu of serviced land", "万元/mu", "assumption: provincial park investment-intensity standards of 150-400 万元/mu; at least 1 万元/mu (a sector with less would need almost unbounded land)", ge=1)
    serviced_land_fraction: float = P(1.0, "Share of the land need that must be serviced (三通一平) park land", "share", "assumption", ge=0, le=1)
    approvals: int = P(4, "Departmental approvals the project needs before building (the bank loan comes on top)", "approvals", "assumption", ge=0, le=8)
    build_months: float = P(12.0, "Construction time of a median-size project", "months", "assumption", gt=0)
    jobs_per_million: float = P(1.0, "Jobs created per million yuan of operating capital", "jobs / 100 万元", "assumption", ge=0)
    tax_yield: float = P(0.03, "Local tax paid per year by an operating firm, as a share of its capital", "share / year", "assumption", ge=0, le=1)


def _sectors() -> dict[str, Sector]:
    s = dict(
        potato=Sector(share=0.20, capital_median=2000, appeal=0.35, env_weight=0.8, land_intensity=150,
                      serviced_land_fraction=0.6, approvals=3, build_months=10, jobs_per_million=1.5, tax_yield=0.02),
        herbs=Sector(share=0.16, capital_median=1500, appeal=0.35, env_weight=0.8, land_intensity=150,
                     serviced_land_fraction=0.6, approvals=3, build_months=10, jobs_per_million=1.5, tax_yield=0.02),
        flowers_fungi=Sector(share=0.09, capital_median=800, appeal=0.15, env_weight=0.8, land_intensity=100,
                             serviced_land_fraction=0.4, approvals=3, build_months=8, jobs_per_million=2.5, tax_yield=0.015),
        manufacturing=Sector(share=0.16, industrial=True, capital_median=6000, appeal=-0.25, env_weight=1.3,
                             land_intensity=250, serviced_land_fraction=1.0, approvals=5, build_months=18,
                             jobs_per_million=0.8, tax_yield=0.04),
        energy_materials=Sector(share=0.09, industrial=True, capital_median=15000, appeal=-0.1, env_weight=1.4,
                                land_intensity=400, serviced_land_fraction=1.0, approvals=6, build_months=28,
                                jobs_per_million=0.25, tax_yield=0.05),
        services=Sector(share=0.30, capital_median=2500, appeal=0.0, env_weight=1.0, land_intensity=500,
                        serviced_land_fraction=0.5, approvals=4, build_months=12, jobs_per_million=1.2, tax_yield=0.03),
    )
    return s


class Population(Section):
    sectors: dict[str, Sector] = Field(default_factory=_sectors, description="Sector table (keys: " + ", ".join(SECTORS) + ")")
    origin_shares: dict[str, Share] = P({"local": 0.25, "domestic": 0.68, "foreign": 0.07},
                                        "Origin of prospects: local, rest of China, abroad", "share",
                                        "assumption: western inland prefectures draw mostly domestic capital")
    capital_sigma: float = C("population.capital_sigma", 1.45, "Log-scale spread of committed capital (lognormal around the sector median)",
                             "log 万元", gt=0, le=4)
    serious_share: float = C("population.serious_share", 0.8961, "Share of prospects with a real intention to build", "share", ge=0, le=1)
    unserious_inflation: float = P(1.5, "Factor by which unserious projects inflate the capital they announce", "multiplier",
                                   "assumption: inflated amounts reported in CALIBRATION's preface", ge=1, le=10)
    patience_months: float = P(6.0, "Mean months of approval waiting an investor tolerates before delay hazards start", "months",
                               "assumption: World Bank 2006, 36-87 days a year with bureaucracy (CALIBRATION D) set the scale", gt=0)
    ties_per_investor: float = P(4.0, "Mean number of ties to other investors (word of mouth, referrals)", "ties",
                                 "assumption: small business networks", ge=0, le=50)
    local_tie_share: float = P(0.5, "Share of a local investor's ties that go to other local investors", "share", "assumption", ge=0, le=1)
    reinvest_per_year: float = P(0.06, "Yearly chance that a satisfied operating firm expands", "probability / year", "assumption", ge=0, le=1)
    reinvest_fraction: float = P(0.3, "Size of an expansion relative to the firm's capital", "share", "assumption", ge=0, le=5)
    origin_patience: dict[str, Weight] = P({"local": 1.3, "domestic": 1.0, "foreign": 0.7},
                                          "Patience multiplier by origin: local investors bear local procedure longer, foreign ones less",
                                          "multiplier", "assumption")
    patience_shape: float = P(4.0, "Shape of the gamma spread of patience around its mean (larger: more alike)", "gamma shape",
                              "assumption: a coefficient of variation of one half", gt=0, le=100)
    loan_size_elasticity: float = P(0.5, "Rise in the log-odds of needing a bank loan per unit of log capital above the sector median",
                                    "log-odds / log 万元", "assumption: larger projects borrow more of their capital (P3)", ge=0, le=3)
    large_extra_approvals: int = P(2, "Extra approvals a large project needs (environmental impact and energy reviews at a higher level)",
                                   "approvals", "assumption: large and industrial projects face provincial reviews (P3)", ge=0, le=6)
    size_env_elasticity: float = P(0.25, "Elasticity, with capital relative to the large-project line, of the weight a project gives the soft environment, the credibility of promises and legal risk",
                                   "elasticity", "assumption: large investors weigh the legal and regulatory environment most (World Bank 2017; CALIBRATION D)", ge=0, le=2)
    size_weight_min: float = P(0.5, "Lowest size weight on the soft environment, credibility and legal risk (the smallest projects)",
                               "multiplier", "assumption: keeps the smallest projects within a plausible range", gt=0, le=1)
    size_weight_max: float = P(3.0, "Highest size weight on the soft environment, credibility and legal risk (the largest projects)",
                               "multiplier", "assumption: keeps the largest projects within a plausible range", ge=1, le=20)

    @model_validator(mode="after")
    def _keys(self) -> Population:
        _check_keys(self.sectors, SECTORS, "sectors")
        _check_keys(self.origin_shares, ORIGINS, "origin_shares")
        _check_keys(self.origin_patience, ORIGINS, "origin_patience")
        _check_sum(self.origin_shares, "origin_shares", exact=True)
        _check_sum({k: v.share for k, v in self.sectors.items()}, "sectors.*.share", exact=True)
        return self


# ----------------------------------------------------------------------------- behaviour
class Behaviour(Section):
    b_incentive: float = P(0.021, "Utility per percentage point of promised incentive, times believed credibility", "utility / pp",
                           "source: FDI +2.5-3.3% per pp of tax cut (de Mooij and Ederveen 2003; CALIBRATION D), converted at the logit slope", ge=0)
    b_hard: float = P(1.2, "Utility weight of the believed hard environment (serviced land, infrastructure)", "utility", "assumption: land weighs a little more than service (essay P2)", ge=0)
    b_soft: float = P(1.0, "Utility weight of the believed soft environment (service attitude, atmosphere)", "utility", "assumption", ge=0)
    b_delay: float = P(0.05, "Utility lost per month of expected approval delay", "utility / month", "assumption", ge=0)
    b_risk: float = P(1.5, "Utility weight of believed legal insecurity (harassment, expropriation)", "utility",
                      "source: 86-87% of investors rate stability and the legal environment critical (World Bank 2017; CALIBRATION D)", ge=0)
    b_team: float = P(0.4, "Utility added in negotiation by a fully professional promotion team", "utility", "assumption", ge=0)
    tau: float = P(0.5, "Logit scale of the go-on decision", "utility", "assumption", gt=0)
    outside_option: float = C("behaviour.outside_option", 0.8, "Value of the best outside offer (other regions) at month 0", "utility")
    outside_growth: float = P(0.03, "Yearly rise of the outside option as other regions compete", "utility / year", "assumption", ge=-1, le=1)
    return_months: float = P(24.0, "Months after declining before a prospect may be courted again; it keeps the beliefs it left with", "months",
                             "assumption", gt=0, le=600)
    negotiation_months: float = P(3.0, "Mean length of negotiation before a signing decision", "months", "assumption", gt=0)
    experience_weight: float = P(0.3, "Pull of a month's own experience on a belief (lambda)", "share / month", "assumption", ge=0, le=1)
    word_of_mouth_weight: float = P(0.15, "Pull of informed ties' beliefs on a belief each month", "share / month", "assumption", ge=0, le=1)
    reputation_memory: float = P(0.97, "Monthly persistence of the region's public reputation", "share / month", "assumption: slow to build", ge=0, le=1)
    reputation_hard: float = P(0.45, "Public reputation of the hard environment at month 0 (the region's track record)", "0-1", "assumption", ge=0, le=1)
    reputation_soft: float = P(0.4, "Public reputation of the soft environment at month 0", "0-1", "assumption", ge=0, le=1)
    reputation_credibility: float = P(0.65, "Public reputation for keeping promises at month 0", "0-1", "assumption: the essay's 'incentives not fully delivered'", ge=0, le=1)
    referral_rate: float = P(0.01, "Monthly chance that a fully satisfied operating firm refers one of its ties", "probability / month / tie", "assumption", ge=0, le=1)
    referral_reward_boost: float = P(1.5, "Relative rise of the referral rate while referral rewards (以商招商) are funded", "share", "assumption", ge=0, le=10)
    credibility_shock: float = P(0.5, "Drop of believed credibility after a broken promise (quick to lose)", "share", "assumption", ge=0, le=1)
    unserious_sign_bonus: float = P(0.2, "Extra chance to sign for an unserious prospect: the contract, not the project, is what it is after", "probability",
                                    "assumption: letters of intent and re-signed projects counted as contracts (CALIBRATION preface)", ge=0, le=1)
    initial_word_of_mouth: float = P(0.45, "Pull of informed ties' beliefs on a newly contacted prospect's first beliefs", "share",
                                     "assumption: three months' worth of word of mouth", ge=0, le=1)
    belief_noise: dict[str, Weight] = P({"hard": 0.1, "soft": 0.1, "credibility": 0.1, "delay": 1.5, "risk": 0.08},
                                       "Spread of a new prospect's first beliefs around the reputation (delay in months, the others on 0-1)",
                                       "sd", "assumption")
    partner_vouching: float = P(0.1, "Credibility and soft-environment belief added when a local partner brings the prospect", "0-1", "assumption", ge=0, le=1)
    attitude_weight_in_service: float = P(0.5, "Weight of departments' service attitude (proactiveness) in the service investors meet; the rest is effort alone", "share", "assumption", ge=0, le=1)
    service_weight_in_soft: float = P(0.6, "Weight of departments' service in the soft environment (the rest is the atmosphere)", "share", "assumption", ge=0, le=1)
    delay_memory_projects: int = P(200, "Recent approvals whose mean makes the actual approval delay investors hear of", "projects", "assumption", ge=1, le=100000)
    risk_learning_share: float = P(0.333, "Speed of learning about legal risk relative to the other beliefs (harassment is rare, so learnt slowly)", "share", "assumption", ge=0, le=1)
    satisfied_threshold: float = P(0.5, "Satisfaction above which an operating firm counts as satisfied (it lifts the atmosphere)", "0-1", "assumption", ge=0, le=1)
    satisfaction_delay_months: float = P(24.0, "Believed approval delay at which the speed part of satisfaction is nil", "months", "assumption", gt=0)
    building_sunk_share: float = P(0.3, "Outside-offer hazard of a project under construction relative to one not yet building (sunk costs)", "share", "assumption", ge=0, le=1)

    @model_validator(mode="after")
    def _noise_keys(self) -> Behaviour:
        _check_keys(self.belief_noise, BELIEF_KEYS, "belief_noise")
        return self


class Construction(Section):
    upfront_share: float = C("construction.upfront_share", 0.4369, "Share of capital that arrives when building starts", "share", ge=0, le=1)
    size_elasticity: float = C("construction.size_elasticity", 0.4304, "Elasticity of construction time with project size relative to the sector median", "elasticity", ge=0, le=1)
    build_time_scale: float = C("construction.build_time_scale", 0.8779, "Multiplier on every sector's construction time", "multiplier", gt=0, le=5)
    stall_speed: float = C("construction.stall_speed", 0.1693, "Construction speed while approvals are still pending (work only on what is permitted)", "share", ge=0, le=1)
    self_finance_speed: float = P(0.6, "Speed of capital arrival for a project building without the loan it asked for", "share", "assumption", gt=0, le=1)
    land_wait_tolerance: float = P(6.0, "Months of waiting for land that make an investor's hard-environment experience nil", "months", "assumption; at least 1 month, the model's time step", ge=1)


class Hazards(Section):
    no_land: float = C("hazards.no_land", 0.0652, "Monthly chance of leaving while approved but waiting for serviced land", "probability / month", ge=0, le=1)
    delay: float = C("hazards.delay", 0.2911, "Monthly chance of leaving per patience-length of waiting past patience", "probability / month", ge=0, le=1)
    loan_refused: float = P(0.5, "Chance of leaving when the bank refuses the loan", "probability", "assumption", ge=0, le=1)
    incentive_broken: float = P(0.35, "Chance of leaving in the month a promised incentive is not honoured", "probability", "assumption", ge=0, le=1)
    outside_offer: float = P(0.01, "Monthly chance of taking a better offer, when the outside option beats the local one", "probability / month", "assumption", ge=0, le=1)
    handoff: float = P(0.08, "Monthly chance of wavering away during a city-to-county hand-off", "probability / month", "assumption", ge=0, le=1)
    insecurity: float = P(0.015, "Monthly chance of leaving at full legal insecurity (scaled by the actual level)", "probability / month", "assumption", ge=0, le=1)
    not_serious: float = C("hazards.not_serious", 0.0836, "Monthly chance that a signed unserious project is dropped", "probability / month", ge=0, le=1)
    exit_operating: float = P(0.004, "Monthly chance that an operating firm closes, at zero satisfaction", "probability / month", "assumption", ge=0, le=1)
    delay_building_share: float = P(0.5, "Delay hazard of a project already building relative to one waiting to start", "share", "assumption", ge=0, le=1)
    delay_excess_cap: float = P(2.0, "Waiting past patience, in patience-lengths, beyond which the delay hazard rises no more", "patience-lengths", "assumption", gt=0, le=20)
    insecurity_operating_share: float = P(0.3, "Insecurity hazard of an operating firm relative to one building", "share", "assumption", ge=0, le=1)
    stall: float = C("hazards.stall", 0.006, "Monthly chance that a project under construction stalls half-built (烂尾) with its finance in place",
                     "probability / month", ge=0, le=1)
    stall_funding_gap: float = P(4.0, "Multiplier on the stall hazard while a project builds without the loan it needed or after a broken promise", "multiplier",
                                 "assumption: stalls follow broken financing", ge=1, le=50)
    stall_resume: float = P(0.02, "Monthly chance that a stalled project finds new money and resumes", "probability / month", "assumption", ge=0, le=1)


# ----------------------------------------------------------------------------- departments
class Department(Section):
    name_zh: str = P("", "Chinese name", "text", "-")
    vertical: bool = P(False, "A vertically managed unit (条管单位) answering to its own line ministry", "flag", "essay, problem P1")
    capacity: float = P(60.0, "Requests a department can handle a month at full efficiency and effort (at reference size)", "requests / month", "assumption: sized so that queues bind mainly at vertical units", gt=0)
    efficiency: float = P(0.55, "Staff skills: share of capacity realised, and with effort the monthly chance a waiting request is dealt with", "share", "assumption", gt=0, le=1)
    proactiveness: float = P(0.4, "Service attitude: willingness to serve without being pushed", "share", "assumption", ge=0, le=1)
    alignment: float = P(1.0, "How much local leadership and assessment move this unit's effort", "share", "assumption: low for vertical units", ge=0, le=1)


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
    departments: dict[str, Department] = Field(default_factory=_departments,
                                               description="Departments in the order a project's approvals visit them; 'bank' decides loans")
    pre_start_approvals: int = P(2, "Approvals needed before ground-breaking (project filing, land); the others are worked while building and construction stalls without them",
                                 "approvals", "assumption: matches the high start and low completion rates of CALIBRATION A", ge=0, le=8)
    loan_share: float = P(0.6, "Share of projects that need a bank loan", "share", "assumption", ge=0, le=1)
    loan_approval: float = P(0.55, "Chance the bank approves a loan, before forums", "probability", "assumption: banks' reluctance in the essay, problem P1", ge=0, le=1)
    base_effort: float = P(0.5, "Effort of a department with no leadership push", "share", "assumption", ge=0, le=1)
    assessment_effort_push: float = P(0.5, "Push on department effort from assessment fully on landed capital and service (none when fully on signed amounts)", "share", "assumption", ge=0, le=1)
    unserious_loan_factor: float = P(0.5, "Loan approval of an unserious project relative to a serious one (the bank's own screening)", "share", "assumption", ge=0, le=1)
    vertical_coordination_staff: float = P(6.0, "Staff of the joint office with vertical units at full coordination (at reference size)", "persons", "assumption: a small standing office", ge=0)
    vertical_coordination_attention: float = P(0.05, "Share of the city leader's attention joint meetings with vertical units take at full coordination", "share", "assumption", ge=0, le=1)
    one_stop_centre: bool = P(False, "Administrative service centre: approvals run in parallel, not in sequence (C3)", "switch", "essay C3")
    one_stop_capacity_gain: float = P(0.25, "Capacity gained by departments working in the one-stop centre", "share",
                                      "source: approval centres raise investment persistently (CALIBRATION D); size assumed", ge=0, le=2)
    one_stop_cost: float = P(300.0, "Running cost of the one-stop centre (at reference size)", "万元 / year", "assumption", ge=0)
    complaint_centre: bool = P(False, "Complaint centre: broken promises can be appealed; departments are accountable (C3)", "switch", "essay C3")
    complaint_cost: float = P(100.0, "Running cost of the complaint centre (at reference size)", "万元 / year", "assumption", ge=0)
    complaint_resolution: float = P(0.5, "Chance an appealed broken promise is honoured late", "probability", "assumption", ge=0, le=1)
    complaint_effort_gain: float = P(0.2, "Effort a department adds when every request in its queue is overdue and complained of (with a complaint centre, complaints reach its leaders)",
                                     "share", "assumption", ge=0, le=1)
    one_stop_effort_gain: float = P(0.1, "Effort a department in the one-stop centre adds because it is assessed on its time to approve", "share", "assumption", ge=0, le=1)
    vertical_coordination: float = P(0.0, "Share of the gap to full alignment that joint meetings close for vertical units", "share", "assumption", ge=0, le=1)
    training_effect: float = P(0.35, "Efficiency gained per 1,000 万元 of cumulative training (saturating)", "share / 1,000 万元", "assumption", ge=0)
    training_lag_months: int = P(6, "Months before training shows in efficiency", "months", "assumption", ge=0, le=60)
    training_max_efficiency: float = P(0.95, "Efficiency ceiling", "share", "assumption", gt=0, le=1)


# ----------------------------------------------------------------------------- government and levers
class LeadSource(Section):
    """Whom a source of leads reaches: lead quality, size and sector targeting."""

    quality: float = P(0.75, "Share of serious prospects among the contacts (lead quality)", "share", "assumption", ge=0, le=1)
    size_preference: float = P(0.0, "Exponent of the firm's real capital in the targeting weight (positive seeks large projects); "
                                    "channels know firms from registers, not from the amounts later written into contracts",
                               "exponent", "assumption", ge=-2, le=2)
    sector_focus: dict[str, Weight] = P({}, "Targeting weight by sector (missing sectors weigh 1)", "weight", "assumption")

    @model_validator(mode="after")
    def _focus(self) -> LeadSource:
        _check_keys(self.sector_focus, SECTORS, "sector_focus", subset=True)
        return self


class Channel(LeadSource):
    share: float = P(0.0, "Share of the channel budget spent on this channel", "share", "strategy", ge=0, le=1)
    cost_per_contact: float = P(1.0, "Cost of one prospect contacted", "万元 / contact", "assumption", gt=0)
    city_level: bool = P(False, "Run by the city (contacts need a hand-off unless a city park takes them)", "flag", "assumption")


def _channels() -> dict[str, Channel]:
    agri = {"potato": 3.0, "herbs": 3.0, "flowers_fungi": 2.0}
    return dict(
        referral=Channel(share=0.0, cost_per_contact=4, quality=0.9, size_preference=0.0),
        door_to_door=Channel(share=0.30, cost_per_contact=10, quality=0.9, size_preference=0.3),
        agency=Channel(share=0.10, cost_per_contact=4, quality=0.75, size_preference=0.1),
        small_team=Channel(share=0.15, cost_per_contact=6, quality=0.85, size_preference=0.1),
        online=Channel(share=0.10, cost_per_contact=1.2, quality=0.6, size_preference=-0.2),
        liaison_office=Channel(share=0.20, cost_per_contact=3.2, quality=0.9, size_preference=0.5, city_level=True),
        sister_city=Channel(share=0.0, cost_per_contact=4, quality=0.9, size_preference=0.2, city_level=True),
        leading_industry=Channel(share=0.15, cost_per_contact=3, quality=0.88, sector_focus=agri, city_level=True),
        key_project_library=Channel(share=0.0, cost_per_contact=12, quality=0.95, size_preference=0.8,
                                    sector_focus={"manufacturing": 3.0, "energy_materials": 3.0}, city_level=True),
    )


class Budget(Section):
    base_transfer: float = P(30000.0, "Yearly money for attraction from base transfers (at reference size)", "万元 / year", "assumption: a poor prefecture's attraction and park spending", ge=0)
    tax_share: float = P(0.15, "Share of tax paid by operating firms that flows back into the attraction budget", "share", "assumption", ge=0, le=1)
    shares: dict[str, Share] = P(
        {"channels": 0.25, "park": 0.0, "idle_assets": 0.0, "incentive_fund": 0.55, "investment_fund": 0.0, "training": 0.05, "tracking": 0.0,
         "forums": 0.0, "local_firms": 0.0, "legal": 0.05, "atmosphere": 0.10},
        "Shares of the yearly budget by lever (" + ", ".join(BUDGET_LEVERS) + "); institutions' running costs come off first; must sum to at most 1",
        "share", "assumption: incentives and promotion dominate, parks starved (essay P2)")

    @model_validator(mode="after")
    def _shares(self) -> Budget:
        _check_keys(self.shares, BUDGET_LEVERS, "shares", subset=True)
        _check_sum(self.shares, "shares")
        return self


class Platform(Section):
    initial_land_mu: float = P(2500.0, "Serviced land free at month 0 across all counties (at reference size)", "mu", "assumption", ge=0)
    county_land_mu_per_year: float = C("platform.county_land_mu_per_year", 5018.5404, "Serviced land the counties add each year outside the strategy (at reference size)", "mu / year", ge=0)
    park_cost_per_mu: float = P(12.0, "Cost of making one mu serviced (三通一平) in a city industrial park", "万元 / mu", "assumption", gt=0)
    park_build_months: int = P(18, "Lag from park spending to serviced land", "months", "assumption", ge=0, le=120)
    idle_cost_per_mu: float = P(4.0, "Cost of revitalising one mu of idle factory land by transfer or lease", "万元 / mu", "assumption", gt=0)
    idle_lag_months: int = P(3, "Lag from revitalisation spending to usable land", "months", "assumption", ge=0, le=60)
    idle_stock_mu: float = P(3000.0, "Idle factory and land stock at month 0 that can be revitalised (at reference size); projects that withdraw while building or stall add to it",
                             "mu", "assumption", ge=0)
    handoff_months: float = P(3.0, "Mean months a city-contacted project spends being handed to a county when the city park has no free land at all; "
                                   "shorter, and rarer, as the park's free land grows relative to demand", "months", "assumption: essay P2", ge=0, le=24)
    late_handoff_months: float = P(2.0, "Mean months a signed project spends being moved to another county that has land", "months", "assumption: essay P2", ge=0, le=24)
    financing_leverage: float = P(1.0, "Park money raised per yuan of budget (1 = no borrowing; 2 = one yuan borrowed per yuan spent)", "multiplier", "assumption", ge=1, le=5)
    interest_rate: float = P(0.05, "Yearly interest on park borrowing, paid from the budget", "share / year", "assumption", ge=0, le=0.5)


class Policy(Section):
    incentive_rate: float = P(3.0, "Incentive promised to a signed project, in percent of its capital, paid when building starts", "% of capital",
                              "assumption: land-price and tax rebates of a few percent of the investment", ge=0, le=30)
    incentive_cap: float = P(200.0, "Largest incentive promised to one project", "万元", "assumption", ge=0)
    honouring_discipline: float = P(0.45, "Discipline in what is promised (不折不扣 starts at the promise): a government stops promising once the promises of the last "
                                         "year exceed the incentive fund's means (its balance plus a year's inflow) divided by this; 1 promises only what the fund can carry, "
                                         "lower values promise beyond it", "share",
                                    "assumption: the essay's incentives promised beyond the means to honour them (P1): the baseline promises about twice what its fund takes in, "
                                    "and its honouring rate (about 0.7) follows from the fund and from leader rotation; at least 0.05 (promising over twenty times what the fund carries is outside what the model describes, and near 0 the promise room is infinite)", ge=0.05, le=1)
    promise_horizon_months: float = P(12.0, "Window of the promising rule: the promises made in the last this many months must stay within the fund's balance "
                                           "and this many months of its inflow, over discipline", "months", "assumption: a budget year", ge=1, le=60)
    promise_vetting_months: float = P(0.25, "Staff time the finance bureau spends vetting one promise against the fund, at full discipline", "person-months / promise",
                                      "assumption", ge=0)
    tax_forum_gain: float = P(0.15, "Chance that an unpaid promise is paid late, from what the fund holds, in a year with a tax-enterprise forum", "probability", "assumption", ge=0, le=1)
    bank_forum_gain: float = P(0.15, "Loan approval gained in a year with a bank-enterprise forum", "probability", "assumption", ge=0, le=1)
    forum_cost: float = P(150.0, "Cost of one yearly forum (investor, bank-enterprise or tax-enterprise) (at reference size)", "万元", "assumption", ge=0)
    investor_forum_contacts: float = P(25.0, "Serious prospects met at a yearly investor forum (at reference size)", "contacts", "assumption", ge=0)
    tracking_cost: float = P(5.0, "Yearly cost of tracking one signed project in the key-project library", "万元 / project / year", "assumption", gt=0)
    tracking_hazard_cut: float = P(0.5, "Share by which tracking cuts land, delay and hand-off hazards of a tracked project", "share", "assumption", ge=0, le=1)
    leadership_attention: float = P(0.2, "Share of each leader's (city and county heads') time given to attraction: pushes department effort; "
                                         "charged at the shadow value of a leader-month (what else that time would do)", "share", "assumption", ge=0, le=1)
    team_quality: float = P(0.3, "Professionalism of the promotion team: share of the full professional team in post (positions paid, staff trained); better negotiation",
                            "share", "assumption", ge=0, le=1)
    team_size: float = P(60.0, "Staff of a fully professional promotion team across the city and counties (at reference size)", "persons",
                         "assumption: about seven to eight per government", ge=0)
    team_salary: float = P(1.0, "Cost of one professional promotion post, salary and overheads", "万元 / person-month",
                           "assumption: recruited at market pay, twice a civil servant's cost (costs.staff_month)", ge=0)
    team_training: float = P(2.0, "Yearly training of one professional promotion post", "万元 / person / year", "assumption", ge=0)
    assessment_signed_weight: float = P(0.8, "Weight of signed amounts and contact counts in officials' assessment (the rest: landed capital and service)",
                                        "share", "source: a city's 2023 score sheet, 50 + 30 of 100 points on signed amount and contacts (CALIBRATION C)", ge=0, le=1)
    screening_strict: float = P(0.85, "Share of unserious prospects screened out when assessment is fully on landed capital", "share", "assumption", ge=0, le=1)
    screening_lax: float = P(0.1, "Share screened out when assessment is fully on signed amounts", "share", "assumption", ge=0, le=1)
    signing_push: float = P(0.6, "Utility added at signing by officials chasing signed-amount targets, at full weight", "utility", "assumption", ge=0)
    city_coordination: bool = P(False, "City coordinates counties: shared lead registry, no duplicate contacts (P6); needs a standing office", "switch", "essay P6")
    coordination_staff: float = P(10.0, "Staff of the city's standing coordination office (at reference size)", "persons", "assumption: a leading-group office", ge=0)
    coordination_attention: float = P(0.05, "Share of the city leader's time the coordination office takes", "share", "assumption", ge=0, le=1)
    max_bid_markup: float = P(0.3, "Largest extra incentive (relative to the published rate) a county offers a prospect another county also courts", "share",
                              "assumption: counties outbid each other with land-price and tax rebates (essay P6)", ge=0, le=5)
    courting_push: float = P(0.5, "Extra pace at which a county under full assessment pressure spends its channel money (it runs out sooner in the year)", "share",
                             "assumption: counties behind their targets step up promotion", ge=0, le=5)
    bid_follow: float = P(0.8, "Share of the markup it believes rivals offered (last month's winning bids) that a county matches", "share", "assumption", ge=0, le=1)
    leader_attention_spread: float = P(0.5, "Spread of a new leader's attention around the strategy's level (relative; uniform)", "share",
                                       "assumption: leaders' priorities differ", ge=0, le=1)
    legal_insecurity: float = P(0.35, "Legal insecurity at month 0 (chance-scale of harassment)", "share", "assumption", ge=0, le=1)
    legal_effect: float = P(0.25, "Insecurity removed per 1,000 万元 of legal-environment spending (saturating)", "share / 1,000 万元", "assumption", ge=0)
    atmosphere: float = P(0.35, "Pro-business atmosphere (人文环境) at month 0", "share", "assumption", ge=0, le=1)
    atmosphere_effect: float = P(0.02, "Yearly atmosphere gain per 1,000 万元 of spending", "share / 1,000 万元", "assumption", ge=0)
    atmosphere_from_success: float = P(0.0001, "Yearly atmosphere gain per satisfied operating firm (at reference size)", "share / firm", "assumption", ge=0)
    atmosphere_decay: float = P(0.1, "Yearly decay of the atmosphere toward zero without effort", "share / year", "assumption", ge=0, le=1)
    persistence: float = P(0.8, "Chance that a new city leader keeps the strategy (else a stop-go year: the lever money cut to stop_go_share); "
                                "kept by institutionalising it (a leading group, written rules), which takes leaders' time",
                           "probability", "essay C1", ge=0, le=1)
    persistence_attention: float = P(0.05, "Share of each leader's time that institutionalising the strategy takes at full persistence", "share", "assumption", ge=0, le=1)
    stop_go_share: float = P(0.5, "Share of the lever money a stop-go year keeps", "share", "assumption", ge=0, le=1)
    leader_rotation: float = P(0.28, "Yearly chance that a government's leader is rotated out", "probability / year",
                               "assumption: local leaders' tenures of three to four years", ge=0, le=1)
    successor_drop: float = P(0.3, "Share of a predecessor's outstanding promises a new leader drops (新官不理旧账)", "share", "assumption: the essay's 'promises not delivered' (P1)", ge=0, le=1)
    fund_exposure: float = P(0.1, "Money the investment fund (产业引导基金) puts up, as a share of the project's capital, to guarantee or co-invest in a loan the bank refused; "
                                  "returned when the project operates, lost when it withdraws or stalls", "share of capital",
                             "assumption: a guarantee fund backs about five times its money on half the capital borrowed", ge=0, le=1)
    fund_due_diligence: float = P(0.7, "Chance the investment fund's due diligence turns down an unserious applicant", "probability", "assumption", ge=0, le=1)
    forum_leads: LeadSource = Field(default_factory=lambda: LeadSource(quality=0.95, size_preference=0.5),
                                    description="Whom an investor forum reaches: the bigger serious investors (assumption: forums invite established firms)")


class LocalFirms(Section):
    count: int = P(120, "Local firms that could partner with outside investors (at reference size)", "firms", "assumption", ge=0)
    proactiveness: float = P(0.08, "Mean proactiveness: chance a month of seeking an outside partner", "probability / month",
                             "assumption: low by default (essay P5)", ge=0, le=1)
    encouragement_effect: float = P(0.6, "Proactiveness gained per 1,000 万元 of encouragement spending (saturating)", "share / 1,000 万元", "assumption", ge=0)
    partner_success: float = P(0.35, "Chance that a partner search finds an interested prospect", "probability", "assumption", ge=0, le=1)
    proactiveness_concentration: float = P(2.0, "First shape of the beta spread of firms' own proactiveness (larger: more alike)", "beta shape", "assumption", gt=0, le=100)
    atmosphere_floor: float = P(0.5, "Proactiveness multiplier at zero atmosphere (it is floor + atmosphere)", "multiplier", "assumption", ge=0, le=1)
    encouragement_max: float = P(0.5, "Largest share of the gap to full proactiveness that encouragement can close", "share", "assumption", ge=0, le=1)
    partner_leads: LeadSource = Field(default_factory=lambda: LeadSource(quality=0.93, sector_focus={"potato": 2.0, "herbs": 2.0, "flowers_fungi": 2.0}),
                                      description="Whom local firms' partner searches reach: mostly serious firms in the leading agricultural industries (assumption: local firms vouch for partners they know)")


class Costs(Section):
    """Shadow prices that put staff time and leaders' attention in the same currency as money (万元)."""

    staff_month: float = P(0.5, "Full cost of one month of a government staff member's time", "万元 / person-month",
                           "assumption anchored on CALIBRATION C: a liaison office of 2 staff costs 8 万元 a year besides salaries (0.33 万元 per person-month); with salaries 0.5", ge=0)
    leader_month: float = P(20.0, "Shadow value of one month of a leader's full attention: the other work it would do, with the staff it moves", "万元 / leader-month",
                            "assumption: about forty staff-months", ge=0)


class Params(Section):
    """The full, validated parameter set of one scenario."""

    run: Run = Field(default_factory=Run)
    population: Population = Field(default_factory=Population)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    hazards: Hazards = Field(default_factory=Hazards)
    construction: Construction = Field(default_factory=Construction)
    service: Service = Field(default_factory=Service)
    channels: dict[str, Channel] = Field(default_factory=_channels, description="Promotion channels (keys: " + ", ".join(CHANNELS) + ")")
    budget: Budget = Field(default_factory=Budget)
    platform: Platform = Field(default_factory=Platform)
    policy: Policy = Field(default_factory=Policy)
    local_firms: LocalFirms = Field(default_factory=LocalFirms)
    costs: Costs = Field(default_factory=Costs)

    @model_validator(mode="after")
    def _checks(self) -> Params:
        _check_keys(self.channels, CHANNELS, "channels")
        _check_sum({k: c.share for k, c in self.channels.items()}, "channels.*.share")
        if "bank" not in self.service.departments:
            raise ValueError("service.departments: expected a department named 'bank', found none")
        return self

    @property
    def scale(self) -> float:
        """Market size relative to the reference: multiplies budgets, capacities, land and firm counts."""
        return self.run.n_investors / self.run.reference_investors


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


Lang = Literal["zh", "en"]
