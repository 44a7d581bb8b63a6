"""The model as its mechanisms see it: the interface they take as ``m``, so no mechanism imports the model class.

The model (``sim.model.model.AttractionModel``) imports every mechanism; a mechanism that imported the model back,
even for a type hint, would close an import cycle. ``ModelState`` names what they share: the run's parameters,
the month, the investor table, the ledger, the governments, departments and random streams; any other attribute of
the model is reached through ``__getattr__`` (typed ``Any``).
"""

from __future__ import annotations

from typing import Any, Protocol


class ModelState(Protocol):
    """The state of one run that the mechanisms read and change (``sim.model.model.AttractionModel`` provides it)."""

    p: Any  # the run's parameters (sim.params.Params)
    t: int  # the month
    investors: Any  # the investor table (sim.model.investors.InvestorTable)
    ledger: Any  # the budget's accounts (sim.model.budget.Ledger)
    governments: list  # the city and the counties (sim.model.agents.Government)
    departments: list  # the approval chain (sim.model.agents.Department)
    streams: Any  # the named random streams (sim.model.streams.Streams)

    def __getattr__(self, name: str) -> Any: ...
