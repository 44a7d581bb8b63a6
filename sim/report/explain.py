"""Every counter-intuitive result explained in one plain sentence with its numbers: the mechanism and what would
reverse it.

Two kinds of result surprise a reader, and both are found in the analysis, not listed by hand:

- a strategy that contains every measure of another (``sim.report.strategies.is_part``) but adds fewer jobs:
  the funnel says why (its money is spread thinner, fewer contacts and signings), and scaling its jobs by the
  contacts of the part says what would reverse it;
- an effect against what the strategy aims at (fewer projects fulfilled, less capital arrived, fewer jobs): the
  decomposition of ``sim.analysis.decompose`` names the withdrawal reasons or the factors of signed capital that
  moved, with what offset them, and the levers that act on the leading reason (``sim.model.vocabulary.REMEDIES``)
  and a strategy with more money for the same measures say what would reverse it;
- a 履约率 that rises for certain mainly because fewer projects were signed (the exact split of the rate's change
  into its numerator's and its denominator's parts, ``sim.analysis.decompose.ratio_split``): the counts say
  that no more projects were fulfilled, and what the rise would be with the signings of the status quo.

Components that round to zero are never listed, and each is stated in its unit (per 100 signed projects, 亿元).
"""

from __future__ import annotations

import html

from sim.analysis.decompose import CAPITAL, RATE, VOLUME_FACTORS
from sim.model import vocabulary
from sim.report import numbers as nb
from sim.report.figures import Figures
from sim.report.strategies import Change, is_part

SHOWN_PP = 0.05
"""Smallest rate component listed (percentage points per 100 signed): smaller ones print as 0.0."""
SHOWN_SHARE = 0.05
"""Smallest capital component listed, as a share of the largest one."""


def _e(text: object) -> str:
    return html.escape(str(text))


def part_phrase(component: str, lang: str) -> str:
    """A component of the decomposition as the thing that moved: "因“审批拖延”撤出的项目", "contacts"."""
    zh = lang == "zh"
    if component in vocabulary.REASON_NAMES:
        return (f"因“{vocabulary.reason(component, lang)}”撤出的" if zh else
                f"projects withdrawn for '{vocabulary.reason(component, lang).lower()}'")
    if component == "waiting":
        return "签约后仍在等待开工的" if zh else "projects still waiting to start"
    if component == "contacts":
        return "接洽的客商" if zh else "prospects contacted"
    if component == "signings_per_contact":
        return "每次接洽带来的签约" if zh else "signings per contact"
    if component == "capital_per_signing":
        return "每个签约项目的投资额" if zh else "capital per signed project"
    return vocabulary.component(component, lang)


def _rate_words(c: dict, fg: Figures) -> str:
    """A rate component: its projects per 100 signed, more or fewer."""
    v = float(c["mean"])
    size = fg.show(f"{c['scenario']}/decomposition/{RATE}/{c['component']}", nb.number(abs(v), 1), v)
    what = part_phrase(c["component"], fg.lang)
    if fg.lang == "zh":
        return f"{what}{'少' if v > 0 else '多'}约{size}个"
    return f"{size} {'fewer' if v > 0 else 'more'} {what} per 100 signed"


def _capital_words(c: dict, fg: Figures) -> str:
    """A capital component: which factor or group moved, and the capital it added or cost."""
    v = float(c["mean"])
    size = fg.money(f"{c['scenario']}/decomposition/{CAPITAL}/{c['component']}", abs(v))
    comp = c["component"]
    zh = fg.lang == "zh"
    if comp in VOLUME_FACTORS:
        what = part_phrase(comp, fg.lang)
        fewer = "less" if comp == "capital_per_signing" else "fewer"
        return (f"{what}{'增加' if v > 0 else '减少'}，到位资金因此{'多' if v > 0 else '少'}约{size}" if zh else
                f"{'more' if v > 0 else fewer} {what}, {size} {'more' if v > 0 else 'less'} capital")
    what = part_phrase(comp, fg.lang)
    return (f"{what}未到位的资金{'少' if v > 0 else '多'}约{size}" if zh else
            f"{size} {'less' if v > 0 else 'more'} capital left unarrived by {what}")


