"""Beliefs (docs/ODD.md 7.2): word of mouth spreads what investors experienced, the region's reputation follows, and a
better atmosphere is seen only slowly.
"""

from __future__ import annotations

from modelkit import SEEDS, paired, small


def test_word_of_mouth_spreads_what_investors_experienced():
    """Investors who never claimed an incentive believe less in promises when a tie of theirs saw one broken. Few
    such listeners heard of a broken promise in any one run (none to four), so their beliefs are pooled over six."""
    import numpy as np

    from sim.model import build_model
    from sim.model.agents import NEGOTIATING, SIGNED
    from sim.model.beliefs import CREDIBILITY

    heard_cred, other_cred = [], []
    for seed in range(11, 17):
        m = build_model(small(policy__honouring_discipline=0.2, policy__incentive_rate=8.0, policy__incentive_cap=2000.0,
                              behaviour__outside_option=0.8).params, seed=seed)  # enough signed in a cold start
        m.run_for(36)
        stage, pr, cred = m.investors.pipeline.stage, m.investors.promises, m.investors.beliefs[:, CREDIBILITY]
        heard = np.asarray(m.pop.ties @ pr.broken.astype(float)).ravel() > 0
        listener = ((stage == NEGOTIATING) | (stage == SIGNED)) & ~pr.broken & (pr.paid == 0)
        heard_cred.extend(cred[listener & heard])
        other_cred.extend(cred[listener & ~heard])
    assert len(heard_cred) >= 5
    assert np.mean(other_cred) - np.mean(heard_cred) > 0.02
    # And the region's reputation falls when promises are broken.
    generous = {"policy__incentive_rate": 8.0, "policy__incentive_cap": 2000.0, "behaviour__outside_option": 0.8}
    broken, kept = paired(small(policy__honouring_discipline=0.2, **generous), small(policy__honouring_discipline=1.0, **generous))
    # The public reputation is slow (memory 0.97 a month): over four years a 40-point gap in honouring moves it
    # by a few points; without word of mouth and reputation it would not move at all.
    assert broken["honouring_rate"] < kept["honouring_rate"] - 0.3
    assert broken["perceived_credibility"] < kept["perceived_credibility"] - 0.02


def test_p6_a_better_atmosphere_brings_investors_slowly():
    """The same spending on the atmosphere, with and without its effect: where it works, investors come to see a
    better soft environment only slowly (the gap in the region's reputation is small after a year and grows),
    and more contacted prospects negotiate, local firms bring more partners and more projects are signed."""
    import numpy as np

    from sim.model import build_model

    shares = {"budget.shares.atmosphere": 0.3, "budget.shares.incentive_fund": 0.35}
    gap12, gap_end, out = [], [], {}
    for effect in (0.0, None):
        spec = small().with_overrides({**shares, **({} if effect is None else {"policy.atmosphere_effect": effect})})
        runs = []
        for seed in SEEDS:
            m = build_model(spec.params, seed=seed)
            m.run_for(12)
            soft12 = m.reputation["soft"]
            m.run_until(m.horizon)
            pl = m.investors.pipeline
            runs.append((soft12, m.reputation["soft"], m.counters.negotiations_started / (pl.contact_month >= 0).sum(),
                         m.counters.partner_leads, int((pl.signed_month >= 0).sum())))
        out[effect] = np.array(runs, dtype=float)
    off, on = out[0.0], out[None]
    gap12, gap_end = (on[:, 0] - off[:, 0]).mean(), (on[:, 1] - off[:, 1]).mean()
    assert gap_end > 0.03 and gap_end > 3 * abs(gap12), (gap12, gap_end)
    for col in (2, 3, 4):  # negotiating share, partner leads, projects signed
        assert on[:, col].mean() > off[:, col].mean(), col
