"""What the terminal shows: sweep results people can read, shares' CIs inside [0, 1], and
experiment files validated."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console

from netsim.cli import main
from netsim.show.terminal import results_table
from netsim.study.analysis import summarise
from netsim.study.export import bounded_shares, whole_numbers

LONG = "networks.cross_department_knowledge_sharing.facilitation_budget_dkk"


def _frame() -> pd.DataFrame:
    """Two design points of three replications: shares near 1 at the first."""
    return pd.DataFrame(
        {
            "point": [0, 0, 0, 1, 1, 1],
            "replication": [0, 1, 2, 0, 1, 2],
            f"param:{LONG}": [20000.0] * 3 + [35000.0] * 3,
            "share_worth_it": [1.0, 1.0, 0.8, 0.2, 0.3, 0.1],
            "total_hours_year": [100.0, 110.0, 90.0, 50.0, 55.0, 45.0],
        }
    )


def test_shares_cis_stay_inside_zero_and_one():
    frame = _frame()
    t = summarise(frame, ["share_worth_it", "total_hours_year"])
    assert t.loc[0, "share_worth_it_ci_high"] > 1  # what a t interval of 3 shares does
    b = bounded_shares(t, frame, ["share_worth_it", "total_hours_year"])
    for _, row in b.iterrows():
        assert 0 <= row["share_worth_it_ci_low"] <= row["share_worth_it"]
        assert row["share_worth_it"] <= row["share_worth_it_ci_high"] <= 1
    # Not a share: its t interval is kept.
    pd.testing.assert_series_equal(b["total_hours_year_ci_high"], t["total_hours_year_ci_high"])
    again = bounded_shares(t, frame, ["share_worth_it", "total_hours_year"])
    pd.testing.assert_frame_equal(again, b)  # seeded: the same sweep, the same intervals


def test_results_table_shows_whole_numbers_and_full_parameter_names():
    frame = _frame()
    t = whole_numbers(summarise(frame, ["share_worth_it"]))
    assert t[f"param:{LONG}"].dtype == "int64" and t["n"].dtype == "int64"
    console = Console(width=70, record=True)
    console.print(results_table(t, ["share_worth_it"], "en"))
    text = console.export_text()
    assert "20,000" in text and "20,000.0" not in text and "35,000" in text
    rows = [line for line in text.splitlines() if line.startswith("│")]
    assert rows[0].split("│")[1].strip() == "0"  # the point, a whole number
    # The header wraps the parameter's name over lines; nothing of it is cut.
    header = [line for line in text.splitlines() if line.startswith("┃")]
    cells = "".join(line.split("┃")[2].strip() for line in header)
    assert cells == LONG


def test_validate_recognises_and_checks_experiment_files(tmp_path: Path, capsys):
    (tmp_path / "base.toml").write_text(
        'name = "base"\n[organisation]\nemployees = 120\n[networks.leaders]\n'
        'purpose = "leader_forum"\nselect = { roles = ["leader"] }\nenrollment = "automatic"\n'
    )
    good = tmp_path / "exp.toml"
    good.write_text(
        'name = "e"\nscenario = "base.toml"\ndesign = "grid"\nreplications = 4\n'
        '[parameters."networks.leaders.goal_clarity"]\nvalues = [0.2, 0.5, 0.9]\n'
    )
    assert main(["validate", str(good), str(tmp_path / "base.toml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{good}: ok (experiment 'e': 12 tasks)", f"{tmp_path / 'base.toml'}: ok"]
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text().replace("0.9]", "1.5]"))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"netsim: error: {bad}: parameters.networks.leaders.goal_clarity")
    assert err.count("\n") == 1