def components(fg: Figures, scenario: str, measure: str) -> tuple[list[dict], list[dict]]:
    """(components that carry the effect, components that offset it), largest first, none that rounds to zero."""
    t = fg.table("decomposition")
    if t.empty:
        return [], []
    rows = t[(t["scenario"] == scenario) & (t["measure"] == measure) & ~t["kind"].isin(["total", "residual"])]
    total = t[(t["scenario"] == scenario) & (t["measure"] == measure) & (t["kind"] == "total")]
    if rows.empty or total.empty:
        return [], []
    sign = 1.0 if float(total["mean"].iloc[0]) >= 0 else -1.0
    recs = rows.to_dict("records")
    floor = SHOWN_PP if measure == RATE else SHOWN_SHARE * max(abs(float(r["mean"])) for r in recs)
    recs = [r for r in recs if abs(float(r["mean"])) >= floor]
    carry = sorted([r for r in recs if sign * r["mean"] > 0], key=lambda r: -abs(r["mean"]))
    offset = sorted([r for r in recs if sign * r["mean"] < 0], key=lambda r: -abs(r["mean"]))
    return carry, offset


def _against(fg: Figures, scenario: str, output: str) -> bool:
    """Whether the effect on ``output`` goes, for certain, against what a strategy aims at (more)."""
    e = fg.effect(scenario, output)
    return bool(e and e.get("significant") and e["effect"] < 0)


def _remedy_evidence(fg: Figures, scenario: str, reason: str, contents: dict[str, list[Change]],
                     label, kind: str) -> str:
    """The levers that act on ``reason`` in the model, and a strategy that takes one of them and does not see
    that reason's withdrawals rise (or, for projects still in the pipeline, ``kind`` "pipeline" of the
    decomposition, no more of them left waiting)."""
    zh = fg.lang == "zh"
    levers = vocabulary.REMEDIES.get(reason, ())
    if not levers:
        return ""
    names = [vocabulary.measure(lv, fg.lang) for lv in levers]
    if zh:
        text = f"模型中对此起作用的措施是{_e('、'.join(names[:-1]) + ('和' if len(names) > 1 else '') + names[-1])}"
    else:
        listed = ", ".join(n.lower() for n in names[:-1]) + (" and " if len(names) > 1 else "") + names[-1].lower()
        text = f"In the model, {_e(listed)} act on it"
    t = fg.table("decomposition")
    for other, changes in contents.items():
        if other == scenario or not any(c.lever in levers for c in changes) or t.empty:
            continue
        row = t[(t["scenario"] == other) & (t["measure"] == RATE) & (t["component"] == reason)]
        if len(row) and float(row["mean"].iloc[0]) > -SHOWN_PP:
            if kind == "pipeline":
                return text + (f"；采取了其中措施的{label(other)}，未开工的项目没有增加" if zh else
                               f"; {label(other)}, which takes one of them, sees no more projects left waiting")
            return text + (f"；采取了其中措施的{label(other)}，这类撤出没有增加" if zh else
                           f"; {label(other)}, which takes one of them, sees no more such withdrawals")
    return text


def _partner(contents: dict[str, list[Change]], scenario: str) -> str | None:
    """The strategy that takes the same measures as ``scenario`` with a different yearly budget (the "same money"
    variants and the strategies they re-spend), if any."""
    mine = {c.key: c.after for c in contents.get(scenario, []) if c.key != "budget.base_transfer"}
    for other, changes in contents.items():
        theirs = {c.key: c.after for c in changes if c.key != "budget.base_transfer"}
        if other != scenario and theirs == mine and mine:
            return other
    return None


