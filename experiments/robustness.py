"""Are the stylised facts robust? Each fact measured at other organisation sizes and with each
behavioural parameter moved by ±30 % one at a time (issue 16, 5 (c) and (d)); a parameter
that says how much is kept per step (:data:`RETENTIONS`) has its loss moved instead.

For every *variant* (500 or 5,000 employees instead of 2,000; or one parameter of
:data:`PARAMETERS` times 0.7 or 1.3, kept inside the schema's bounds) the whole of
``experiments/stylised_facts.py`` runs again with the same replications and seeds, every
scenario of every fact (its arms and ablations included) carrying the variant's overrides.
The calibrated numbers (``attendance.intercept``, ``work.problems_per_day``) are not moved:
they are fitted to the article's 35 hours and the published problem load, not assumed. Nor
are the worth-it lines (``leave_threshold``, ``join_threshold``: one hour saved per hour spent
is the definition of worth it, not a behavioural assumption).

::

    .venv/bin/python experiments/robustness.py --workers 2     # about 40 minutes on 2 cores

Each finished variant is saved at once to ``results/robustness.json``, so an interrupted run
resumes where it stopped; the table goes into ``docs/calibration.md`` between the
``robustness`` markers.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import netsim

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stylised_facts as sf

START, END = "<!-- robustness:start -->", "<!-- robustness:end -->"
DEFAULT_OUT = sf.REPO / "results" / "robustness.json"
SIZES = (500, 5000)
#: The behavioural parameters: who comes, what they learn, how knowledge travels, how work
#: varies between people. Each is moved ±30 % with everything else at the defaults.
PARAMETERS = (
    "attendance.value_weight",
    "attendance.obligation_weight",
    "attendance.room_weight",
    "attendance.pressure_weight",
    "attendance.hours_weight",
    "attendance.obligation_fade_per_meeting",
    "attendance.obligation.invitation",
    "attendance.prior_value",
    "attendance.prior_value_sd",
    "attendance.value_learning_rate",
    "attendance.hearsay_weight",
    "attendance.leave_after_meetings",
    "learning.lecture_rate",
    "learning.peer_rate",
    "learning.base_efficiency",
    "learning.clarity_efficiency",
    "learning.facilitation_efficiency",
    "learning.forgetting_per_year",
    "learning.tie_rate",
    "learning.lecture_tie_share",
    "learning.alliance_hours_per_tie",
    "diffusion.talk_prob_per_day",
    "diffusion.gap_share",
    "diffusion.tie_decay_per_week",
    "work.problems_sd",
)
FACTORS = (0.7, 1.3)
#: Parameters that say how much is *kept* per step: their loss (one minus them) is moved, so
#: that 0.9 kept becomes 0.87 or 0.93, not 0.63 or more than all.
RETENTIONS = frozenset({"attendance.obligation_fade_per_meeting"})


def _default(path: str) -> tuple[float, float | None]:
    """A parameter's default and its upper bound (None: unbounded above)."""
    model: Any = netsim.Scenario()
    *tables, field = path.split(".")
    for table in tables:
        model = getattr(model, table)
    info = type(model).model_fields[field]
    upper = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    return getattr(model, field), upper


def variants() -> list[tuple[str, dict[str, Any]]]:
    """Every variant: a label and its overrides."""
    out: list[tuple[str, dict[str, Any]]] = [
        (f"{n:,} employees", {"organisation.employees": n}) for n in SIZES
    ]
    for path in PARAMETERS:
        default, upper = _default(path)
        for factor in FACTORS:
            if path in RETENTIONS:
                value: float = round(1 - (1 - default) * factor, 10)
            else:
                value = round(default * factor, 10)
            if isinstance(default, int):
                value = max(1, round(value))
            note = ""
            if upper is not None and value > upper:
                value, note = upper, f" (capped at {upper:g})"
            out.append((f"`{path}` {default:g} → {value:g}{note}", {path: value}))
    return out


def measure(
    label: str, overrides: dict[str, Any], reps: int, seed: int, only: list[int] | None = None
) -> dict[str, Any]:
    """Every fact (or those of ``only``) under one variant, as plain data."""
    sf.VARIANT = overrides
    try:
        facts = sf.all_facts(reps, seed, only)
    finally:
        sf.VARIANT = {}
    return {
        "label": label,
        "overrides": overrides,
        "facts": [
            {
                "number": f.number,
                "holds": f.holds,
                "measures": [
                    {
                        "name": m.name,
                        "mean": m.mean,
                        "lo": m.ci_low,
                        "hi": m.ci_high,
                        "n": m.n,
                        "holds": m.holds,
                    }
                    for m in f.measures
                ],
            }
            for f in facts
        ],
    }


