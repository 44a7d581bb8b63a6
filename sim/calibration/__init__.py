"""Calibration as inference: the posterior of the parameters no source pins down, given the Gansu figures.

- :mod:`sim.calibration.targets` the reported figures and the same quantities measured on a run;
- :mod:`sim.calibration.priors` the priors, with their ranges and reasons;
- :mod:`sim.calibration.sampler` pyabc's simulations on the project's executors, reproducibly;
- :mod:`sim.calibration.inference` settings, ABC-SMC runs that resume, the posterior;
- :mod:`sim.calibration.report` posterior predictive check, identifiability, and adopting the central point.

``experiments/calibrate.py`` runs it all. This package imports nothing heavy on import: ``sim.params`` reads
the priors from it.
"""
