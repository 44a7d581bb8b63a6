"""Decisions (docs/ODD.md 7.3): whether a contacted prospect negotiates and signs, officials' screening and the push
for signatures under targets on signed amounts.
"""

from __future__ import annotations

import numpy as np
from modelkit import paired, small, wd

from sim.model import build_model


def test_p4_targets_on_signed_amounts_sign_more_but_fulfil_less():
    differentiated, signed_targets = paired(small(policy__assessment_signed_weight=0.0),
                                            small(policy__assessment_signed_weight=1.0))
    assert signed_targets["signed_projects"] > differentiated["signed_projects"]
    assert signed_targets["cohort_start_rate_24m"] < differentiated["cohort_start_rate_24m"]
    assert wd(signed_targets, "not_serious") > 2 * wd(differentiated, "not_serious")


def test_a_hopeless_offer_has_probability_zero_without_a_warning():
    """Catches the logistic overflowing into a RuntimeWarning (the property tests met it with extreme settings)."""
    import warnings

    m = build_model(small().with_overrides({"run.n_investors": 300}).params, seed=1)
    m.run_for(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = m.go_on_probability(np.arange(5), bonus=-1e6)
    assert (p == 0).all()
