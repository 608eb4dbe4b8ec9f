"""Malformed experiment files, generated: each ends in one line `netsim: error: FILE: ...`.

Every generated file is invalid by construction (a wrong type, a value out of range, an
unknown key or parameter, deep nesting, a bad path, bytes that are not TOML), so the sweep
must refuse it before it runs or writes anything: exit status 2, exactly one line on stderr
that starts ``netsim: error:`` and names the file, no traceback, nothing on stdout and no
file written anywhere. The command runs in this process (``netsim.cli.main``). Under the
``ci`` profile (tests/conftest.py) the examples are the same every run.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netsim.cli import main
from netsim.study.experiment import MAX_SEED, NUMERIC, Experiment, Parameter
from tests.test_experiment import SCENARIO

BASE: dict[str, Any] = {
    "scenario": "../tiny.toml",
    "years": 0.25,
    "replications": 2,
    "outcomes": ["total_hours_year"],
    "parameters": {"networks.leaders.goal_clarity": {"values": [0.2, 0.8]}},
}
FIELDS = set(Experiment.model_fields)

# Text with line breaks, tabs, quotes and letters from anywhere (no lone surrogates: a TOML
# file is UTF-8).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
scalar = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
junk = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
not_int = st.one_of(
    st.booleans(), st.floats(), text, st.lists(scalar, max_size=2), st.dictionaries(text, scalar)
)
not_number = st.one_of(st.booleans(), text, st.lists(scalar, max_size=2), st.just({}))
bad_path = st.sampled_from(
    [
        "missing.toml",
        "../../../../nowhere/x.toml",
        "/nonexistent/scenario.toml",
        ".",
        "..",
        "",
        "exp.toml",  # the experiment file itself: TOML, but not a scenario
        "a\nb.toml",
    ]
)


def _set(key: str, value: Any) -> dict[str, Any]:
    return {**BASE, key: value}


def _parameter(spec: dict[str, Any]) -> dict[str, Any]:
    return {**BASE, "parameters": {"networks.leaders.goal_clarity": spec}}


wrong = st.one_of(
    # Wrong types: no coercion.
    st.tuples(st.sampled_from(["replications", "samples", "seed"]), not_int).map(
        lambda kv: _set(*kv)
    ),
    not_number.map(lambda v: _set("years", v)),
    st.one_of(st.booleans(), st.integers(), st.lists(text, max_size=2)).map(
        lambda v: _set("name", v)
    ),
    st.one_of(st.booleans(), st.integers(), st.just([])).map(lambda v: _set("description", v)),
    # Out of range.
    st.one_of(st.integers(max_value=0), st.integers(min_value=100_001, max_value=2**70)).map(
        lambda v: _set("replications", v)
    ),
    st.one_of(st.integers(max_value=-1), st.integers(min_value=MAX_SEED + 1)).map(
        lambda v: _set("seed", v)
    ),
    st.one_of(
        st.floats(max_value=0.0),
        st.floats(min_value=50.000001),
        st.just(float("nan")),
    ).map(lambda v: _set("years", v)),
    text.filter(lambda t: t not in ("grid", "lhs", "sobol", "morris")).map(
        lambda v: _set("design", v)
    ),
    st.one_of(st.just([]), st.lists(text.filter(lambda t: t not in NUMERIC), min_size=1)).map(
        lambda v: _set("outcomes", v)
    ),
    # A name that would be a path, or is not one line.
    st.tuples(text, st.sampled_from(["/", "\\", "\n", "\r", "\t", "\x00"]), text).map(
        lambda t: _set("name", "".join(t))
    ),
    st.sampled_from(["..", ".hidden", "../../escaped", "/abs/path", "x" * 101]).map(
        lambda v: _set("name", v)
    ),
    # Bad paths to the base scenario.
    bad_path.map(lambda v: _set("scenario", v)),
    st.lists(bad_path, min_size=1, max_size=2).map(
        lambda v: {**{k: x for k, x in BASE.items() if k != "scenario"}, "scenarios": v}
    ),
    # Unknown keys, anywhere.
    st.tuples(text.filter(lambda k: k not in FIELDS), junk).map(lambda kv: _set(*kv)),
    st.tuples(text.filter(lambda k: k not in Parameter.model_fields), junk).map(
        lambda kv: _parameter({"values": [0.5], kv[0]: kv[1]})
    ),
    # Parameters: unknown paths, values of the wrong type or out of range, bad shapes.
    st.tuples(text, st.sampled_from([0.5, 1, True, "x"])).map(
        lambda kv: {**BASE, "parameters": {f"nosuch.{kv[0]}": {"values": [kv[1]]}}}
    ),
    st.lists(
        st.one_of(
            st.booleans(),
            text,
            st.floats(min_value=1.0, exclude_min=True),
            st.floats(max_value=0.0, exclude_max=True),
            st.integers(min_value=2),
            st.lists(scalar, max_size=2),
        ),
        min_size=1,
        max_size=3,
    ).map(lambda v: _parameter({"values": [0.5, *v]})),
    st.just(_parameter({"values": []})),
    st.lists(scalar, max_size=4)
    .filter(lambda b: len(b) != 2 or any(isinstance(x, bool | str) for x in b))
    .map(lambda b: {**_parameter({"bounds": b}), "design": "lhs"}),
    st.just(_parameter({"values": [0.5], "bounds": [0.0, 1.0]})),
)

nested = st.integers(min_value=50, max_value=4000).flatmap(
    lambda n: st.sampled_from(
        [
            "a = " + "[" * n + "]" * n,
            "a = " + "{b = " * n + "1" + "}" * n,
            'scenario = "../tiny.toml"\nparameters = ' + "[" * n + "]" * n,
        ]
    )
)
raw = st.one_of(
    nested.map(str.encode),
    st.binary(max_size=200),
    text.map(lambda t: t.encode()),
    st.just(b"\xff\xfe not utf-8"),
    st.just(b"replications = = 3"),
)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _assert_refused(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "tiny.toml").write_text(SCENARIO)
        case = root / "case"
        case.mkdir()
        exp = case / "exp.toml"
        exp.write_bytes(content)
        before = _files(root)
        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        os.chdir(case)  # a default database would be written to case/results/
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["sweep", str(exp), "--workers", "1"])
        finally:
            os.chdir(cwd)
        lines = err.getvalue().splitlines()
        assert code == 2, (content[:300], err.getvalue()[:500])
        assert len(lines) == 1, err.getvalue()[:2000]
        assert lines[0].startswith(f"netsim: error: {exp}"), lines[0]
        assert "Traceback" not in err.getvalue()
        assert out.getvalue() == ""
        assert _files(root) == before, "nothing is written for a file that is refused"


FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@FUZZ
@given(wrong)
def test_a_malformed_experiment_is_one_line_and_writes_nothing(data):
    _assert_refused(tomli_w.dumps(data).encode())


@settings(FUZZ, max_examples=100)
@given(raw)
def test_text_that_is_not_an_experiment_is_one_line_and_writes_nothing(content):
    _assert_refused(content)
