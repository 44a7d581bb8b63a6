"""Choosing a strategy rather than comparing a few: entry points of the robust allocation search
(:mod:`sim.experiment.optimise`), scenario discovery (:mod:`sim.analysis.discovery`) and the policy page
(:mod:`sim.report.policy`)."""
