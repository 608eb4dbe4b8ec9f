"""The ``netsim`` command: thin wiring of the library's pieces.

Every error a user can cause is printed as one line ``netsim: error: ...`` on stderr with
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from netsim import __version__
from netsim.config import Scenario, Simulation, load_scenario
from netsim.errors import NetsimError, ScenarioError
from netsim.metrics import SUMMARY_NAMES
from netsim.results import json_ready

__all__ = ["main"]

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"netsim: error: {message} (see '{self.prog} --help')\n")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number (got {text!r})") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a positive number (got {text!r})")
    return value


def _years(text: str) -> float:
    """A positive number within the scenario schema's limit for ``simulation.years``.

    The override ends up in the written scenario.toml, which must validate again.
    """
    value = _positive_float(text)
    try:
        Simulation(years=value)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"]
        raise argparse.ArgumentTypeError(f"{msg[0].lower()}{msg[1:]} (got {text!r})") from None
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more (got {text!r})")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``netsim`` command."""
    parser = _Parser(
        prog="netsim",
        description="Simulate designed networks in an organisation: what they cost, who keeps "
        "coming, and what value they create.",
    )
    parser.add_argument("--version", action="version", version=f"netsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run one or more scenarios once and print their summaries")
    run.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario TOML file(s)")
    run.add_argument("--seed", type=_seed, help="seed (default: the scenario's simulation.seed)")
    run.add_argument("--years", type=_years, help="horizon in years (overrides the file)")
    run.add_argument("--out", type=Path, metavar="DIR", help="write results into DIR")
    run.add_argument("--format", choices=("table", "json"), default="table")

    val = sub.add_parser("validate", help="check scenario files")
    val.add_argument("files", nargs="+", metavar="FILE")

    sub.add_parser("schema", help="print the JSON Schema of scenario files")
    return parser


def _load_checked(path: str, seed: int | None = None) -> Scenario:
    """Load a scenario and check what needs the organisation (selectors, quorums)."""
    from netsim.org import build_organisation
    from netsim.rng import Streams
    from netsim.state import build_state

    scenario = load_scenario(path)
    streams = Streams(scenario.simulation.seed if seed is None else seed)
    with _source(path):
        build_state(
            scenario, build_organisation(scenario.organisation, rng=streams.organisation), streams
        )
    return scenario


class _source:
    """Name the file in ScenarioErrors raised from the model, which never sees files."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, ScenarioError) and exc.source != self.path:
            raise ScenarioError(self.path, exc.field, exc.message) from None


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def _print_table(summaries: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="netsim run summary", show_lines=False)
    table.add_column("metric")
    for s in summaries:
        table.add_column(str(s["scenario"]), justify="right")
    for name in SUMMARY_NAMES:
        if name == "scenario":
            continue
        table.add_row(name, *(_fmt(s[name]) for s in summaries))
    Console().print(table)


def _cmd_run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from netsim.model import simulate

    # Validate every file before computing anything.
    scenarios = [(path, _load_checked(path, args.seed)) for path in args.scenarios]
    names = [sc.name for _, sc in scenarios]
    summaries = []
    for k, (path, sc) in enumerate(scenarios):
        with _source(path):
            result = simulate(sc, seed=args.seed, years=args.years)
        if args.out is not None:
            out = args.out if len(scenarios) == 1 else args.out / _unique(k, names)
            try:
                result.write(out, command=["netsim", *argv])
            except OSError as exc:
                raise NetsimError(f"{out}: cannot write results ({exc.strerror})") from None
        summaries.append(result.summary)
    if args.format == "json":
        data: Any = [json_ready(s) for s in summaries]
        print(json.dumps(data[0] if len(data) == 1 else data, indent=2))
    else:
        _print_table(summaries)
        if args.out is not None:
            print(f"results written to {args.out}")
    return 0


def _unique(k: int, names: list[str]) -> str:
    """Subdirectory of the k-th scenario: its name, or name-k when names repeat."""
    name = names[k]
    return name if names.count(name) == 1 else f"{name}-{k}"


def _cmd_validate(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        try:
            _load_checked(path)
        except NetsimError as exc:
            print(f"netsim: error: {exc}", file=sys.stderr)
            status = EXIT_USAGE
        else:
            print(f"{path}: ok")
    return status


def _cmd_schema() -> int:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "netsim scenario"
    print(json.dumps(schema, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``netsim`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return _cmd_run(args, argv)
        if args.command == "validate":
            return _cmd_validate(args)
        return _cmd_schema()
    except NetsimError as exc:
        print(f"netsim: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("netsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: stop quietly, as Unix tools do.
        sys.stdout = open(os.devnull, "w")
        return 141


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
