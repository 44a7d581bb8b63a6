"""Running one scenario and writing its outputs: monthly table, summary, resolved parameters, chart, manifest (``sim run``)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

from sim.files import atomic_write_text
from sim.model import simulate
from sim.provenance import environment
from sim.report.charts import pipeline_chart
from sim.scenario import ScenarioSpec


def run_and_write(spec: ScenarioSpec, seed: int, out: Path, lang: str = "zh") -> dict:
    """Run ``spec`` with ``seed`` and write monthly.csv, summary.json, params.json, pipeline.png and manifest.json."""
    started = datetime.now(UTC).isoformat(timespec="seconds")

    result = simulate(spec, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    cols = list(result.monthly)
    rows = zip(*(result.monthly[c].tolist() for c in cols), strict=True)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    w.writerows(rows)
    atomic_write_text(out / "monthly.csv", buf.getvalue())
    atomic_write_text(out / "summary.json", json.dumps(result.summary, indent=2, ensure_ascii=False))
    atomic_write_text(out / "params.json", json.dumps(spec.params.model_dump(mode="json"), indent=2, ensure_ascii=False))
    pipeline_chart(result.monthly, out / "pipeline.png", lang=lang, title_name=spec.label(lang))
    manifest = {"scenario": spec.name, "scenario_file": spec.path, "extends_chain": list(spec.chain), "seed": seed,
                "config_hash": spec.config_hash(), "started": started,
                "finished": datetime.now(UTC).isoformat(timespec="seconds"), **environment()}
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return result.summary
