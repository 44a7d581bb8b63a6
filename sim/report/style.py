"""One print-friendly chart style, with Chinese glyphs from an open-licence CJK font, a colour and a marker for
every strategy, and the checks that a chart can be read (:func:`text_overlaps`, :func:`smallest_print_pt`).

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
"""The house colours (headings, bars of one kind, the explorer's lines)."""

STRATEGY_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#332288", "#882255",
                    "#999933", "#117733", "#AA4499", "#44AA99", "#CC6677", "#661100")
"""One colour per strategy (the baseline excepted): the Okabe-Ito colours without yellow and black, then Paul Tol's
muted ones, all dark enough for a marker on white; colour-blind safe among the first six, told apart by their
markers beyond (``STRATEGY_MARKERS``)."""
STRATEGY_MARKERS = ("s", "^", "D", "v", "P", "X", "h", "<", ">", "p", "*", "d", "8", "H")
"""One marker per strategy, in step with ``STRATEGY_COLOURS`` (the baseline's circle is its own)."""
BASELINE_COLOUR, BASELINE_MARKER = "#555555", "o"

MIN_PRINT_PT = 7.0
"""Smallest type size, in points as printed, of any text of a chart: a chart is drawn at the width it is printed
at (its print width), so its font sizes are the printed ones."""


def strategy_style(k: int, baseline: bool = False) -> tuple[str, str]:
    """Colour and marker of the ``k``-th strategy other than the baseline (from 0), or of the baseline: each of the
    first 14 strategies has a colour and a marker no other has; later ones pair the colours with shifted
    markers, so no two strategies share both."""
    if baseline:
        return BASELINE_COLOUR, BASELINE_MARKER
    n = len(STRATEGY_COLOURS)
    return STRATEGY_COLOURS[k % n], STRATEGY_MARKERS[(k + k // n) % len(STRATEGY_MARKERS)]


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
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "legend.fontsize": 8,
        "legend.frameon": False,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    })
    _done = True


# ----------------------------------------------------------------------------- what a reader sees: the checks
def _shown(t) -> bool:
    return bool(t is not None and t.get_visible() and t.get_text().strip())


def _ticks(axis) -> list:
    """The tick labels an axis draws: visible, with text, at a tick inside the view."""
    lo, hi = sorted(axis.get_view_interval())
    tol = 1e-9 * max(1.0, abs(hi - lo))
    out = []
    for ticks, locs in ((axis.get_major_ticks(), axis.get_majorticklocs()),
                        (axis.get_minor_ticks(), axis.get_minorticklocs())):
        for tick, loc in zip(ticks, locs, strict=False):
            if lo - tol <= loc <= hi + tol:
                out += [t for t in (tick.label1, tick.label2) if _shown(t) and t.get_visible()]
    return out


def texts(fig) -> list[tuple[str, object, object]]:
    """Every text a reader of ``fig`` sees, as (what it says, the artist, the axes it belongs to or None): the
    title and notes, panel titles, axis labels, tick labels, annotations and legends (a legend counts as one)."""
    out = [(t.get_text(), t, None) for t in fig.texts if _shown(t)]
    out += [("legend", lg, None) for lg in fig.legends if lg.get_visible()]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        own = [ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None), *ax.texts]
        if ax.axison:
            own += [ax.xaxis.label, ax.yaxis.label, *_ticks(ax.xaxis), *_ticks(ax.yaxis),
                    ax.xaxis.get_offset_text(), ax.yaxis.get_offset_text()]
        out += [(t.get_text(), t, ax) for t in own if _shown(t)]
        lg = ax.get_legend()
        if lg is not None and lg.get_visible():
            out.append(("legend", lg, ax))
    return out


def _marks(ax, renderer) -> list:
    """Boxes (display units) of the markers drawn in ``ax``: what an annotation or a legend must not hide."""
    from matplotlib.transforms import Bbox

    boxes = []
    for line in ax.lines:
        m = line.get_marker()
        if not line.get_visible() or m in (None, "", " ", "None", "none", "|", "_"):
            continue
        r = line.get_markersize() * renderer.points_to_pixels(1.0) / 2
        xy = line.get_transform().transform(line.get_xydata())
        boxes += [Bbox([[x - r, y - r], [x + r, y + r]]) for x, y in xy if all(map(_finite, (x, y)))]
    return boxes


def _bars(ax, renderer) -> list:
    """Boxes (display units) of the bars drawn in ``ax``: what a legend must not hide."""
    from matplotlib.container import BarContainer

    return [p.get_window_extent(renderer) for c in ax.containers if isinstance(c, BarContainer) for p in c.patches
            if p.get_visible() and p.get_width() != 0 and p.get_height() != 0]


def covered(box, ax, renderer, bars: bool = False) -> bool:
    """True when ``box`` (display units) lies over a marker of ``ax`` or of its twins (or, with ``bars``, a bar)."""
    fig = ax.figure
    for other in fig.axes:
        if _group(other) != _group(ax):
            continue
        if any(overlap(box, m, 0.5) for m in _marks(other, renderer) + (_bars(other, renderer) if bars else [])):
            return True
    return False


def overlap(a, b, pad: float = 0.5) -> bool:
    """True when two boxes (display units) overlap by more than ``pad`` pixels each way."""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > pad) and (min(a.y1, b.y1) - max(a.y0, b.y0) > pad)



def _finite(v) -> bool:
    return v == v and abs(v) != float("inf")


def _group(ax) -> tuple:
    """Axes drawn on the same area (a twin) are one group."""
    return tuple(round(v, 4) for v in ax.get_position().bounds) if ax is not None else ()


def text_overlaps(fig) -> list[str]:
    """What makes ``fig`` hard to read, one line each (empty when nothing does): two texts that overlap (titles,
    panel titles, axis and tick labels, annotations, legends), a text that leaves the figure, a text over the
    plotting area of another panel, an annotation over a marker, a legend over a marker or a bar. Draws the
    figure first."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    items = [(s, a.get_window_extent(renderer), ax) for s, a, ax in texts(fig)]
    edge = fig.bbox
    problems = []

    for i, (s, box, ax) in enumerate(items):
        if box.x0 < edge.x0 - 1 or box.y0 < edge.y0 - 1 or box.x1 > edge.x1 + 1 or box.y1 > edge.y1 + 1:
            problems.append(f"{s!r} leaves the figure")
        for s2, box2, _ in items[i + 1:]:
            if overlap(box, box2):
                problems.append(f"{s!r} overlaps {s2!r}")
        for other in fig.axes:
            if other.get_visible() and other.axison and _group(other) != _group(ax) and overlap(box, other.bbox, 1.0):
                problems.append(f"{s!r} lies over the plotting area of another panel")
    for s, a, ax in texts(fig):
        if ax is None or not (s == "legend" or a in ax.texts):
            continue
        if covered(a.get_window_extent(renderer), ax, renderer, bars=s == "legend"):
            problems.append(f"{s!r} hides a marker" + (" or a bar" if s == "legend" else ""))
    return problems


def smallest_print_pt(fig, print_width: float) -> float:
    """The smallest type size of ``fig``, in points, once it is printed ``print_width`` inches wide."""
    scale = print_width / fig.get_size_inches()[0]
    sizes = []
    for _, a, _ax in texts(fig):
        if hasattr(a, "get_texts"):  # a legend: its entries and its title
            parts = [*a.get_texts(), *([a.get_title()] if _shown(a.get_title()) else [])]
        else:
            parts = [a]
        sizes += [t.get_fontsize() for t in parts]
    return min(sizes) * scale if sizes else float("inf")
