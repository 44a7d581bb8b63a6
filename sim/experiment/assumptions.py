"""The assumptions a global screening varies: their ranges, read from ``sim/params.py``, and their groups by mechanism.

A design that says ``vary = ["assumption", "sourced", "calibrated"]`` samples every parameter of those kinds
(:func:`sim.paramdoc.parameters`) over its documented plausible range; a calibrated parameter over its posterior's
90% interval in the calibration record (``calibrated = "posterior"``, the default) or over its prior
(``"prior"``). Nothing is typed twice: the ranges and their reasons live in ``sim/params.py``.

``groups = "mechanisms"`` moves the parameters of one mechanism together (Morris with groups, SALib's ``groups``
in the ``problem``): :data:`MECHANISMS` lists each group with its names for people and the patterns of dotted keys
it holds; a parameter belongs to the first group whose pattern matches it, and every varied parameter must belong
to one. Tables of shares that add up to 1 (the sectors' and the origins' shares of prospects) are rescaled at every
design point, as their ranges' reason says (:func:`rescale_shares`).
"""

from __future__ import annotations

import fnmatch
import functools
import math
from dataclasses import dataclass

from sim.paramdoc import ParamDoc, param_label, parameters
from sim.params import calibration_record

VARIED_KINDS = ("assumption", "sourced", "calibrated")
"""Kinds of parameters a screening of assumptions may vary (levers and structural settings are chosen, not
uncertain)."""
CALIBRATED_RANGES = ("posterior", "prior")
"""Where a calibrated parameter's range comes from: its posterior's 90% interval (what the region's figures still
allow, given the other parameters at their defaults) or its prior (what was thought before the figures)."""


@dataclass(frozen=True)
class Mechanism:
    """A group of assumptions that build one mechanism of the model, with its names for people and the patterns
    (``fnmatch``, on dotted keys) of the parameters it holds."""

    name: str
    zh: str
    en: str
    patterns: tuple[str, ...]

    def label(self, lang: str) -> str:
        """The group's name in Chinese (``"zh"``) or English."""
        return self.zh if lang == "zh" else self.en

    def holds(self, key: str) -> bool:
        """Whether the dotted ``key`` matches one of the group's patterns."""
        return any(fnmatch.fnmatchcase(key, p) for p in self.patterns)


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism("park", "市级园区与闲置资产", "City park and idle assets",
              ("platform.park_*", "platform.interest_rate", "platform.idle_*")),
    Mechanism("forums", "政银企、政税企和投资洽谈会", "Forums (bank, tax and investor)",
              ("policy.*forum*",)),
    Mechanism("screening", "考核与项目甄别", "Assessment and screening of projects",
              ("policy.screening_*", "policy.signing_push", "service.assessment_effort_push", "policy.courting_push",
               "policy.bid_follow", "policy.max_bid_markup")),
    Mechanism("promises", "优惠承诺与兑现", "Incentives, promises and funds",
              ("behaviour.b_incentive", "hazards.incentive_broken", "behaviour.credibility_shock",
               "behaviour.reputation_credibility", "policy.promise_*", "policy.fund_*", "budget.fund_carryover", "budget.tax_share",
               "budget.tax_years")),
    Mechanism("bank", "银行与贷款", "The bank and loans",
              ("service.departments.bank.*", "service.loan_*", "service.unserious_loan_factor",
               "population.loan_size_elasticity", "hazards.loan_refused", "construction.self_finance_speed")),
    Mechanism("centres", "一站式与投诉中心、干部培训", "One-stop and complaint centres, training",
              ("service.one_stop_*", "service.complaint_*", "service.training_*")),
    Mechanism("service", "部门审批与服务", "Departments' approvals and service",
              ("service.*", "population.sectors.*.approvals", "population.large_extra_approvals")),
    Mechanism("leaders", "领导、队伍与政治周期", "Leaders, the team and the political cycle",
              ("policy.leader_*", "policy.successor_drop", "policy.stop_go_share", "policy.persistence_attention",
               "policy.coordination_*", "policy.team_*", "behaviour.b_team")),
    Mechanism("local_firms", "本地企业", "Local firms",
              ("local_firms.*", "behaviour.partner_vouching")),
    Mechanism("channels", "招商渠道与线索", "Channels and leads",
              ("channels.*", "behaviour.referral_*", "policy.tracking_*", "run.arrivals_per_month")),
    Mechanism("environment", "法治与人文环境", "Legal environment and atmosphere",
              ("policy.legal_*", "policy.atmosphere*", "behaviour.service_weight_in_soft",
               "behaviour.attitude_weight_in_service")),
    Mechanism("land", "土地供给", "Serviced land",
              ("hazards.no_land", "platform.*", "population.sectors.*.land_intensity",
               "population.sectors.*.serviced_land_fraction", "construction.land_wait_tolerance", "hazards.handoff")),
    Mechanism("construction", "建设与资金到位", "Construction and capital arrival",
              ("construction.*", "hazards.stall*", "population.sectors.*.build_months")),
    Mechanism("withdrawal", "客商撤出风险", "Investors' withdrawal hazards",
              ("hazards.*", "population.patience_*", "population.origin_patience.*", "behaviour.building_sunk_share")),
    Mechanism("choice", "客商的选址决策", "The investor's choice",
              ("behaviour.b_*", "behaviour.tau", "behaviour.outside_*", "behaviour.negotiation_months",
               "behaviour.unserious_sign_bonus", "behaviour.return_months", "population.sectors.*.appeal",
               "population.sectors.*.env_weight", "population.size_*")),
    Mechanism("beliefs", "客商的判断与口碑", "Investors' beliefs and word of mouth",
              ("behaviour.*", "population.ties_per_investor", "population.local_tie_share")),
    Mechanism("yields", "就业与税收产出", "Jobs and tax per yuan",
              ("population.sectors.*.jobs_per_million", "population.sectors.*.tax_yield")),
    Mechanism("market", "客商群体", "The market of prospects",
              ("population.*",)),
    Mechanism("prices", "人员与领导时间的影子价格", "Shadow prices of staff and leaders' time",
              ("costs.*",)),
)
"""The mechanisms, in the order their patterns are tried (specific groups before the catch-all of a section)."""
MECHANISM_NAMES = tuple(m.name for m in MECHANISMS)
LEVER_MECHANISMS = {"incentive_fund": "promises", "investment_fund": "promises", "park": "park",
                    "idle_assets": "park", "channels": "channels", "tracking": "channels", "forums": "forums",
                    "local_firms": "local_firms", "training": "centres", "legal": "environment",
                    "atmosphere": "environment"}