def fewer_than_a_part(fg: Figures, contents: dict[str, list[Change]], label) -> list[tuple[float, str]]:
    """Strategies that contain every measure of another yet add clearly fewer jobs: (gap in jobs, sentence)."""
    zh = fg.lang == "zh"
    out = []
    for whole, changes in contents.items():
        ew = fg.effect(whole, "jobs")
        parts = [p for p, pc in contents.items() if p != whole and is_part(pc, changes)]
        parts = [p for p in parts if (e := fg.effect(p, "jobs")) and e.get("significant") and e["effect"] > 0]
        if not ew or not parts:
            continue
        best = max(parts, key=lambda p: fg.effect(p, "jobs")["effect"])
        eb = fg.effect(best, "jobs")
        if not ew["ci_high"] < eb["effect"]:
            continue
        k = lambda s, o: f"{s}/{o}/level"  # noqa: E731
        ja = fg.fmt(f"{whole}/jobs/effect", "jobs", abs(ew["effect"]), with_unit=False)
        jb = fg.fmt(f"{best}/jobs/effect", "jobs", eb["effect"], with_unit=False)
        xa = fg.fmt(k(whole, "prospects_contacted"), "prospects_contacted", fg.level(whole, "prospects_contacted"),
                    with_unit=False)
        xb = fg.fmt(k(best, "prospects_contacted"), "prospects_contacted", fg.level(best, "prospects_contacted"),
                    with_unit=False)
        sa = fg.fmt(k(whole, "signed_projects"), "signed_projects", fg.level(whole, "signed_projects"), with_unit=False)
        sb = fg.fmt(k(best, "signed_projects"), "signed_projects", fg.level(best, "signed_projects"), with_unit=False)
        ca = fg.money(f"{whole}/channels/per_year", fg.per_year(lever_spent(fg, whole, "channels")))
        cb = fg.money(f"{best}/channels/per_year", fg.per_year(lever_spent(fg, best, "channels")))
        d_rate = fg.level(whole, RATE) - fg.level(best, RATE)
        rate = fg.fmt(f"{whole}-{best}/{RATE}/difference", RATE, abs(d_rate), effect=True, sign=False)
        contacts_a, contacts_b = fg.level(whole, "prospects_contacted"), fg.level(best, "prospects_contacted")
        scaled = (fg.level(whole, "jobs") * contacts_b / contacts_a) if contacts_a > 0 else float("nan")
        rev = fg.fmt(f"{whole}/jobs/at_contacts_of/{best}", "jobs", scaled, with_unit=False)
        level_b = fg.fmt(k(best, "jobs"), "jobs", fg.level(best, "jobs"), with_unit=False)
        turns = scaled > fg.level(best, "jobs")
        more = ew["effect"] >= 0
        if zh:
            text = (f"{label(whole)}包含{label(best)}的全部措施，但五年后就业岗位{'只比现状多约' if more else '反而比现状少约'}{ja}个，"
                    f"{'少于' if more else '而'}后者{'的' if more else '多'}约{jb}个。"
                    f"原因是资金被分散到更多项目上：招商渠道经费每年约{ca}（后者约{cb}），接洽客商约{xa}次（后者约{xb}次），"
                    f"签约项目约{sa}个（后者约{sb}个）；履约率虽{'高' if d_rate > 0 else '低'}{rate}，"
                    f"{'也补不回签约数量的差距' if d_rate > 0 else '签约又少'}。"
                    f"若接洽规模与后者相同，按比例推算就业岗位约{rev}个，{'将超过后者的约' + level_b + '个，结论随之反转' if turns else '仍不及后者'}。")
        else:
            text = (f"{label(whole)} takes every measure of {label(best)}, yet "
                    f"{'adds only about ' + ja + ' jobs' if more else 'ends with about ' + ja + ' fewer jobs'} against the "
                    f"status quo, while the latter adds {jb}. Its money is spread over more items: about {ca} a year "
                    f"for promotion channels (the latter {cb}), about {xa} contacts (the latter {xb}) and {sa} "
                    f"signings (the latter {sb}); fulfilment {'higher' if d_rate > 0 else 'lower'} by {rate} "
                    f"{'does not make up for fewer signings' if d_rate > 0 else 'adds to the gap'}. With the "
                    f"latter's contacts, its jobs would be about {rev} in proportion, "
                    f"{'above the latter' + chr(39) + 's ' + level_b + ': the result would turn' if turns else 'still below the latter'}.")
        out.append((float(eb["effect"] - ew["effect"]), text))
    return sorted(out, key=lambda x: -x[0])


def lever_spent(fg: Figures, scenario: str, lever: str) -> float:
    """Money a strategy spent on a lever over the horizon (万元): the baseline's plus its paired change."""
    b = fg.row("spending_by_lever", fg.baseline, lever, by=("scenario", "lever"))
    if b is None:
        return float("nan")
    if scenario == fg.baseline:
        return float(b["spent"])
    s = fg.row("spending_by_lever", scenario, lever, by=("scenario", "lever"))
    return float(b["spent"] + s["d_spent"]) if s is not None else float("nan")


