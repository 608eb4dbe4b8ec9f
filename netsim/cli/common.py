"""What the ``netsim`` subcommands share: loading the scenarios they are given, the
progress bar, and the consoles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from netsim.scenario.load import load_scenario, with_overrides
from netsim.scenario.schema import Scenario

__all__ = ["load_all", "progress_bar", "stderr_console", "stdout_console"]


def progress_bar(description: str) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=stderr_console(),
        transient=True,
    )


def stdout_console() -> Any:
    """stdout console; when piped or captured, wide enough that tables do not wrap."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    return console


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def load_all(paths: Sequence[str], years: float | None) -> list[Scenario]:
    """Load and check every scenario before anything runs; ``years`` overrides the horizon."""
    scenarios = []
    for path in paths:
        sc = load_scenario(path)
        if years is not None:
            sc = with_overrides(sc, {"simulation.years": years}, source=path)
        scenarios.append(sc)
    return scenarios
