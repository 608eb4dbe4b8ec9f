"""Figures: each plot function draws the expected artists; the data behind them is right;
``netsim plot`` writes PNG and SVG for result directories and sweep databases."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

import netsim
from netsim.cli import main
from netsim.show import differences, figures, plots
from netsim.show.page import money_short
from tests.conftest import small_scenario

LEADERS = {
    "purpose": "leader_forum",
    "select": {"roles": ["leader"]},
    "enrollment": "automatic",
    "interval_weeks": 2,
    "quorum": 2,
}


def _polys(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def test_attendance_draws_a_line_and_a_band_per_network():
    data = pd.DataFrame(
        {
            "network": ["a", "a", "a", "b", "b", "b"],
            "week": [0, 4, 8, 0, 4, 8],
            "mean": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4],
            "ci_low": [0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
            "ci_high": [1.0, 0.9, 0.8, 0.7, 0.6, 0.5],
        }
    )
    ax = plots.plot_attendance(data)
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]
    assert list(ax.get_lines()[0].get_ydata()) == [0.9, 0.8, 0.7]
    assert len(_polys(ax)) == 2
    assert ax.get_xlabel() == "week" and "attendance" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_attendance_without_ci_draws_no_band_and_names_scenarios_when_several():
    data = pd.DataFrame(
        {
            "scenario": ["x", "y"],
            "network": ["n", "n"],
            "week": [0, 0],
            "mean": [0.5, 0.6],
            "ci_low": [math.nan, math.nan],
            "ci_high": [math.nan, math.nan],
        }
    )
    ax = plots.plot_attendance(data)
    assert _polys(ax) == []
    assert [line.get_label() for line in ax.get_lines()] == ["x: n", "y: n"]


def test_cost_ledger_draws_a_bar_per_role_and_scenario_labelled_with_dkk():
    data = pd.DataFrame(
        {
            "scenario": ["s", "s", "t", "t"],
            "role": ["leader", "organisers"] * 2,
            "hours_year": [100.0, 10.0, 50.0, 5.0],
            "cost_dkk_year": [55000.0, 5500.0, 2.5e6, 0.0],
        }
    )
    ax = plots.plot_cost_ledger(data)
    assert len(ax.containers) == 2
    assert [r.get_width() for r in ax.containers[1]] == [50.0, 5.0]
    texts = [t.get_text() for t in ax.texts]
    # Babel's (CLDR's) compact en_GB amounts; a no-break space keeps number and currency together.
    assert texts == ["55k\xa0DKK", "6k\xa0DKK", "2.5m\xa0DKK", "0\xa0DKK"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["leader", "organisers"]
    da = plots.plot_cost_ledger(data, lang="da")
    assert [t.get_text() for t in da.texts] == [money_short(x, "da") for x in data["cost_dkk_year"]]
    assert [t.get_text() for t in da.texts][2].startswith("2,5")
    assert [t.get_text() for t in da.get_yticklabels()] == ["leder", "arrangører"]
    assert da.get_title().startswith("Regnskabet")


def test_value_accounts_draw_hours_spent_against_hours_saved_per_account():
    data = pd.DataFrame(
        {
            "account": ["participants", "sponsor"],
            "spent_hours_year": [1200.0, 4671.0],
            "saved_hours_year": [300.0, 929.0],
        }
    )
    ax = plots.plot_value_accounts(data)
    spent, saved = ax.containers
    assert [r.get_width() for r in spent] == [1200.0, 4671.0]
    assert [r.get_width() for r in saved] == [300.0, 929.0]
    assert [t.get_text() for t in ax.texts] == ["1,200", "4,671", "300", "929"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "members' account",
        "organisation's account",
    ]
    assert ax.get_xlabel() == "hours per year" and "hours" in ax.get_title()
    da = plots.plot_value_accounts(data, lang="da")
    assert [t.get_text() for t in da.texts] == ["1.200", "4.671", "300", "929"]
    assert da.get_xlabel() == "timer om året"


def test_value_accounts_are_the_summary_in_hours(small_runs):
    table = figures.value_accounts(small_runs)
    s = small_runs[0].summary
    row = table.set_index("account").loc["sponsor"]
    assert row["spent_hours_year"] == pytest.approx(
        np.mean([r.summary["total_hours_year"] for r in small_runs])
    )
    assert row["saved_hours_year"] == pytest.approx(
        np.mean([r.summary["sponsor_hours_saved_year"] for r in small_runs])
    )
    members = table.set_index("account").loc["participants"]
    assert members["saved_hours_year"] == pytest.approx(
        np.mean([r.summary["participant_hours_saved_year"] for r in small_runs])
    )
    assert s["members"] > 0 and members["spent_hours_year"] > 0


def test_knowledge_draws_members_solid_and_others_dashed():
    data = pd.DataFrame(
        {
            "week": [0, 1, 0, 1],
            "topics": ["sponsored", "sponsored", "strategy", "strategy"],
            "members": [0.3, 0.4, 0.2, 0.2],
            "others": [0.1, 0.12, 0.1, 0.1],
        }
    )
    ax = plots.plot_knowledge(data)
    styles = [(line.get_label(), line.get_linestyle()) for line in ax.get_lines()]
    assert styles == [
        ("sponsored: members", "-"),
        ("sponsored: everybody else", "--"),
        ("strategy: members", "-"),
        ("strategy: everybody else", "--"),
    ]
    assert len(plots.plot_knowledge(data, topics=["strategy"]).get_lines()) == 2


def test_graph_draws_ties_bridges_members_and_departments():
    nodes = pd.DataFrame(
        {
            "id": [0, 1, 2, 3],
            "x": [0.0, 1.0, 0.0, 1.0],
            "y": [0.0, 0.0, 1.0, 1.0],
            "department": ["a", "a", "b", "b"],
            "member": [True, False, True, False],
        }
    )
    edges = pd.DataFrame({"a": [0, 2, 0], "b": [1, 3, 9]})  # 9 is not drawn: not a node
    bridging = pd.DataFrame({"a": [0], "b": [2], "strength": [0.2]})
    ax = plots.plot_graph(plots.GraphData(nodes=nodes, edges=edges, bridging=bridging))
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert [len(c.get_segments()) for c in lines] == [2, 1]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(c.get_offsets()) for c in scatters] == [2, 2]
    assert {t.get_text() for t in ax.texts} == {"a", "b"}


def _summary_table(params):
    rows = []
    for k, (x, y) in enumerate(params):
        rows.append(
            {
                "point": k,
                "param:x": x,
                "param:y": y,
                "n": 2,
                "out": float(k),
                "out_ci_low": k - 0.5,
                "out_ci_high": k + 0.5,
            }
        )
    return pd.DataFrame(rows)


def test_sweep_heatmap_shows_every_cell_and_names_both_parameters():
    table = _summary_table([(a, b) for a in (0.1, 0.2, 0.3) for b in (1, 2)])
    ax = plots.plot_sweep_heatmap(table, outcome="out")
    image = next(a for a in ax.get_images() if isinstance(a, AxesImage))
    assert image.get_array().shape == (2, 3)
    assert float(image.get_array()[1, 2]) == 5.0  # x = 0.3, y = 2: the last point
    assert len(ax.texts) == 6
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y")
    with pytest.raises(ValueError, match="two parameters"):
        plots.plot_sweep_heatmap(table.drop(columns="param:y"))


def test_sweep_heatmap_shows_each_cells_uncertainty_and_hatches_where_it_includes_break_even():
    table = _summary_table([(a, b) for a in (0.1, 0.2, 0.3) for b in (1, 2)])
    table["out_ci_low"] = table["out"] - [0.5, 0.5, 3.0, 0.5, 0.5, 0.5]  # point 2 is unsure
    ax = plots.plot_sweep_heatmap(table, outcome="out", reference=1.0)
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts[0] == "0\n±0.5" and "2\n±1.8" in texts
    hatched = [p for p in ax.patches if p.get_hatch()]
    # Break-even 1 lies in the CI of point 1 (0.5 to 1.5) and point 2 (-1 to 2.5) only.
    corners = sorted((p.get_x() + 0.5, p.get_y() + 0.5) for p in hatched)
    assert corners == [(0.0, 1.0), (1.0, 0.0)]  # (x = 0.1, y = 2), (x = 0.2, y = 1)
    assert "hatched: the CI includes 1" in ax.get_title()
    plain = plots.plot_sweep_heatmap(table, outcome="out")
    assert not [p for p in plain.patches if p.get_hatch()]


def test_sweep_points_draw_means_with_ci():
    table = _summary_table([(a, 0) for a in (1, 2, 3)]).drop(columns="param:y")
    ax = plots.plot_sweep_points(table, outcome="out")
    assert list(ax.get_lines()[0].get_ydata()) == [0.0, 1.0, 2.0]
    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(bars[0].get_segments()) == 3


@pytest.mark.parametrize("kind", ["sobol", "morris"])
def test_sensitivity_draws_indices_with_error_bars(kind):
    params = ["a", "b", "c"]
    if kind == "sobol":
        data = pd.DataFrame(
            {
                "outcome": "y",
                "parameter": params,
                "S1": [0.5, 0.2, 0.0],
                "S1_conf": [0.1] * 3,
                "ST": [0.6, 0.3, 0.1],
                "ST_conf": [0.1] * 3,
            }
        )
    else:
        data = pd.DataFrame(
            {
                "outcome": "y",
                "parameter": params,
                "mu_star": [1.0, 0.5, 0.1],
                "mu_star_conf": [0.2] * 3,
                "sigma": [0.1] * 3,
            }
        )
    ax = plots.plot_sensitivity(data)
    from matplotlib.container import BarContainer

    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == (2 if kind == "sobol" else 1)
    assert [r.get_width() for r in bars[0]] == data.iloc[:, 2].tolist()
    assert [t.get_text() for t in ax.get_yticklabels()] == params
    errs = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert errs and all(len(e.get_segments()) == 3 for e in errs)
    assert "undefined" not in ax.get_title()
    data["imputed"] = 2
    assert "undefined at 2 design points" in plots.plot_sensitivity(data).get_title()


def _board_table():
    """A paired comparison with the report's awkward cases: a change of several hundred per
    cent, a change across zero, money in millions, shares."""
    rows = [
        ("total_hours_year", 4962.0, 1659.0, -3303.0, -3396.0, -3211.0),
        ("net_hours_year", -3973.0, 820.0, 4794.0, 4705.0, 4882.0),
        ("cost_dkk_year", 2.8e6, 936_184.0, -1_864_163.0, -1_917_488.0, -1_810_838.0),
        ("share_worth_it", 0.06, 0.61, 0.55, 0.53, 0.57),
        ("isolated_specialist_gain", 0.0000227, 0.0116, 0.0116, 0.0076, 0.0156),
    ]
    out = []
    for metric, a, b, d, lo, hi in rows:
        out.append((metric, "blind", a, math.nan, math.nan, math.nan))
        out.append((metric, "designed", b, d, lo, hi))
    return pd.DataFrame(out, columns=["metric", "scenario", "mean", "diff", "ci_low", "ci_high"])


def test_differences_draw_each_unit_on_its_own_linear_scale():
    data = differences.difference_panels(_board_table())
    # isolated_specialist_gain is in no panel: the table has it, the board figure does not.
    assert list(dict.fromkeys(data["panel"])) == ["organisation_hours", "dkk", "share"]
    fig = differences.plot_differences(data)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["Hours a year, the whole organisation", "DKK a year", "Shares"]
    assert all(ax.get_xscale() == "linear" for ax in fig.axes)
    hours = fig.axes[0]
    # Bars are the designs' means in the unit, the reference's first.
    assert [r.get_width() for r in hours.containers[0]] == [4962.0, -3973.0]
    assert [r.get_width() for r in hours.containers[1]] == [1659.0, 820.0]
    # The whiskers: the paired difference's CI around the compared design's mean.
    (caps,) = [c for c in hours.collections if len(c.get_segments()) == 2]
    lows = sorted(min(seg[:, 0]) for seg in caps.get_segments())
    highs = sorted(max(seg[:, 0]) for seg in caps.get_segments())
    assert lows == pytest.approx(sorted([1659 - 3396 + 3303, 820 + 4705 - 4794]))
    assert highs == pytest.approx(sorted([1659 - 3211 + 3303, 820 + 4882 - 4794]))
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "-3,303 (-3,396 to -3,211)" in texts
    assert "+4,794 (+4,705 to +4,882)" in texts
    assert "+55 (+53 to +57) pp" in texts
    assert "-3,973" in texts and "61%" in texts
    lo, hi = hours.get_xlim()
    assert lo < -3973 and hi > 4962  # the whole range, both sides of zero, nothing clipped
    assert figures.crowded_texts(fig) == []


def test_differences_speak_danish_numbers_and_words():
    fig = differences.plot_differences(differences.difference_panels(_board_table()), lang="da")
    assert fig.axes[1].get_title(loc="left") == "Kroner om året"
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "-3.303 (-3.396 til -3.211)" in texts
    assert "+55 (+53 til +57) pct.-point" in texts
    fig.draw_without_rendering()
    ticks = [t.get_text() for t in fig.axes[1].get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith("kr.") for t in ticks), ticks
    assert any("mio." in t for t in ticks), ticks
    shares = [t.get_text() for t in fig.axes[2].get_xticklabels() if t.get_text()]
    assert all(t.endswith("\xa0%") for t in shares), shares  # Babel's Danish "50 %"
    assert figures.crowded_texts(fig) == []


def test_differences_with_three_designs_keep_their_labels_apart():
    table = _board_table()
    third = table[table["scenario"] == "designed"].assign(scenario="third")
    third["mean"] *= 1.5
    data = differences.difference_panels(pd.concat([table, third], ignore_index=True))
    fig = differences.plot_differences(data)
    bars = [c for c in fig.axes[0].containers if isinstance(c, BarContainer)]
    assert len(bars) == 3
    assert figures.crowded_texts(fig) == []


def test_crowded_texts_names_overlapping_and_cut_off_labels():
    fig = Figure(figsize=(3, 2))
    fig.text(0.1, 0.5, "first")
    fig.text(0.1, 0.5, "second")
    fig.text(0.9, 0.9, "beyond the edge")
    fig.text(0.1, 0.1, "alone")
    problems = figures.crowded_texts(fig)
    assert "'first' overlaps 'second'" in problems
    assert "'beyond the edge' is cut off by the figure's edge" in problems
    assert not any("alone" in p for p in problems)
    assert len(problems) == 2


def test_user_text_with_dollars_is_drawn_literally():
    data = pd.DataFrame({"network": ["cost $5 and $6"], "week": [0], "mean": [0.5]})
    ax = plots.plot_attendance(data)
    ax.figure.savefig(io.BytesIO(), format="png")  # mathtext would fail or eat the dollars
    assert "$" in figures.svg_text(ax)


@pytest.fixture(scope="module")
def small_runs():
    sc = small_scenario(leaders=LEADERS)
    return [netsim.simulate(sc, seed=s, years=0.5) for s in (1, 2, 3)]


def test_attendance_bands_average_replications_with_a_ci(small_runs):
    bands = figures.attendance_bands(small_runs)
    week0 = bands[bands["week"] == 0].iloc[0]
    rates = []
    for run in small_runs:
        m = run.meetings[run.meetings["week"] == 0]
        rates.append(m["attended"].sum() / m["invited"].sum())
    assert week0["mean"] == pytest.approx(np.mean(rates))
    assert week0["ci_low"] <= week0["mean"] <= week0["ci_high"] and week0["n"] == 3
    single = figures.attendance_bands(small_runs[:1])
    assert single["ci_low"].isna().all()


def test_cost_ledger_adds_up_to_the_meeting_log(small_runs):
    ledger = figures.cost_ledger(small_runs[:1])
    run = small_runs[0]
    years = run.summary["years"]
    assert ledger["hours_year"].sum() == pytest.approx(run.meetings["hours"].sum() / years)
    assert set(ledger["role"]) == {"leader", "organisers"}


def test_graph_data_keeps_members_and_the_run_bridging_ties(small_runs):
    run = small_runs[0]
    data = figures.graph_data(run, max_nodes=60)
    assert len(data.nodes) == 60
    members = set(run.employees.loc[run.employees["member"], "id"])
    assert members <= set(data.nodes["id"])
    assert data.bridging.equals(run.bridging)


def test_netsim_plot_writes_png_and_svg_for_a_run_directory(tmp_path, small_runs, capsys):
    small_runs[0].write(tmp_path / "run")
    assert main(["plot", str(tmp_path / "run"), "--out", str(tmp_path / "fig")]) == 0
    written = capsys.readouterr().out.split()
    stems = {p.rsplit("/", 1)[1] for p in written}
    for stem in ("attendance", "cost_ledger", "value_accounts", "knowledge", "graph"):
        assert {f"{stem}.png", f"{stem}.svg"} <= stems
    png = (tmp_path / "fig" / "graph.png").read_bytes()
    assert png.startswith(b"\x89PNG")


def test_netsim_plot_draws_a_heatmap_per_outcome_of_a_grid_sweep(tmp_path, capsys):
    base = tmp_path / "base.toml"
    base.write_text(
        'name = "b"\n[simulation]\nyears = 0.25\n[organisation]\nemployees = 200\n'
        '[networks.leaders]\npurpose = "leader_forum"\nselect = { roles = ["leader"] }\n'
        'enrollment = "automatic"\ninterval_weeks = 2\nquorum = 2\n'
    )
    exp = tmp_path / "grid.toml"
    exp.write_text(
        'name = "grid"\nscenario = "base.toml"\nreplications = 2\n'
        'outcomes = ["share_worth_it", "total_hours_year"]\n'
        '[parameters."networks.leaders.goal_clarity"]\nvalues = [0.2, 0.8]\n'
        '[parameters."networks.leaders.participation"]\nvalues = [0.1, 0.9]\n'
    )
    db = tmp_path / "grid.sqlite"
    netsim.sweep(exp, workers=1, db=db)
    assert main(["plot", str(db), "--out", str(tmp_path / "fig")]) == 0
    names = sorted(p.rsplit("/", 1)[1] for p in capsys.readouterr().out.split())
    assert names == [
        "sweep_share_worth_it.png",
        "sweep_share_worth_it.svg",
        "sweep_total_hours_year.png",
        "sweep_total_hours_year.svg",
    ]


def test_netsim_plot_rejects_what_it_cannot_draw(tmp_path, capsys):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    assert main(["plot", str(junk)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("netsim: error: ") and "not a result directory" in err
    assert err.count("\n") == 1
