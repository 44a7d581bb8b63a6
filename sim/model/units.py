"""Unit conversions used by the model: structural numbers, not behavioural parameters."""

MONTHS_PER_YEAR = 12
PER_THOUSAND = 1000.0  # spending effects are stated per 1,000 万元
PERCENT = 100.0  # incentive rates are stated in percent of capital
CAPITAL_PER_MILLION = 100.0  # 万元 in one million yuan (jobs are stated per million yuan)
BN_YUAN = 100_000.0  # 万元 in one billion yuan (project-size line of fair reports)
HALF_STEP = 0.5  # yearly events fire between two monthly steps
SPREAD_LOW = 0.5  # a delay is drawn uniformly between SPREAD_LOW and SPREAD_LOW + 1 times its mean
COHORT_MONTHS = (12, 24, 36)  # months after signing at which signing cohorts are observed (provincial reports)
MIN_PATIENCE_MONTHS = 0.1  # shortest patience (about three days): waiting is measured against it, so it must be positive
HEADLINE_COHORT_MONTHS = 24  # the cohort of the headline 履约率 and 资金到位率 (cohort_fulfilment_rate_24m)
