"""The ``netsim`` command: thin wiring of the library's pieces.

Every error a user can cause is printed as one line ``netsim: error: ...`` on stderr with
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from netsim._version import __version__
from netsim.cli.common import load_all, progress_bar, stdout_console
from netsim.errors import NetsimError, ScenarioError
from netsim.safe import CSV_DIALECTS, json_strict
from netsim.scenario.load import load_scenario
from netsim.scenario.schema import Scenario, Simulation
from netsim.scenario.tables import MAX_SHOWN, CsvError
from netsim.show.texts import LANGUAGES, say
from netsim.sim.kernels import BACKENDS, load_compiled

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
        got = "" if "(got " in msg else f" (got {text!r})"
        raise argparse.ArgumentTypeError(f"{msg[0].lower()}{msg[1:]}{got}") from None
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
    run.add_argument(
        "--no-graphs",
        dest="graphs",
        action="store_false",
        help="with --out, leave out the tie graphs (graph_start.graphml, graph_end.graphml), "
        "which take about a minute to write at 45,000 employees",
    )
    run.add_argument("--format", choices=("table", "json"), default="table")
    run.add_argument("--lang", choices=LANGUAGES, default="en", help="words of the table")
    _dialect_argument(run)

    cei = sub.add_parser(
        "ceiling",
        help="the most each network could save its members a year, against what it costs "
        "them (nothing is simulated)",
    )
    cei.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario TOML file(s)")
    cei.add_argument("--seed", type=_seed, help="seed (default: the scenario's simulation.seed)")
    cei.add_argument("--format", choices=("table", "json"), default="table")
    cei.add_argument("--lang", choices=LANGUAGES, default="en", help="words of the table")

    val = sub.add_parser("validate", help="check scenario and experiment files")
    val.add_argument("files", nargs="+", metavar="FILE")

    sub.add_parser("schema", help="print the JSON Schema of scenario files")

    ini = sub.add_parser(
        "init", help="start a directory for simulating your own organisation from CSV files"
    )
    ini.add_argument("directory", type=Path, metavar="DIR", help="created if it does not exist")
    ini.add_argument("--force", action="store_true", help="overwrite files that exist")
    ini.add_argument(
        "--employees",
        type=Path,
        metavar="FILE",
        help="your HR export (CSV): the scenario names it, with its column names and job "
        "titles mapped to netsim's as far as they can be guessed, for you to check",
    )

    cmp_ = sub.add_parser(
        "compare", help="paired comparison of scenarios over replications, with 95 %% CIs"
    )
    cmp_.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="the first is the reference")
    cmp_.add_argument("--reps", type=_count, default=20, help="replications (default 20)")
    cmp_.add_argument(
        "--ci-width",
        type=_positive_float,
        metavar="W",
        help="add replications until every headline difference's CI half-width is below W "
        "times the reference mean",
    )
    cmp_.add_argument("--max-reps", type=_count, default=200, help="cap for --ci-width")
    cmp_.add_argument("--seed", type=_seed, default=1, help="seed of replication 1 (default 1)")
    cmp_.add_argument("--years", type=_years, help="horizon in years (overrides the files)")
    cmp_.add_argument("--workers", type=_count, help="worker processes (default: all cores)")
    cmp_.add_argument("--format", choices=("table", "json"), default="table")
    cmp_.add_argument("--lang", choices=LANGUAGES, default="en", help="words of the table")

    swp = sub.add_parser("sweep", help="run an experiment; resumes where it stopped")
    swp.add_argument("experiment", metavar="EXPERIMENT", help="experiment TOML file")
    swp.add_argument("--workers", type=_count, help="worker processes (default: all cores)")
    swp.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a dask.distributed cluster (tcp://HOST:PORT)"
    )
    swp.add_argument("--db", type=Path, help="results database (default results/NAME.sqlite)")

    res = sub.add_parser("results", help="per design point means and CIs of a sweep")
    res.add_argument("db", type=Path, metavar="DB")
    res.add_argument("--format", choices=("table", "json", "csv", "parquet"), default="table")
    res.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    res.add_argument("--lang", choices=LANGUAGES, default="en", help="words of the table")
    _dialect_argument(res)

    from netsim.cli import pictures as cli_pictures

    cli_pictures.add_parsers(sub, seed=_seed, count=_count, years=_years)
    for command in ("run", "compare", "sweep", "report", "teach", "explain"):
        sub.choices[command].add_argument(
            "--kernels",
            choices=BACKENDS,
            help="the kernels: numba (compiled, the default) or numpy (the reference; the "
            "same results to the bit); default: $NETSIM_KERNELS, else numba. Sent with every "
            "task, so local and dask workers alike run the kernels asked for, and recorded in "
            "provenance.json",
        )
    return parser


def _dialect_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--csv-dialect",
        choices=CSV_DIALECTS,
        default="plain",
        help="CSV files: plain (',' between values, '.' decimals, UTF-8; the default) or "
        "excel-da (Danish Excel: ';', decimal comma, UTF-8 with a byte-order mark; what "
        "netsim reads too)",
    )


def _count(text: str) -> int:
    value = _seed(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {text!r})")
    return value


def _cmd_run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from netsim.show import terminal
    from netsim.show.report import headline
    from netsim.sim.model import simulate
    from netsim.sim.result import json_ready
    from netsim.sim.summary import SUMMARY_NAMES
    from netsim.study.export import write_run

    # Validate every file before computing anything.
    scenarios = [(path, load_scenario(path)) for path in args.scenarios]
    if args.years is not None:  # the horizon asked for must hold in every scenario's calendar
        for path, sc in scenarios:
            try:
                Simulation.model_validate({**sc.simulation.model_dump(), "years": args.years})
            except ValidationError as exc:
                raise ScenarioError(path, "--years", exc.errors()[0]["msg"]) from None
    names = [_directory_name(sc.name) for _, sc in scenarios]
    summaries, lines = [], []
    for k, (_, sc) in enumerate(scenarios):
        result = simulate(sc, seed=args.seed, years=args.years, kernels=args.kernels)
        if args.out is not None:
            out = args.out if len(scenarios) == 1 else args.out / _unique(k, names)
            try:
                write_run(
                    result,
                    out,
                    command=["netsim", *argv],
                    dialect=args.csv_dialect,
                    graphs=args.graphs,
                )
            except OSError as exc:
                raise NetsimError(f"{out}: cannot write results ({exc.strerror})") from None
        summaries.append(result.summary)
        if args.format != "json":
            lines.extend(headline([result], args.lang))
    if args.format == "json":
        data: Any = [json_ready(s) for s in summaries]
        print(json_strict(data[0] if len(data) == 1 else data, indent=2))
    else:
        shown = [n for n in SUMMARY_NAMES if n != "scenario"]
        _print_words(lines)
        stdout_console().print(terminal.run_table(summaries, shown, args.lang))
        if args.out is not None:
            print(say("terminal.written", args.lang, out=args.out))
    return 0


def _cmd_ceiling(args: argparse.Namespace) -> int:
    from netsim.show import terminal
    from netsim.show.tables import ceiling_table as ceiling_frame
    from netsim.sim.ceiling import ceilings
    from netsim.sim.result import json_ready

    scenarios = [load_scenario(path) for path in args.scenarios]  # every file checked first
    rows = [(sc.name, c) for sc in scenarios for c in ceilings(sc, args.seed)]
    if args.format == "json":
        _, frame = ceiling_frame(rows, args.lang)
        data = [json_ready(r) for r in frame.to_dict(orient="records")]
        print(json_strict(data, indent=2))
    else:
        stdout_console().print(terminal.ceiling_table(rows, args.lang))
    return 0


def _print_words(lines: Sequence[str]) -> None:
    """The report's plain-words headline, one paragraph per scenario, before a table."""
    from rich.markup import escape

    from netsim.show.terminal import one_line

    console = stdout_console()
    for line in lines:
        console.print(escape(one_line(line)))
    console.print()


