"""Calibrate the attendance decision's intercept to the article's 35 hours.

The article behind netsim reports that automatic enrollment of every leader in a leader
network costs each leader about 35 hours a year, "nearly a working week". The meeting
schedule of ``scenarios/auto_enrollment.toml`` is the article's (every four weeks, three
hours plus an hour of travel and one of preparation); how many of those hours are actually
spent depends on attendance, whose baseline willingness (``attendance.intercept``) nobody has
measured. This script fits that one number so that the mean ``hours_per_leader_year`` of
``auto_enrollment`` over seeds 1-20 is 35, with scipy's Brent root finder::

    .venv/bin/python experiments/calibrate_attendance.py

prints the hours at the current default, the calibrated intercept (rounded to 2 decimals, the
value to write into ``netsim.scenario.schema.Attendance.intercept``) and the hours it gives.
The decay of attendance, the share who find the network worth it and every other fact are
then measured, not fitted (docs/calibration.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.optimize import brentq

import netsim
from netsim.scenario.load import with_overrides

TARGET = 35.0
SEEDS = range(1, 21)
AUTO = Path(__file__).resolve().parent.parent / "scenarios" / "auto_enrollment.toml"


def hours(intercept: float) -> float:
    """Mean hours per leader a year of auto_enrollment over the seeds, at ``intercept``."""
    sc = with_overrides(netsim.load_scenario(AUTO), {"attendance.intercept": intercept})
    return float(np.mean([netsim.simulate(sc, seed=s).summary["hours_per_leader_year"]
                          for s in SEEDS]))  # fmt: skip


def main() -> None:
    default = netsim.load_scenario(AUTO).attendance.intercept
    print(f"at intercept {default}: {hours(default):.2f} hours per leader a year")
    fitted = brentq(lambda b: hours(b) - TARGET, default - 3.0, default + 1.0, xtol=1e-3)
    calibrated = round(fitted, 2)
    print(f"calibrated to {TARGET:g} hours: intercept {calibrated} -> {hours(calibrated):.2f}")


if __name__ == "__main__":
    main()
