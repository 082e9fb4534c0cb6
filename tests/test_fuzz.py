"""Property-based fuzzing of every parameter: bad input is one line and exit 2, never a crash or a hang.

Hypothesis draws up to three parameters of `StructuralPlasticityExample` (every name
`parameter_names` lists, so a new parameter is fuzzed without a change here) and gives each a value:
a scaled version of a small network's value, zero, a negative, NaN, infinities, 1e300, a value of the
wrong kind, a changed or unknown key inside a dict. Each input is run on the command line with
``--set NAME=JSON`` in a subprocess, so a segmentation fault or a hang of NEST fails the test (with
the input) instead of ending pytest. Every input must either run (exit 0, complete results) or stop
with one line and exit status 2 (`ConfigurationError`), within `TIMEOUT_S`.

A second property checks, without NEST and in-process, that a value given by keyword and the same
value given by a subclass are judged alike (the checks sit in one place, `validate`).

Profiles: the default suite runs a few dozen derandomized examples (well under a minute); set
``SP_FUZZ_EXAMPLES=500`` for a bigger random run, or run ``-m slow`` for the 300-example test.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env

from structural_plasticity import ConfigurationError, StructuralPlasticityExample, load_results
from structural_plasticity.experiments import LesionExperiment, StimulationExperiment

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

#: A tiny network for 1 s: what every fuzzed input changes (a run takes well under a second of NEST).
BASE = {
    "t_sim": 1000.0,
    "number_excitatory_neurons": 16,
    "number_inhibitory_neurons": 4,
    "record_interval": 500.0,
    "rng_seed": 1,
}
BASE_ARGS = ["--t-sim", "1", "--n-exc", "16", "--n-inh", "4", "--record-interval", "500", "--seed", "1"]
#: Longest a fuzzed run may take (s). The slowest valid tiny inputs take a few seconds.
TIMEOUT_S = 60
#: Examples of the fast profile (the default suite) and of the slow one.
FAST_EXAMPLES = int(os.environ.get("SP_FUZZ_EXAMPLES", "24"))
SLOW_EXAMPLES = 300

SPECIAL = [math.nan, math.inf, -math.inf, 1e300, -1e300, 1e-300, 0, -1, 10**20]
WRONG_KIND = [True, "x", None, [1.0], {"a": 1.0}]
FACTORS = [1e-3, 0.1, 0.5, 2.0, 10.0]


#: The experiments: a tiny network with 1 s phases (their t_sim follows from the phases).
EXPERIMENT_BASE = {key: value for key, value in BASE.items() if key != "t_sim"}
EXPERIMENT_BASE.update(growth_duration=1000.0, recovery_duration=1000.0)
EXPERIMENTS = {
    "lesion": (LesionExperiment, EXPERIMENT_BASE),
    "stimulate": (StimulationExperiment, dict(EXPERIMENT_BASE, stimulation_duration=1000.0)),
}


def _base_value(name, model=StructuralPlasticityExample, base=BASE):
    return base.get(name, getattr(model, name))


def numbers_like(value):
    """Values for a parameter whose default is the number `value`."""
    scaled = st.sampled_from(FACTORS).map(lambda f: type(value)(value * f) if isinstance(value, int) else value * f)
    if isinstance(value, int):
        scaled = scaled.map(lambda v: max(int(v), 1) if v else v)
    return st.one_of(scaled, st.sampled_from(SPECIAL), st.sampled_from(WRONG_KIND))


def strings_like(value, alternatives):
    return st.one_of(
        st.sampled_from(alternatives), st.sampled_from(["", "nonsense", "iaf_foo"]), st.sampled_from(WRONG_KIND)
    )


def dicts_like(default):
    """A dict default with one key changed, an unknown key added, or replaced by something else."""
    keys = sorted(default)

    def change(key):
        return value_like(key, default[key]).map(lambda v: dict(default, **{key: v}))

    return st.one_of(
        st.sampled_from(keys).flatmap(change),
        st.sampled_from(keys).map(lambda key: {k: v for k, v in default.items() if k != key}),
        st.sampled_from(SPECIAL[:3] + [1.0]).map(lambda v: dict(default, bogus=v)),
        st.sampled_from([[], "x", 1.0, {}]),
    )


ALTERNATIVES = {
    "neuron_model": ["iaf_psc_exp", "iaf_psc_alpha", "iaf_cond_alpha", "iaf_psc_delta"],
    "ca_readout": ["spikes", "state"],
    "growth_curve": ["gaussian", "linear", "sigmoid"],
}


def value_like(name, default):
    """Values for parameter (or dict key) `name` whose default is `default`."""
    if isinstance(default, bool):
        return st.sampled_from([True, False, 0, 1, "x", None])
    if isinstance(default, (int, float)):
        return numbers_like(default)
    if isinstance(default, str):
        return strings_like(default, ALTERNATIVES.get(name, [default]))
    if isinstance(default, dict):
        return dicts_like(default)
    return st.sampled_from(WRONG_KIND)


def parameter_changes(model=StructuralPlasticityExample, base=BASE):
    """One to three parameters of `model` with fuzzed values, as a dict."""
    names = [
        name for name in model.parameter_names() if not (model is not StructuralPlasticityExample and name == "t_sim")
    ]
    pair = st.sampled_from(names).flatmap(lambda n: st.tuples(st.just(n), value_like(n, _base_value(n, model, base))))
    return st.lists(pair, min_size=1, max_size=3, unique_by=lambda p: p[0]).map(dict)


def run_with(changes, folder, command=()):
    """Run the command line with `changes` as ``--set`` options; return (CompletedProcess or None on timeout)."""
    base_args = BASE_ARGS
    if command:  # the experiments: no --t-sim, 1 s phases
        base_args = [*BASE_ARGS[2:], "--growth", "1", "--recovery", "1"]
        base_args += ["--stimulation", "1"] if command[0] == "stimulate" else []
    args = [sys.executable, "-m", "structural_plasticity", *command, *base_args, "--no-plot", "-q", "-o", str(folder)]
    for name, value in changes.items():
        args += ["--set", f"{name}={json.dumps(value)}"]
    try:
        # In the run's own temporary folder: a fuzzed path parameter ("x" for save_network_path) writes there.
        return subprocess.run(
            args, env=cli_env(), capture_output=True, text=True, timeout=TIMEOUT_S, cwd=Path(folder).parent
        )
    except subprocess.TimeoutExpired:
        return None


def check_outcome(changes, folder, command=()):
    out = run_with(changes, folder, command)
    assert out is not None, f"no result within {TIMEOUT_S} s for {changes!r}"
    assert out.returncode >= 0, f"killed by signal {-out.returncode} for {changes!r}: {out.stderr[-2000:]}"
    if out.returncode == 2:
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in out.stderr, f"{changes!r}: {out.stderr[-2000:]}"
        assert lines[0].startswith("python -m structural_plasticity") and ": error: " in lines[0], lines[0]
    else:
        assert out.returncode == 0, f"exit {out.returncode} for {changes!r}: {out.stderr[-2000:]}"
        results = load_results(folder)
        assert results.metadata["completed"] is True and len(results) >= 1


_FUZZ_SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(max_examples=FAST_EXAMPLES, derandomize="SP_FUZZ_EXAMPLES" not in os.environ, **_FUZZ_SETTINGS)
@given(changes=parameter_changes())
def test_any_parameter_value_runs_or_is_one_line_exit_2(tmp_path_factory, changes):
    check_outcome(changes, tmp_path_factory.mktemp("fuzz") / "out")


@pytest.mark.slow
@settings(max_examples=SLOW_EXAMPLES, **_FUZZ_SETTINGS)
@given(changes=parameter_changes())
def test_any_parameter_value_runs_or_is_one_line_exit_2_many(tmp_path_factory, changes):
    check_outcome(changes, tmp_path_factory.mktemp("fuzz") / "out")


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(EXPERIMENTS))
@settings(max_examples=60, **_FUZZ_SETTINGS)
@given(data=st.data())
def test_any_experiment_parameter_runs_or_is_one_line_exit_2(tmp_path_factory, command, data):
    model, base = EXPERIMENTS[command]
    changes = data.draw(parameter_changes(model, base))
    check_outcome(changes, tmp_path_factory.mktemp("fuzz") / "out", command=(command,))


def _outcome(make):
    try:
        make()
    except ConfigurationError as exc:
        return f"refused: {exc}"
    return "accepted"


@pytest.mark.parametrize(
    "model, base",
    [(StructuralPlasticityExample, BASE), *EXPERIMENTS.values()],
    ids=["example", *sorted(EXPERIMENTS)],
)
@settings(max_examples=150, deadline=None, database=None)
@given(data=st.data())
def test_keyword_and_subclass_values_are_checked_alike(model, base, data):
    """The same values, by keyword and as class attributes of a subclass, give the same verdict (no NEST needed)."""
    params = dict(base, **data.draw(parameter_changes(model, base)))
    by_keyword = _outcome(lambda: model(**params))
    subclass = type("Fuzzed", (model,), dict(params))
    by_subclass = _outcome(subclass)
    assert by_keyword == by_subclass.replace("Fuzzed", model.__name__)
    if by_keyword.startswith("refused"):
        assert "\n" not in by_keyword  # one line on the command line
