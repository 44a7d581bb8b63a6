"""The region's reported figures that the memo sets beside the model's: one place, each with its source.

Dingxi's yearly signings, signed and arrived capital and new urban jobs (/work/shared/CALIBRATION.md sections B
and F, as docs/SOURCES.md cites them). Reported amounts are upper bounds: a 2016 People's Daily investigation
found projects re-signed up to five times, letters of intent counted as contracts and amounts inflated. Reported
yearly amounts also include projects signed in earlier years, so they compare with the last year of a run whose
pipeline is running, not its first. A figure of one quarter is made yearly by four quarters, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.vocabulary import Pair, pick


@dataclass(frozen=True)
class Reported:
    """A reported yearly figure: the model's output it compares with (its flow in a year, or for jobs the jobs
    added in a year), the value a year (万元 for money), how it was made yearly, and its source."""

    output: str
    value: float
    basis: Pair
    source: Pair

    def basis_text(self, lang: str) -> str:
        """How the yearly value was obtained, in words."""
        return pick(self.basis, lang)

    def source_text(self, lang: str) -> str:
        """Where the figure comes from."""
        return pick(self.source, lang)


DINGXI: tuple[Reported, ...] = (
    Reported("signed_projects", 67 * 4.0,
             ("2023年一季度签约67个，按四个季度折算", "67 signed in the first quarter of 2023, times four"),
             ("中央广播电视总台，2023年", "national radio, 2023")),
    Reported("signed_capital", 1_909_000.0 * 4,
             ("2023年一季度签约190.9亿元，按四个季度折算", "19.09 bn yuan signed in the first quarter of 2023, times four"),
             ("中央广播电视总台，2023年", "national radio, 2023")),
    Reported("arrived_capital", 23_816_900.0 / 5,
             ("“十四五”期间（2021-2025年）省外到位资金2,381.7亿元，按五年平均", "238.2 bn yuan of outside capital "
              "arrived in 2021-2025, a yearly mean"),
             ("《定西日报》，2025年9月16日", "Dingxi Daily, 2025-09-16")),
    Reported("arrived_capital", 679_900.0 * 4,
             ("2023年一季度到位67.99亿元，按四个季度折算", "6.80 bn yuan arrived in the first quarter of 2023, times four"),
             ("中央广播电视总台，2023年", "national radio, 2023")),
    Reported("jobs", 17_127.0,
             ("2022年城镇新增就业（全社会，不只是招商项目）", "new urban jobs in 2022 (all of them, not only from attracted "
              "projects)"),
             ("《定西市2022年国民经济和社会发展统计公报》", "Dingxi statistical bulletin 2022")),
)
"""Dingxi's reported yearly figures (CALIBRATION.md B and F)."""

CAVEAT: Pair = (
    "统计数据只宜作为上限参照：2016年《人民日报》调查发现，同一项目重复签约多达五次、意向书按合同统计、金额虚报；"
    "年度到位资金还包括往年签约的项目。",
    "Reported figures are upper bounds: a 2016 People's Daily investigation found the same project signed up to five "
    "times, letters of intent counted as contracts and amounts inflated; yearly arrivals also include projects signed "
    "in earlier years.")
"""Why the model's figures may lie below the reported ones."""
