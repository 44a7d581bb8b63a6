"""Calibration as inference: the posterior of the parameters no source pins down, given the region's reported figures.

- :mod:`sim.calibration.targets` the reported figures and the same quantities measured on a run;
- :mod:`sim.calibration.priors` the priors, with their ranges and reasons;
- :mod:`sim.calibration.sampler` pyabc's simulations on the project's executors, reproducibly;
- :mod:`sim.calibration.inference` settings, ABC-SMC runs that resume, the posterior;
- :mod:`sim.calibration.posterior` what the posterior says: identifiability, correlations, the predictive check;
- :mod:`sim.calibration.charts` and :mod:`sim.calibration.markdown` the same in charts and in words (also the
  calibration section of docs/PARAMETERS.md and docs/ODD.md);
- :mod:`sim.calibration.report` the posterior predictive runs, the files, and adopting the central point.

``experiments/calibrate.py`` runs it all. The priors sit with the parameters, below the model (``sim.params``
reads them); targets, inference and sampler run the model, so they sit with the experiments; posterior with the
analysis; charts, markdown and report with the presentation (the layers: README, "Layout"). This package's
``__init__`` imports nothing.
"""
