"""Reading charts in tests as an official would: every figure saved while a test runs, with what makes it hard to
read (``sim.report.style.text_overlaps``), its smallest type at the text width and its strategies' markers."""

from __future__ import annotations

from pathlib import Path

import matplotlib.figure

from sim.report import experiment_charts as ec
from sim.report import style


class Drawn:
    """Every figure saved while it is active (``monkeypatch`` undoes it): by file name (and order), its problems,
    the smallest type size at the text width, its width in inches, and per axes its markers (colour, marker)."""

    def __init__(self, monkeypatch) -> None:
        self.figures: dict[str, dict] = {}
        original = matplotlib.figure.Figure.savefig

        def savefig(fig, path, *args, **kwargs):
            self.figures[Path(path).name + f"@{len(self.figures)}"] = {
                "problems": style.text_overlaps(fig), "pt": style.smallest_print_pt(fig, ec.TEXT_WIDTH),
                "width": fig.get_size_inches()[0],
                "markers": [[(ln.get_color(), ln.get_marker()) for ln in ax.lines
                             if ln.get_marker() not in (None, "", "None", "|", "_")] for ax in fig.axes]}
            return original(fig, path, *args, **kwargs)

        monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)

    def problems(self) -> dict[str, list[str]]:
        """The figures that are hard to read, with why."""
        return {name: d["problems"] for name, d in self.figures.items() if d["problems"]}
