"""The scenario explorer: a local web page (Solara, with Mesa's update machinery) to pull a scenario's levers and watch it run.

``sim explore`` starts it (:mod:`sim.app.serve`); the page is :mod:`sim.app.app`.
"""