def against_expectation(fg: Figures, contents: dict[str, list[Change]], label) -> list[tuple[float, str]]:
    """Effects on 履约率, arrived capital or jobs that go, for certain, the wrong way: (size, sentence)."""
    zh = fg.lang == "zh"
    out = []
    seen: set[tuple[str, str]] = set()
    for s in fg.scenarios():
        if s == fg.baseline:
            continue
        partner = _partner(contents, s)
        if _against(fg, s, RATE):
            carry, offset = components(fg, s, RATE)
            e = fg.effect(s, RATE)
            size = fg.fmt(f"{s}/{RATE}/effect", RATE, abs(e["effect"]), effect=True, sign=False)
            if carry and (carry[0]["component"], RATE) not in seen:
                seen.add((carry[0]["component"], RATE))
                why = ("，".join if zh else ", ".join)(_rate_words(c, fg) for c in carry[:2])
                off = ("，".join if zh else ", ".join)(_rate_words(c, fg) for c in offset[:2])
                remedy = _remedy_evidence(fg, s, carry[0]["component"], contents, label, carry[0]["kind"])
                if zh:
                    text = f"{label(s)}使履约率降低{size}，与其意图相反。拆开看，每百个签约项目中，{why}" + \
                        (f"；{off}，抵不过前者" if off else "") + "。" + (f"{remedy}。" if remedy else "")
                else:
                    text = f"{label(s)} lowers fulfilment by {size}, against its aim: {why}" + \
                        (f"; against that, {off}, not enough to make up for it" if off else "") + "." + \
                        (f" {remedy}." if remedy else "")
                out.append((abs(e["effect"]) * 100, text))
        jobs_down = _against(fg, s, "jobs")
        if jobs_down or _against(fg, s, CAPITAL):
            carry, offset = components(fg, s, CAPITAL)
            capital_down = _against(fg, s, CAPITAL)
            if capital_down and (not carry or (carry[0]["component"], CAPITAL) in seen):
                continue
            out_name = "jobs" if jobs_down else CAPITAL
            e = fg.effect(s, out_name)
            size = (fg.fmt(f"{s}/jobs/effect", "jobs", abs(e["effect"]), with_unit=False)
                    if jobs_down else fg.money(f"{s}/{CAPITAL}/effect", abs(e["effect"])))
            if capital_down:
                seen.add((carry[0]["component"], CAPITAL))
                why = ("；".join if zh else "; ".join)(_capital_words(c, fg) for c in carry[:2])
            else:
                why = _funnel_words(fg, s)
            if any(c["component"] == "contacts" for c in carry[:2]) or not capital_down:
                why += _channel_words(fg, s)
            what = ("就业岗位比现状少约" + size + "个" if jobs_down else "到位资金比现状少约" + size) if zh else \
                (f"about {size} fewer jobs than the status quo" if jobs_down else f"{size} less capital arrived than the status quo")
            text = (f"{label(s)}五年后{what}：{why}。" if zh else f"{label(s)} ends with {what}: {why}.")
            if not zh:
                text = text[0].upper() + text[1:]
            if partner:
                ep = fg.effect(partner, out_name)
                if ep and ep["effect"] > 0:
                    v = (fg.fmt(f"{partner}/jobs/effect", "jobs", ep["effect"], with_unit=False)
                         if jobs_down else fg.money(f"{partner}/{CAPITAL}/effect", ep["effect"]))
                    what_up = (f"就业岗位则比现状多约{v}个" if jobs_down else f"到位资金则比现状多约{v}") if zh else \
                        (f"about {v} more jobs than the status quo" if jobs_down else f"{v} more capital arrived")
                    text += (f"同样的措施若另加经费、不挤占其他投入（即{label(partner)}），{what_up}。" if zh else
                             f" With the same measures paid from money of their own rather than taken from other "
                             f"items ({label(partner)}), it ends with {what_up}.")
            out.append((abs(e["effect"]) / max(abs(fg.base(out_name)), 1e-9) * 100, text))
    return sorted(out, key=lambda x: -x[0])


def _funnel_words(fg: Figures, s: str) -> str:
    """Contacts and signings of a strategy against the baseline, in a clause."""
    zh = fg.lang == "zh"
    parts = []
    for o, zh_name, unit, en_name in (("prospects_contacted", "接洽客商", "次", "contacts"),
                                      ("signed_projects", "签约项目", "个", "signings")):
        a = fg.fmt(f"{fg.baseline}/{o}/level", o, fg.level(fg.baseline, o), with_unit=False)
        b = fg.fmt(f"{s}/{o}/level", o, fg.level(s, o), with_unit=False)
        parts.append(f"{zh_name}由约{a}{unit}变为约{b}{unit}" if zh else f"{en_name} from about {a} to about {b}")
    return ("，" if zh else ", ").join(parts)


