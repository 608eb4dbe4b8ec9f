"""The picture commands of ``netsim``: ``plot``, ``report``, ``teach`` and ``explain``.

:mod:`netsim.cli` adds these parsers and hands the parsed arguments here; the work is done
by :mod:`netsim.show.figures`, :mod:`netsim.show.report`, :mod:`netsim.show.teach` and
:mod:`netsim.show.explain`. Errors a user can cause are :class:`~netsim.errors.NetsimError`, which
the CLI prints on one line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from netsim.errors import NetsimError

__all__ = ["COMMANDS", "add_parsers", "run"]

#: The subcommands this module adds to ``netsim``.
COMMANDS = ("plot", "report", "teach", "explain")


def add_parsers(
    sub: Any,
    *,
    seed: Callable[[str], int],
    count: Callable[[str], int],
    years: Callable[[str], float],
) -> None:
    """Add the picture subcommands to ``netsim``'s subparsers (types from :mod:`netsim.cli`)."""
    plot = sub.add_parser("plot", help="write the figures that fit a result directory or database")
    plot.add_argument("path", type=Path, metavar="RESULT_DIR_OR_DB")
    plot.add_argument(
        "--out", type=Path, default=Path("figures"), metavar="DIR", help="default: figures"
    )

    rep = sub.add_parser("report", help="one self-contained HTML report comparing scenarios")
    rep.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="the first is the reference")
    rep.add_argument("--reps", type=count, default=20, help="replications (default 20)")
    rep.add_argument("--seed", type=seed, default=1, help="seed of replication 1 (default 1)")
    rep.add_argument("--years", type=years, help="horizon in years (overrides the files)")
    rep.add_argument("--workers", type=count, help="worker processes (default: all cores)")
    rep.add_argument("--lang", choices=("en", "da"), default="en")
    rep.add_argument(
        "-o", "--out", type=Path, default=Path("report.html"), help="default: report.html"
    )

    teach = sub.add_parser("teach", help="an offline interactive teaching page (one HTML file)")
    teach.add_argument(
        "--out", "-o", type=Path, default=Path("teach.html"), help="default: teach.html"
    )
    teach.add_argument("--lang", choices=("en", "da"), default="en")
    teach.add_argument("--seed", type=seed, default=3, help="seed of every run (default 3)")
    teach.add_argument(
        "--workers", type=count, help="worker processes for the grid (default: all cores)"
    )

    exp = sub.add_parser(
        "explain",
        help="why one employee came to each meeting, or did not; --list: whom to ask about",
    )
    exp.add_argument("scenario", metavar="SCENARIO")
    who = exp.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--employee",
        metavar="ID",
        help="employee id: the HR file's (column id) where the organisation comes from one, "
        "else netsim's 0 to N-1",
    )
    who.add_argument(
        "--list",
        action="store_true",
        help="per network, the members who kept coming and those who stopped",
    )
    exp.add_argument("--seed", type=seed, help="seed (default: the scenario's simulation.seed)")
    exp.add_argument("--years", type=years, help="horizon in years (overrides the file)")
    exp.add_argument("--lang", choices=("en", "da"), default="en")


def _write(path: Path, text: str) -> None:
    from netsim.sim.result import atomic_write_text

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, text)
    except OSError as exc:
        raise NetsimError(f"{path}: cannot write ({exc.strerror})") from None


def _plot(args: argparse.Namespace) -> int:
    from netsim.show.figures import plot_path

    for path in plot_path(args.path, args.out):
        print(path)
    return 0


def _report(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from netsim.cli.common import load_all, progress_bar
    from netsim.show.report import build_report
    from netsim.study.runner import replicate

    scenarios = load_all(args.scenarios, args.years)
    with progress_bar("replications") as bar:
        task = bar.add_task("run", total=None, failed=0)
        runs = replicate(
            scenarios,
            reps=args.reps,
            seed=args.seed,
            workers=args.workers,
            keep="result",
            kernels=args.kernels,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    html = build_report(runs, seed=args.seed, lang=args.lang, command=["netsim", *argv])
    _write(args.out, html)
    print(args.out)
    return 0


def _teach(args: argparse.Namespace) -> int:
    from netsim.show.teach import make_teach_page

    html = make_teach_page(
        lang=args.lang, seed=args.seed, workers=args.workers, kernels=args.kernels
    )
    _write(args.out, html)
    print(args.out)
    return 0


def _explain(args: argparse.Namespace) -> int:
    from netsim.scenario.load import load_scenario
    from netsim.show.explain import explain_text
    from netsim.sim.model import simulate

    sc = load_scenario(args.scenario)
    result = simulate(sc, seed=args.seed, years=args.years, trace=True, kernels=args.kernels)
    if not args.list:
        print(explain_text(result, args.employee, lang=args.lang))
        return 0
    from rich.markup import escape

    from netsim.cli.common import stdout_console
    from netsim.show.explain import KEPT_AFTER, who_is_worth_explaining
    from netsim.show.terminal import members_table
    from netsim.show.texts import say

    frame = who_is_worth_explaining(result)
    console = stdout_console()
    if frame.empty:
        console.print(escape(say("explain.list.none", args.lang, name=sc.name)))
        return 0
    console.print(members_table(frame, args.lang))
    console.print(escape(say("explain.list.rule", args.lang, k=KEPT_AFTER)))
    console.print(escape(say("explain.list.hint", args.lang, scenario=args.scenario)))
    return 0


def run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Run one of :data:`COMMANDS`; returns the exit status."""
    if args.command == "plot":
        return _plot(args)
    if args.command == "report":
        return _report(args, argv)
    if args.command == "teach":
        return _teach(args)
    return _explain(args)
