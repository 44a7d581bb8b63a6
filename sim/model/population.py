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

from sim.params import ORIGINS, SECTORS, Params


@dataclass
class Population:
    """Fixed attributes of the prospect pool (one row per investor)."""

    sector: np.ndarray  # int8 index into SECTORS
    origin: np.ndarray  # int8 index into ORIGINS
    capital: np.ndarray  # 万元, true capital the project would invest
    announced: np.ndarray  # 万元, capital written into the contract (inflated for unserious projects)
    serious: np.ndarray  # bool
    large: np.ndarray  # bool, announced >= large threshold
    industrial: np.ndarray  # bool
    land_need: np.ndarray  # mu of serviced land
    approvals: np.ndarray  # int, departmental approvals needed (without the bank)
    needs_loan: np.ndarray  # bool
    patience: np.ndarray  # months of approval waiting tolerated
    build_months: np.ndarray  # months of construction
    priority: np.ndarray  # float in [0, 1): fixed tie-breaker in queues
    edges_src: np.ndarray  # int32, directed tie list (both directions present)
    edges_dst: np.ndarray
    ties: sparse.csr_matrix  # N x N adjacency (1 per tie), for neighbour means


def draw_population(p: Params, rng: np.random.Generator, net_rng: np.random.Generator) -> Population:
    """Draw ``p.run.n_investors`` prospects and their tie network."""
    n = p.run.n_investors
    sectors = [p.population.sectors[s] for s in SECTORS]
    sector = rng.choice(len(SECTORS), size=n, p=[s.share for s in sectors]).astype(np.int8)
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
    approvals = np.array([s.approvals for s in sectors])[sector].astype(np.int16)
    needs_loan = rng.random(n) < p.service.loan_share
    # Foreign investors are less patient with local procedure, local ones more (assumption).
    origin_patience = np.array([1.3, 1.0, 0.7])[origin]
    patience = p.population.patience_months * origin_patience * rng.gamma(4.0, 0.25, size=n)
    base_build = np.array([s.build_months for s in sectors])[sector] * p.construction.build_time_scale
    build_months = base_build * (capital / median) ** p.construction.size_elasticity
    priority = rng.random(n)
    src, dst = _draw_ties(n, p.population.ties_per_investor, origin == 0, p.population.local_tie_share, net_rng)
    ties = sparse.csr_matrix((np.ones(src.size, dtype=np.float32), (src, dst)), shape=(n, n))
    return Population(sector, origin, capital, announced, serious, large, industrial, land_need, approvals,
                      needs_loan, patience, np.maximum(build_months, 1.0), priority, src, dst, ties)


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