"""The mechanism whose assumptions say how much each budget lever buys (the incentive fund: the incentive's pull,
the withdrawals when a promise is broken, ...)."""
GROUPINGS = ("mechanisms",)
"""How a design may group its parameters (``groups = "mechanisms"``)."""

SHARE_TABLES = ("population.sectors.*.share", "population.origin_shares.*")
"""Tables of shares that add up to 1: rescaled at each design point (their ranges' reason says so)."""


def mechanism(name: str) -> Mechanism:
    """The group named ``name`` (KeyError naming the known ones otherwise)."""
    for m in MECHANISMS:
        if m.name == name:
            return m
    raise KeyError(f"mechanism '{name}': expected one of {', '.join(MECHANISM_NAMES)}")


def assumption_label(key: str, lang: str) -> str:
    """The name for people of a parameter (dotted key) or of a group of them (a mechanism's name), in Chinese
    (``lang="zh"``) or English."""
    names = {m.name: m for m in MECHANISMS}
    return names[key].label(lang) if key in names else param_label(key, lang)


def group_of(key: str) -> str | None:
    """The mechanism that holds the dotted ``key`` (the first whose pattern matches), or None."""
    return next((m.name for m in MECHANISMS if m.holds(key)), None)


def calibrated_interval(doc: ParamDoc) -> tuple[float, float]:
    """A calibrated parameter's posterior 90% interval (5% to 95% quantiles) from the calibration record, widened
    to hold the shipped value (the posterior's central point); its prior when the record has no posterior."""
    post = {r["parameter"]: r for r in calibration_record().get("posterior", [])}.get(doc.key)
    if post is None:
        return doc.low, doc.high
    return min(float(post["p05"]), float(doc.default)), max(float(post["p95"]), float(doc.default))


def varied_ranges(kinds: tuple[str, ...] | list[str] = VARIED_KINDS, calibrated: str = "posterior",
                  groups: tuple[str, ...] | list[str] | None = None) -> tuple[dict[str, tuple[float, float]], frozenset[str]]:
    """Every parameter of ``kinds`` with its range, in the order of ``sim/params.py``, and the whole-number ones.

    Assumptions and sourced values take their documented plausible range; calibrated ones their posterior's 90%
    interval (``calibrated = "posterior"``) or their prior (``"prior"``). With ``groups``, only the parameters of
    those mechanisms. Switches and parameters without a range are left out."""
    bad = [k for k in kinds if k not in VARIED_KINDS]
    if bad:
        raise ValueError(f"parameter kind: expected one of {', '.join(VARIED_KINDS)}, found '{bad[0]}'")
    if calibrated not in CALIBRATED_RANGES:
        raise ValueError(f"calibrated range: expected one of {', '.join(CALIBRATED_RANGES)}, found '{calibrated}'")
    ranges: dict[str, tuple[float, float]] = {}
    integer = set()
    for doc in parameters():
        if doc.kind not in kinds or doc.range is None or isinstance(doc.default, bool):
            continue
        if groups is not None and group_of(doc.key) not in groups:
            continue
        lo, hi = calibrated_interval(doc) if doc.kind == "calibrated" and calibrated == "posterior" else doc.range
        if not lo < hi:
            continue
        ranges[doc.key] = (float(lo), float(hi))
        if isinstance(doc.default, int):
            integer.add(doc.key)
    return ranges, frozenset(integer)


def grouping(keys: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Each key's mechanism; a key no mechanism holds raises a ValueError naming it."""
    out = {}
    for key in keys:
        group = group_of(key)
        if group is None:
            raise ValueError(f"'{key}' belongs to no mechanism (sim/experiment/assumptions.py, MECHANISMS)")
        out[key] = group
    return out


def in_share_table(key: str) -> bool:
    """Whether ``key`` is an entry of a table of shares that add up to 1 (:data:`SHARE_TABLES`)."""
    return any(fnmatch.fnmatchcase(key, p) for p in SHARE_TABLES)


@functools.cache
def _share_tables() -> dict[str, list[str]]:
    """The entries of each table of :data:`SHARE_TABLES`, sorted."""
    return {p: sorted(d.key for d in parameters() if fnmatch.fnmatchcase(d.key, p)) for p in SHARE_TABLES}


def rescale_shares(point: dict[str, float]) -> dict[str, float]:
    """The design point with each table of shares that add up to 1 rescaled to add up to 1 (when the point sets
    every entry of the table; a point that sets only some is left as it is, for the scenario's check to judge)."""
    out = dict(point)
    for pattern, every in _share_tables().items():
        keys = [k for k in out if fnmatch.fnmatchcase(k, pattern)]
        if not keys or sorted(keys) != every:
            continue
        total = math.fsum(out[k] for k in keys)
        if total > 0:
            for k in keys:
                out[k] = out[k] / total
    return out

