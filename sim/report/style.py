"""One print-friendly chart style, with Chinese glyphs from an open-licence CJK font.

The CJK font is Debian's ``fonts-noto-cjk`` (SIL Open Font License), installed
by ``scripts/install-system.sh``. Latin text uses DejaVu Sans and falls back
per glyph to Noto Sans CJK SC (selected by family name: by file path one
would get the Japanese face).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

PNG_FAST = {"compress_level": 1}
"""PNG options for charts: light zlib compression (a chart is saved in about two thirds of the time and its file is
about 40% larger; the PDF re-compresses its images anyway)."""

CJK_FAMILY = "Noto Sans CJK SC"
CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)
PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#bf9000", "#a5a5a5", "#843c0c", "#385723")
_done = False


class FontMissing(RuntimeError):
    """The CJK font is not installed (run scripts/install-system.sh)."""


def setup(require_cjk: bool = True) -> None:
    """Register the CJK font and the house style with matplotlib (idempotent)."""
    global _done
    if _done:
        return
    found = [f for f in CJK_FILES if Path(f).is_file()]
    if not found and require_cjk:
        raise FontMissing(f"{CJK_FILES[0]}: key 'font': expected the Noto Sans CJK font (scripts/install-system.sh), found none")
    # matplotlib's font cache usually knows the system's Noto CJK already; registering the files again parses two
    # 20 MB font collections (seconds), so only when the family is not known.
    known = {e.name for e in font_manager.fontManager.ttflist}
    if CJK_FAMILY not in known:
        for f in found:
            font_manager.fontManager.addfont(f)
    plt.rcParams.update({
        "font.family": ["DejaVu Sans", CJK_FAMILY] if found else ["DejaVu Sans"],
        "axes.unicode_minus": False,
        "pdf.fonttype": 3,
        "svg.fonttype": "path",
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    })
    _done = True