def _channel_words(fg: Figures, s: str) -> str:
    """The change in a strategy's money for promotion channels, the contacts it buys, in a clause ('' if none)."""
    a, b = fg.per_year(lever_spent(fg, fg.baseline, "channels")), fg.per_year(lever_spent(fg, s, "channels"))
    if not (a > 0 and b < 0.98 * a):
        return ""
    ka = fg.money(f"{fg.baseline}/channels/per_year", a)
    kb = fg.money(f"{s}/channels/per_year", b)
    return (f"（招商渠道经费每年由约{ka}减至约{kb}）" if fg.lang == "zh" else
            f" (channel money down from about {ka} to {kb} a year)")


def rate_through_fewer_signings(fg: Figures, label) -> list[tuple[float, str]]:
    """Strategies whose 履约率 rises for certain mainly because fewer projects were signed, not because more were
    fulfilled: (size, sentence). The rise is carried by the denominator when its part of the exact split is the
    larger and goes the effect's way."""
    zh = fg.lang == "zh"
    out = []
    for s in fg.scenarios():
        e = fg.effect(s, RATE)
        if fg.is_baseline(s) or not e or not e.get("significant") or e["effect"] <= 0:
            continue
        keys = ("from_numerator", "from_denominator", "numerator_effect", "denominator_effect")
        if not all(isinstance(e.get(k), int | float) and e[k] == e[k] for k in keys):
            continue
        if not (e["denominator_effect"] < 0 and e["from_denominator"] > 0
                and e["from_denominator"] >= abs(e["from_numerator"])):
            continue
        num, den = e["numerator"], e["denominator"]
        size = fg.fmt(f"{s}/{RATE}/effect", RATE, abs(e["effect"]), effect=True, sign=False)
        signed = fg.fmt(f"{s}/{den}/count_effect", den, abs(e["denominator_effect"]), with_unit=False)
        done = fg.fmt(f"{s}/{num}/count_effect", num, abs(e["numerator_effect"]), with_unit=False)
        part = fg.fmt(f"{s}/{RATE}/from_numerator", RATE, abs(e["from_numerator"]), effect=True, sign=False)
        fewer_done = e["numerator_effect"] < 0
        if zh:
            text = (f"{label(s)}使履约率提高{size}，但主要是因为签约的项目少了：签约项目比现状少约{signed}个，"
                    f"履约项目{'也少约' if fewer_done else '只多约'}{done}个。比率上升不等于办成的项目多了；"
                    f"若签约数量与现状相同，履约率{'反而降低' if e['from_numerator'] < 0 else '只提高'}{part}"
                    f"（即履约项目个数变化带来的部分）。")
        else:
            text = (f"{label(s)} raises fulfilment by {size}, but mainly because fewer projects were signed: about "
                    f"{signed} fewer signings than the status quo, and {'about ' + done + ' fewer' if fewer_done else 'only about ' + done + ' more'} "
                    f"projects fulfilled. A higher rate is not more projects done; with the status quo's signings, "
                    f"fulfilment would {'fall by ' + part + ' instead' if e['from_numerator'] < 0 else 'rise by only ' + part} "
                    "(the part from the projects fulfilled).")
        out.append((abs(e["effect"]) * 100, text))
    return sorted(out, key=lambda x: -x[0])


def explanations(fg: Figures, contents: dict[str, list[Change]], label, limit: int = 6) -> list[str]:
    """The counter-intuitive results of an analysis, each explained in one sentence (HTML), at most ``limit``: a
    strategy that adds fewer jobs than a part of it first, then the two largest rises of 履约率 that come from fewer
    signings, then effects against their aim, largest first. ``label`` gives a strategy's name as the sentence
    shows it."""
    parts = [t for _, t in fewer_than_a_part(fg, contents, label)][:1]
    rates = [t for _, t in rate_through_fewer_signings(fg, label)][:2]
    return (parts + rates + [t for _, t in against_expectation(fg, contents, label)])[:limit]
