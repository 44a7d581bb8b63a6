"""What each effect hinges on: the sentences of the memo's "how sure we are" part about the assumptions that move
the results most.

This is the one place the memo asks (:func:`hinge_sentences`). Today the sentences come from the sensitivity
screening run beside the comparison (Morris: an assumption's mean absolute elementary effect, the change of an
output as the assumption moves across its plausible range; Sobol': its total-order index), and each is set beside
the size of the effect of the strategy the memo leads with, so a reader sees whether an unknown matters more than
the decision. A screening of every assumption, with its own sentences, can answer here instead.
"""

from __future__ import annotations

import html
import math

from sim.model import registry
from sim.paramdoc import param_label
from sim.report import numbers as nb
from sim.report.figures import Figures


def top_assumptions(sens: dict | None, output: str) -> list[dict]:
    """The screening's rows for ``output`` at its baseline, most influential first ([] without a screening)."""
    if not sens or not sens.get("sensitivity", {}).get("available"):
        return []
    rows = [r for r in sens["sensitivity"].get("indices", []) if r["output"] == output]
    base = sens.get("baseline")
    rows = [r for r in rows if r.get("scenario") == base] or rows
    key = "ST" if rows and rows[0].get("method") == "sobol" else "mu_star"
    return sorted(rows, key=lambda r: -(r.get(key) or 0.0))


def _range(sens: dict, parameter: str) -> tuple[float, float] | None:
    for d in (sens["sensitivity"].get("design") or {}).get("parameter_docs", []):
        if d.get("parameter") == parameter and d.get("low") is not None:
            return float(d["low"]), float(d["high"])
    return None


def hinge_sentences(sens: dict | None, fg: Figures, lead: str | None, lang: str, lead_label: str = "") -> list[str]:
    """For each headline output, the assumption it depends on most and how far it moves the output across its
    plausible range, beside the effect of ``lead`` (named ``lead_label``, HTML) on the output (HTML, one sentence
    each)."""
    out = []
    zh = lang == "zh"
    for o in fg.an.get("headline_outputs", []):
        rows = top_assumptions(sens, o)
        if not rows:
            continue
        r = rows[0]
        name = html.escape(param_label(r["parameter"], lang))
        oname = html.escape(registry.phrase(o, lang))
        rng = _range(sens, r["parameter"])
        span = (f"（在{nb.number(rng[0], 2)}至{nb.number(rng[1], 2)}之间）" if zh else
                f" (from {nb.number(rng[0], 2)} to {nb.number(rng[1], 2)})") if rng else ""
        if r.get("method") == "sobol":
            size = fg.number(f"hinge/{o}/{r['parameter']}", r["ST"], 2)
            text = (f"{oname}的波动中，「{name}」的总效应指数为{size}，在所有不确定假设中最大。" if zh else
                    f"Of the variation in {oname}, {name.lower()} accounts for a total-order index of {size}, "
                    "the largest of the uncertain assumptions.")
        else:
            mu = r.get("mu_star")
            if mu is None or not math.isfinite(mu):
                continue
            size = fg.fmt(f"hinge/{o}/{r['parameter']}", o, mu, effect=True, sign=False)
            text = (f"{oname}最受「{name}」影响：这一假设在合理范围内{span}变动，{oname}平均变动约{size}" if zh else
                    f"What moves {oname} most is {name.lower()}: across its plausible range{span}, it moves "
                    f"{oname} by about {size} on average")
            e = fg.effect(lead, o) if lead else None
            if e and e.get("effect") and abs(e["effect"]) > 0 and mu > 0:
                ratio = mu / abs(e["effect"])
                if ratio >= 1:
                    times = fg.number(f"hinge/{o}/{r['parameter']}/ratio", ratio, 0 if ratio >= 10 else 1)
                    text += (f"，是{lead_label}效果的{times}倍" if zh else f", {times} times the effect of {lead_label}")
                else:
                    pct = fg.number(f"hinge/{o}/{r['parameter']}/percent", 100 * ratio, 0)
                    text += (f"，相当于{lead_label}效果的{pct}%" if zh else f", {pct}% of the effect of {lead_label}")
            text += "。" if zh else "."
        out.append(text)
    return out
