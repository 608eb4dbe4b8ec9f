"""Record (or check) golden outputs: the model's results, to the bit, at a fixed commit.

A behaviour-preserving change (a refactoring, a speed-up) must leave every file here
unchanged. A change that means to move a number regenerates them in the same commit and says
why in its message::

    .venv/bin/python tests/golden/record.py          # rewrite tests/golden/data/
    .venv/bin/python tests/golden/record.py --check  # what tests/test_golden.py does

Only the public API is used (``netsim.load_scenario``, ``simulate``, ``compare``,
``sweep``), so the recorder runs unchanged on both sides of a refactoring.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import netsim

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
REPO = HERE.parent.parent
SCENARIOS = REPO / "scenarios"

#: Every shipped scenario but the 45,000-employee one, one year, seed 3.
NAMES = (
    "baseline",
    "auto_enrollment",
    "goal_driven",
    "leader_forum_redesign",
    "isolated_specialists",
    "evaluate_and_close",
    "own_organisation",
)
YEARS, SEED = 1.0, 3
#: Tables small enough to keep whole (readable diffs); the others are kept as digests.
WHOLE = ("meetings", "reviews")

EXPERIMENT = """
name = "golden_sweep"
scenario = "{base}"
replications = 2
seed = 5
years = 0.5
outcomes = ["total_hours_year", "attendance_decay", "knowledge_gain"]

[parameters."networks.leader_networks.goal_clarity"]
values = [0.2, 0.8]
"""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def outputs() -> dict[str, str]:
    """File name -> contents of every golden output."""
    out: dict[str, str] = {}
    for name in NAMES:
        sc = netsim.load_scenario(SCENARIOS / f"{name}.toml")
        res = netsim.simulate(sc, seed=SEED, years=YEARS, trace=(name == "auto_enrollment"))
        out[f"{name}.summary.json"] = json.dumps(res.summary, indent=1, default=str) + "\n"
        tables = {
            "meetings": res.meetings,
            "weekly": res.weekly,
            "employees": res.employees,
            "attendance": res.attendance,
            "reviews": res.reviews,
            "knowledge": res.knowledge,
            "bridging": res.bridging,
        }
        digests = {}
        for key, frame in tables.items():
            if frame is None:
                continue
            text = frame.to_csv(index=False)
            if key in WHOLE:
                out[f"{name}.{key}.csv"] = text
            digests[key] = _digest(text)
        if res.knowledge_by_employee is not None:
            digests["knowledge_by_employee"] = hashlib.sha256(
                res.knowledge_by_employee.tobytes()
            ).hexdigest()
        out[f"{name}.digests.json"] = json.dumps(digests, indent=1, sort_keys=True) + "\n"

    auto = netsim.load_scenario(SCENARIOS / "auto_enrollment.toml")
    goal = netsim.load_scenario(SCENARIOS / "goal_driven.toml")
    auto_y = auto.model_copy(
        update={"simulation": auto.simulation.model_copy(update={"years": 0.5})}
    )
    goal_y = goal.model_copy(
        update={"simulation": goal.simulation.model_copy(update={"years": 0.5})}
    )
    frame = netsim.compare([auto_y, goal_y], reps=3, seed=2, workers=1)
    out["compare.csv"] = frame.to_csv(index=False)

    with tempfile.TemporaryDirectory() as tmp:
        exp = Path(tmp) / "golden_sweep.toml"
        exp.write_text(EXPERIMENT.format(base=(SCENARIOS / "auto_enrollment.toml").as_posix()))
        rows = netsim.sweep(netsim.load_experiment(exp), workers=1, db=Path(tmp) / "g.sqlite")
        keep = [c for c in rows.columns if c not in ("key", "seconds", "finished", "error")]
        out["sweep.csv"] = rows[keep].to_csv(index=False)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    args = ap.parse_args()
    got = outputs()
    if args.check:
        bad = [k for k, v in got.items() if (DATA / k).read_text() != v]
        missing = sorted({p.name for p in DATA.iterdir()} - set(got))
        for k in bad + missing:
            print(f"differs: {k}")
        return 1 if bad or missing else 0
    DATA.mkdir(exist_ok=True)
    for old in DATA.iterdir():
        old.unlink()
    for k, v in got.items():
        (DATA / k).write_text(v)
    print(f"wrote {len(got)} files to {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
