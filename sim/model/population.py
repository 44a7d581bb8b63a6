"""Drawing the investor population and the ties between investors.

Each prospect has a sector, an origin, a committed capital (lognormal around
the sector median: heavy-tailed), a seriousness flag, a patience, a land need,
the approvals its project needs and ties to other investors (word of mouth and
referrals). All attributes are arrays, one row per investor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sim.model.units import MIN_PATIENCE_MONTHS
from sim.params import ORIGINS, Params


@dataclass
class Population:
    """Fixed attributes of the prospect pool (one row per investor)."""

    sector: np.ndarray  # int8 index into the region's sectors (``Params.sector_ids``)
    origin: np.ndarray  # int8 index into ORIGINS
    capital: np.ndarray  # 万元, true capital the project would invest
    announced: np.ndarray  # 万元, capital written into the contract (inflated for unserious projects)
    serious: np.ndarray  # bool
    large: np.ndarray  # bool, announced >= large threshold
    industrial: np.ndarray  # bool
    land_need: np.ndarray  # mu of serviced land
    approvals: np.ndarray  # int, departmental approvals needed (without the bank)
    needs_loan: np.ndarray  # bool
    size_weight: np.ndarray  # weight on the soft environment, credibility and legal risk (1 at the sector median)
    patience: np.ndarray  # months of approval waiting tolerated
    build_months: np.ndarray  # months of construction
    priority: np.ndarray  # float in [0, 1): fixed tie-breaker in queues
    edges_src: np.ndarray  # int32, directed tie list (both directions present)
    edges_dst: np.ndarray
    ties: sparse.csr_matrix  # N x N adjacency (1 per tie), for neighbour means


def market_size(p: Params) -> tuple[int, int]:
    """(prospects in the market when the model starts, prospects arriving while it runs: through the spin-up
    (``run.spinup_months``) and the horizon, so that the market does not run dry at month 0)."""
    arrivals = int(round(p.run.arrivals_per_month * p.scale * (p.run.spinup_months + p.run.horizon_months)))
    return p.run.n_investors, arrivals


def mean_land_need(p: Params) -> float:
    """Expected serviced land (mu) a prospect of ``p``'s market would need, over its sectors: each sector's share
    times its capital's mean (the lognormal's median times exp(sigma^2 / 2)) over its land intensity times its
    serviced fraction, as :func:`draw_population` draws ``land_need``. A region file may carry a land fact over
    from another region in proportion to the land their prospects need."""
    pp = p.population
    per_median = sum(s.share * s.capital_median / s.land_intensity * s.serviced_land_fraction for s in pp.sectors.values())
    return float(per_median * np.exp(pp.capital_sigma ** 2 / 2.0))


def draw_population(p: Params, rng: np.random.Generator, net_rng: np.random.Generator,
                    arrivals_rng: np.random.Generator) -> Population:
    """Draw the prospects in the market at month 0 (``population`` stream), those who arrive later
    (their own stream, in order of arrival, so a longer horizon adds rows without changing the others)
    and the tie network among all of them."""
    n0, n1 = market_size(p)
    parts = [_draw_attributes(p, rng, n0), _draw_attributes(p, arrivals_rng, n1)]
    a = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
    n = n0 + n1
    src, dst = _draw_ties(n, p.population.ties_per_investor, a["origin"] == 0, p.population.local_tie_share, net_rng)
    ties = sparse.csr_matrix((np.ones(src.size, dtype=np.float32), (src, dst)), shape=(n, n))
    return Population(**a, edges_src=src, edges_dst=dst, ties=ties)


def _draw_attributes(p: Params, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Attributes of ``n`` prospects."""
    sectors = list(p.population.sectors.values())
    sector = rng.choice(len(sectors), size=n, p=[s.share for s in sectors]).astype(np.int8)
    origin = rng.choice(len(ORIGINS), size=n, p=[p.population.origin_shares[o] for o in ORIGINS]).astype(np.int8)
    median = np.array([s.capital_median for s in sectors])[sector]
    capital = median * np.exp(p.population.capital_sigma * rng.standard_normal(n))
    serious = rng.random(n) < p.population.serious_share
    announced = np.where(serious, capital, capital * p.population.unserious_inflation)
    large = announced >= p.run.large_threshold
    industrial = np.array([s.industrial for s in sectors])[sector]
    intensity = np.array([s.land_intensity for s in sectors])[sector]
    serviced = np.array([s.serviced_land_fraction for s in sectors])[sector]
    land_need = capital / intensity * serviced
    # Size (P3): large projects need higher-level reviews, borrow more and weigh service, promises and legal risk more.
    pp = p.population
    approvals = (np.array([s.approvals for s in sectors])[sector]
                 + pp.large_extra_approvals * (capital >= p.run.large_threshold)).astype(np.int16)
    rel = np.log(capital / median)
    odds = np.log(p.service.loan_share / (1.0 - p.service.loan_share)) if 0 < p.service.loan_share < 1 else None
    u_loan = rng.random(n)
    needs_loan = u_loan < (p.service.loan_share if odds is None else 1.0 / (1.0 + np.exp(-(odds + pp.loan_size_elasticity * rel))))
    size_weight = np.clip(np.exp(pp.size_env_elasticity * rel), pp.size_weight_min, pp.size_weight_max)
    origin_patience = np.array([pp.origin_patience[o] for o in ORIGINS])[origin]
    patience = pp.patience_months * origin_patience * rng.gamma(pp.patience_shape, 1.0 / pp.patience_shape, size=n)
    patience = np.maximum(patience, MIN_PATIENCE_MONTHS)
    base_build = np.array([s.build_months for s in sectors])[sector] * p.construction.build_time_scale
    build_months = np.minimum(base_build * (capital / median) ** p.construction.size_elasticity, p.construction.max_build_months)
    priority = rng.random(n)
    return dict(sector=sector, origin=origin, capital=capital, announced=announced, serious=serious, large=large,
                industrial=industrial, land_need=land_need, approvals=approvals, needs_loan=needs_loan,
                size_weight=size_weight, patience=patience, build_months=np.maximum(build_months, 1.0), priority=priority)


def _draw_ties(n: int, mean_ties: float, local: np.ndarray, local_share: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Undirected random ties, local investors tied preferentially to each other; returned in both directions."""
    m = int(round(n * mean_ties / 2))
    if m == 0 or n < 2:
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty
    a = rng.integers(0, n, size=m)
    b = rng.integers(0, n, size=m)
    local_idx = np.flatnonzero(local)
    if local_idx.size > 1:
        redirect = local[a] & (rng.random(m) < local_share)
        b[redirect] = local_idx[rng.integers(0, local_idx.size, size=int(redirect.sum()))]
    keep = a != b
    a, b = a[keep], b[keep]
    src = np.concatenate([a, b]).astype(np.int32)
    dst = np.concatenate([b, a]).astype(np.int32)
    return src, dst