def _baseline(reps: int, seed: int, only: list[int] | None = None) -> dict[int, set[str]]:
    """Per fact, the names of the measures that fail at the defaults."""
    return {
        f.number: {m.name for m in f.measures if not m.holds}
        for f in sf.all_facts(reps, seed, only)
    }


def _first_names(done: dict[str, dict[str, Any]], numbers: list[int]) -> list[str]:
    """Per fact, its first measure's name as the saved variants give it."""
    names = {n: f"F{n}" for n in numbers}
    for variant in done.values():
        for f in variant["facts"]:
            names[f["number"]] = f"F{f['number']}: {f['measures'][0]['name']}"
    return [names[n] for n in numbers]


def render(
    done: dict[str, dict[str, Any]],
    order: list[str],
    base: dict[int, set[str]],
    only: list[int] | None = None,
) -> str:
    """The robustness table: per variant, each fact's verdict and what changed."""
    numbers = sorted(base) if only else list(range(1, 7))
    which = "every fact" if not only else "fact " + ", ".join(str(n) for n in numbers)
    command = "python experiments/robustness.py" + (
        " --facts " + " ".join(str(n) for n in numbers) if only else ""
    )
    reps = "20 replications, fact 4 40" if 4 in numbers else "20 replications"
    lines = [
        f"Each row runs {which} again ({reps}, seeds from 1) with one "
        f"change from the defaults, by `{command}`. A fact's cell is "
        "*yes* when all its measures hold, as in the facts table; **no** when one fails. "
        "*Changed* lists the measures that hold at the defaults and fail here (↓), or fail "
        "at the defaults and hold here (↑), with their mean and 95 % CI.",
        "",
        "| variant | "
        + " | ".join(f"F{n}" for n in numbers)
        + (" | " + " | ".join(_first_names(done, numbers)) if only else "")
        + " | changed from the defaults |",
        "| --- | "
        + " | ".join("---" for _ in numbers)
        + (" | " + " | ".join("---" for _ in numbers) if only else "")
        + " | --- |",
    ]
    for label in order:
        if label not in done:
            continue
        cells, changed, values = [], [], []
        for f in done[label]["facts"]:
            cells.append("yes" if f["holds"] else "**no**")
            m0 = f["measures"][0]
            values.append(f"{sf._fmt(m0['mean'])} [{sf._fmt(m0['lo'])}, {sf._fmt(m0['hi'])}]")
            for m in f["measures"]:
                was_ok = m["name"] not in base.get(f["number"], set())
                if m["holds"] != was_ok:
                    arrow = "↑" if m["holds"] else "↓"
                    changed.append(
                        f"{arrow} F{f['number']} {m['name']}: {sf._fmt(m['mean'])} "
                        f"[{sf._fmt(m['lo'])}, {sf._fmt(m['hi'])}]"
                    )
        shown = cells + values if only else cells
        lines.append(f"| {label} | {' | '.join(shown)} | {'; '.join(changed) or '—'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="saved variants (JSON)")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave the doc")
    parser.add_argument(
        "--facts",
        type=int,
        nargs="+",
        choices=range(1, 7),
        help="only these facts, saved and written apart (default: every fact)",
    )
    args = parser.parse_args(argv)
    only = sorted(set(args.facts)) if args.facts else None
    start, end = START, END
    if only:
        suffix = "-".join(f"F{n}" for n in only)
        start, end = f"<!-- robustness-{suffix}:start -->", f"<!-- robustness-{suffix}:end -->"
        if args.out == DEFAULT_OUT:
            args.out = DEFAULT_OUT.with_name(f"robustness-{suffix}.json")
    todo = variants()
    order = [label for label, _ in todo]
    done: dict[str, dict[str, Any]] = {}
    if args.out.exists():
        saved = json.loads(args.out.read_text(encoding="utf-8"))
        if saved.get("reps") == args.reps and saved.get("seed") == args.seed:
            done = {v["label"]: v for v in saved["variants"]}
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        data = {"reps": args.reps, "seed": args.seed, "variants": list(done.values())}
        tmp = args.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        tmp.replace(args.out)

    remaining = [(label, o) for label, o in todo if label not in done]
    print(f"{len(done)} of {len(todo)} variants done; {len(remaining)} to run", flush=True)
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [
            pool.submit(measure, label, o, args.reps, args.seed, only) for label, o in remaining
        ]
        for future in as_completed(futures):
            result = future.result()
            done[result["label"]] = result
            save()
            print(f"{len(done)} of {len(todo)}: {result['label']}", flush=True)
    table = render(done, order, _baseline(args.reps, args.seed, only), only)
    print(table)
    if not args.no_doc:
        sf.update_doc(table, start=start, end=end)
    return 0


if __name__ == "__main__":
    sys.exit(main())