def _directory_name(name: str) -> str:
    """A scenario's name as the name of a directory inside ``--out``: a name is the user's
    text (``../../x``, ``/etc``), so only letters, digits, ``.``, ``_`` and ``-`` are kept,
    the rest made ``_``, and it cannot start with a dot.

    Examples
    --------
    >>> _directory_name("../../escaped"), _directory_name("/etc/x"), _directory_name("")
    ('escaped', 'etc_x', 'scenario')
    """
    safe = re.sub(r"[^\w.-]", "_", name, flags=re.ASCII).lstrip("._")
    return safe[:100] or "scenario"


def _unique(k: int, names: list[str]) -> str:
    """Subdirectory of the k-th scenario: its name, or name-k when names repeat."""
    name = names[k]
    return name if names.count(name) == 1 else f"{name}-{k}"


def _is_experiment(path: str) -> bool:
    """Whether ``path`` holds an experiment (a table naming its base ``scenario`` or
    ``scenarios``, which no scenario has); a file that cannot be read or parsed is left to
    the scenario loader, which says what is wrong with it."""
    import tomllib

    from netsim.scenario.files import MAX_SCENARIO_BYTES, read_input

    try:
        data = tomllib.loads(read_input(path, MAX_SCENARIO_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return "scenario" in data or "scenarios" in data


def _cmd_validate(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        try:
            if _is_experiment(path):
                from netsim.study.experiment import design_size, load_experiment

                exp = load_experiment(path)
                tasks = design_size(exp.spec) * exp.spec.replications
                print(f"{path}: ok (experiment {exp.name!r}: {tasks} tasks)")
            else:
                load_scenario(path)
                print(f"{path}: ok")
        except NetsimError as exc:
            _print_error(exc)
            status = EXIT_USAGE
    return status


def _print_error(exc: NetsimError) -> None:
    """One ``netsim: error:`` line per problem (a CSV file can have several); a line break
    or other control character inside a problem (a file name, a TOML key) is escaped, so
    a problem is always one line."""
    if isinstance(exc, CsvError):  # str() shows the first problems and counts the rest
        lines = [str(p) for p in exc.problems[:MAX_SHOWN]]
        lines += str(exc).splitlines()[MAX_SHOWN:]
    else:
        lines = [str(exc)]
    for line in lines:
        print(f"netsim: error: {_one_line(line)}", file=sys.stderr)


def _one_line(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _cmd_init(args: argparse.Namespace) -> int:
    from netsim.cli.init import write_starter

    for path in write_starter(args.directory, force=args.force, employees=args.employees):
        print(f"wrote {path}")
    scenario = args.directory / "scenario.toml"
    if args.employees is not None:
        from netsim.cli.init import own_scenario

        _, missing = own_scenario(args.employees, args.directory)
        if missing:
            print(
                f"netsim: note: {scenario}: [organisation.columns]: say which of your columns "
                f"is the {', '.join(missing)} (a commented line each)",
                file=sys.stderr,
            )
    print(f"next: read {args.directory / 'README.md'}, then run: netsim validate {scenario}")
    return 0


def _cmd_schema() -> int:
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "netsim scenario"
    print(json.dumps(schema, indent=2))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from netsim.sim.result import json_ready
    from netsim.study.analysis import compare

    scenarios = load_all(args.scenarios, args.years)
    with progress_bar("replications") as bar:
        task = bar.add_task("run", total=None, failed=0)
        frame = compare(
            scenarios,
            reps=args.reps,
            seed=args.seed,
            workers=args.workers,
            ci_width=args.ci_width,
            max_reps=args.max_reps,
            kernels=args.kernels,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    reps, converged = frame.attrs["reps"], frame.attrs["converged"]
    if args.format == "json":
        rows = [json_ready(r) for r in frame.to_dict(orient="records")]
        meta = {"reps": reps, "seed": args.seed, "converged": converged}
        print(json.dumps({"comparison": rows, **meta}, indent=2))
        return 0
    # Imported only for the table: it brings in the report's plotting (half a second).
    from netsim.show import terminal

    _print_words(terminal.comparison_headline(frame, scenarios, args.lang))
    stdout_console().print(terminal.comparison_table(frame, args.lang))
    print(
        say(
            "terminal.replications",
            args.lang,
            reps=reps,
            s0=args.seed,
            s1=args.seed + reps - 1,
            name=frame["scenario"].iloc[0],
        )
    )
    if converged is not None:
        if converged:
            print(f"converged: every headline CI half-width is below {args.ci_width:g} of the mean")
        else:
            print(
                f"not converged: --max-reps {args.max_reps} reached "
                f"before --ci-width {args.ci_width:g}"
            )
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from netsim.study.experiment import default_db, load_experiment, sweep

    exp = load_experiment(args.experiment)
    db = args.db if args.db is not None else default_db(exp)
    executor, client = None, None
    if args.scheduler is not None:
        try:
            from distributed import Client
        except ImportError:
            raise NetsimError(
                "--scheduler needs dask.distributed: pip install 'netsim[dask]'"
            ) from None
        try:
            client = Client(args.scheduler, timeout="10s")
        except (OSError, ValueError, TypeError) as exc:
            # A malformed address is a ValueError, an unreachable one an OSError.
            raise NetsimError(
                f"--scheduler {args.scheduler}: cannot connect ({exc}); give tcp://HOST:PORT"
            ) from None
        executor = client.get_executor()
    try:
        with progress_bar(escape(exp.name)) as bar:
            task = bar.add_task("tasks", total=None, failed=0)

            said: list[bool] = []

            def show(done: int, total: int, failed: int) -> None:
                if not said:  # the first call says what was done before this run
                    said.append(True)
                    if 0 < done < total:
                        bar.console.print(say("terminal.resuming", "en", done=done, total=total))
                bar.update(task, completed=done, total=total, failed=failed)

            try:
                frame = sweep(
                    exp,
                    executor=executor,
                    workers=args.workers,
                    db=db,
                    progress=show,
                    kernels=args.kernels,
                )
            except KeyboardInterrupt:
                print(
                    f"netsim: interrupted; finished tasks are saved in {db}: "
                    "run the same command to resume",
                    file=sys.stderr,
                )
                return 130
    finally:
        if client is not None:
            client.close()
    failed = frame.attrs["failed"]
    print(f"{exp.name}: {len(frame)} tasks done, {failed} failed; results in {db}")
    if failed:
        print(f"see the errors with: netsim results {db} --format json", file=sys.stderr)
    return 1 if failed else 0


def _cmd_results(args: argparse.Namespace) -> int:
    from netsim.study.analysis import sensitivity, summarise
    from netsim.study.export import (
        bounded_shares,
        check_out,
        read_sweep,
        results_csv,
        results_json,
        whole_numbers,
        write_out,
    )

    if args.out is not None:
        check_out(args.out)
    spec, frame, failures = read_sweep(args.db)
    table = whole_numbers(bounded_shares(summarise(frame, spec.outcomes), frame, spec.outcomes))
    indices = None
    if spec.design in ("sobol", "morris"):
        try:
            indices = sensitivity(frame, spec)
        except NetsimError as exc:
            print(f"netsim: note: {exc}", file=sys.stderr)
        else:
            _note_imputed(indices, spec.outcomes, table["point"].nunique())
    if args.format == "parquet":
        if args.out is None:
            raise NetsimError("--format parquet needs --out FILE")
        try:
            table.to_parquet(args.out, index=False)
            if indices is not None:
                indices.to_parquet(args.out.with_suffix(".indices.parquet"), index=False)
        except ImportError:
            raise NetsimError(
                "--format parquet needs pyarrow: pip install 'netsim[parquet]'"
            ) from None
        except OSError as exc:
            raise NetsimError(f"{args.out}: cannot write the results ({exc})") from None
        return 0
    if args.format == "csv":
        text = results_csv(table, indices, dialect=args.csv_dialect)
    elif args.format == "json":
        text = results_json(spec, table, failures, indices)
    else:
        _print_results(table, spec.outcomes, indices, len(failures), args.lang)
        return 0
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_out(args.out, text)
    return 0


def _note_imputed(indices: Any, outcomes: list[str], points: int) -> None:
    """Say on stderr which outcomes' indices rest partly on filled-in values, or on none."""
    for outcome in outcomes:
        rows = indices[indices["outcome"] == outcome]
        if rows.empty:
            print(
                f"netsim: note: {outcome} is undefined at every design point: no indices",
                file=sys.stderr,
            )
        elif (k := int(rows["imputed"].iloc[0])) > 0:
            print(
                f"netsim: note: {outcome} is undefined at {k} of {points} design points; "
                "its indices use the mean of the other points there (column 'imputed')",
                file=sys.stderr,
            )


def _print_results(table: Any, outcomes: list[str], indices: Any, failed: int, lang: str) -> None:
    from rich.table import Table

    from netsim.show import terminal

    console = stdout_console()
    console.print(terminal.results_table(table, outcomes, lang))
    shares = [o for o in outcomes if o in terminal.SHARES]
    if shares:
        console.print(say("terminal.shares_note", lang, names=", ".join(shares)))
    if indices is not None:
        ti = Table(title=say("terminal.indices_title", lang))
        for c in indices.columns:
            ti.add_column(c, justify="right", overflow="fold")
        for _, row in indices.iterrows():
            ti.add_row(*(terminal.value(str(c), v, lang) for c, v in row.items()))
        console.print(ti)
    if failed:
        console.print(say("terminal.failed", lang, n=failed))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``netsim`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "kernels", None) == "numba":  # before any work: missing is exit 2
            load_compiled("--kernels numba")
        if args.command == "run":
            return _cmd_run(args, argv)
        if args.command == "validate":
            return _cmd_validate(args)
        if args.command == "ceiling":
            return _cmd_ceiling(args)
        if args.command == "compare":
            return _cmd_compare(args)
        if args.command == "sweep":
            return _cmd_sweep(args)
        if args.command == "results":
            return _cmd_results(args)
        if args.command == "init":
            return _cmd_init(args)
        if args.command in ("plot", "report", "teach", "explain"):
            from netsim.cli import pictures as cli_pictures

            return cli_pictures.run(args, argv)
        return _cmd_schema()
    except NetsimError as exc:
        _print_error(exc)
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
