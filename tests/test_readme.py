"""The README's examples work exactly as written (every documented example is executed)."""

from __future__ import annotations

import re
import tomllib

import netsim
from netsim.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_python_example_runs(monkeypatch):
    monkeypatch.chdir(REPO)
    namespace: dict[str, object] = {}
    for code in _blocks("python"):
        exec(compile(code, "README.md", "exec"), namespace)
    result = namespace["result"]
    assert isinstance(result, netsim.RunResult)
    assert result.summary["hours_per_leader_year"] > 0
    assert namespace["traced"].attendance is not None  # type: ignore[attr-defined]
    table = namespace["table"]
    assert set(table["scenario"]) == {"auto_enrollment", "goal_driven"}  # type: ignore[index]


def test_scenario_example_is_a_valid_scenario():
    (text,) = _blocks("toml")
    sc = netsim.parse_scenario(tomllib.loads(text))
    assert sc.networks["leaders"].goal_clarity == 0.2


def test_error_example_is_what_netsim_prints(tmp_path, monkeypatch, capsys):
    shown = re.search(r"`(netsim: error: my\.toml: .*?)`", README).group(1)
    (text,) = _blocks("toml")
    (tmp_path / "my.toml").write_text(text.replace("goal_clarity =", "goal_clarty ="))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["validate", "my.toml"]) == 2
    assert capsys.readouterr().err.strip() == shown


def test_quick_start_names_the_make_targets():
    assert "make demo" in README and "make test" in README
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
