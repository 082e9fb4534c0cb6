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

Files are fuzzed too (issue 22): hypothesis mutates a real saved network (an array's value, dtype or
shape, a key of its metadata, its bytes; re-signed with the package's digest, as anyone can) and a real
results folder's manifest (names, sizes, checksums, state, nesting, its bytes). The one reader of each
(`networks.state.load_network`, `load_results`) must accept the file or refuse it with one line; a
network it accepts must then run from the command line (in a child under a memory limit) or stop with
one line and exit status 2.
"""

import hashlib
import json
import math
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from conftest import cli_env
from hostile import make_results, resigned, run_limited

from structural_plasticity import ConfigurationError, StructuralPlasticityExample
from structural_plasticity import folder as folders
from structural_plasticity import load_results
from structural_plasticity.experiments import LesionExperiment, StimulationExperiment
from structural_plasticity.networks import state
from structural_plasticity.results import run_state

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


# ----------------------------------------------------------------------------------------------------
# Files: mutated network files and manifests (issue 22)
# ----------------------------------------------------------------------------------------------------
@contextmanager
def within(seconds):
    """Fail (instead of hanging) if the block takes longer than `seconds` (a reader stuck on a FIFO, say)."""

    def hung(signum, frame):
        raise AssertionError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def network_file(tmp_path_factory):
    """A real network file: 16 + 4 neurons grown fast for 1 s (synapses in every pathway)."""
    from conftest import fast_growth

    network = StructuralPlasticityExample(**dict(BASE, **fast_growth()))
    network.run()
    path = tmp_path_factory.mktemp("network") / "network.npz"
    network.save_network(path)
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    return path, arrays


SPECIAL_NUMBERS = [math.nan, math.inf, -math.inf, 1e300, -1e300, -1, 0, 2**62, 1e-300, 1e9]
KINDS = [np.int8, np.int64, np.uint64, np.float32, np.float64, "U3", "S4", np.bool_, np.complex128]


def array_mutations(arrays):
    """Changes of one array of a network file: a value, its dtype, its shape, removed, or a new one."""
    names = sorted(name for name in arrays if name != "meta")

    def value(name, index, number):
        def change(a, meta):
            target = a[name].reshape(-1)
            if target.size:
                try:
                    target[index % target.size] = number
                except (ValueError, OverflowError, TypeError):
                    a[name] = np.array([number])

        return change

    def dtype(name, kind):
        def change(a, meta):
            try:
                a[name] = a[name].astype(kind)
            except (ValueError, OverflowError, TypeError):
                a[name] = np.zeros(3, dtype=kind)

        return change

    def shape(name, how):
        def change(a, meta):
            x = a[name]
            a[name] = {
                "2d": x.reshape(-1, 1),
                "longer": np.concatenate([x.reshape(-1), x.reshape(-1)[:1]]),
                "empty": x.reshape(-1)[:0],
                "scalar": x.reshape(-1)[:1].reshape(()) if x.size else x.sum(),
            }[how]

        return change

    def removed(name):
        return lambda a, meta: a.pop(name)

    def added(size):
        return lambda a, meta: a.update(extra=np.zeros(size))

    name = st.sampled_from(names)
    return st.one_of(
        st.builds(value, name, st.integers(0, 10_000), st.sampled_from(SPECIAL_NUMBERS)),
        st.builds(dtype, name, st.sampled_from(KINDS)),
        st.builds(shape, name, st.sampled_from(["2d", "longer", "empty", "scalar"])),
        st.builds(removed, name),
        st.builds(added, st.sampled_from([0, 5, 1000])),
    )


META_VALUES = [None, True, "", "x", -1, 0, 10**12, math.nan, 1e300, -1e300, [], {}, [1], {"a": 1}]


def meta_mutations():
    """A key of the metadata (or of its first population, synapse or pathway) set to a fuzzed value."""
    top = [
        "populations",
        "element_names",
        "neuron_params",
        "synapse_models",
        "plastic_synapses",
        "static_pathways",
        "input",
        "time_ms",
        "format_version",
        "parameters",
        "sha256",
    ]

    def set_top(key, value):
        def change(a, meta):
            meta[key] = value

        return change

    def set_population(key, value):
        def change(a, meta):
            meta["populations"][0][key] = value

        return change

    def set_synapse(key, value):
        def change(a, meta):
            first = sorted(meta["plastic_synapses"])[0]
            meta["plastic_synapses"][first][key] = value

        return change

    def set_input(key, value):
        def change(a, meta):
            meta["input"][key] = value

        return change

    values = st.sampled_from(META_VALUES)
    return st.one_of(
        st.builds(set_top, st.sampled_from(top), values),
        st.builds(set_population, st.sampled_from(["name", "size", "model", "elements", "params"]), values),
        st.builds(
            set_synapse, st.sampled_from(["pre_element", "post_element", "weight", "delay", "base_model"]), values
        ),
        st.builds(set_input, st.sampled_from(["rate", "weight", "delay"]), values),
    )


def loads_or_one_line(path):
    """Return True if `load_network` accepts `path`; assert it refuses anything else with one line."""
    try:
        with within(30):
            state.load_network(path)
    except ConfigurationError as exc:
        assert "\n" not in str(exc), str(exc)
        return False
    return True


@settings(max_examples=max(FAST_EXAMPLES * 4, 100), derandomize="SP_FUZZ_EXAMPLES" not in os.environ, **_FUZZ_SETTINGS)
@given(changes=st.data())
def test_mutated_network_files_are_read_or_refused_in_one_line(network_file, tmp_path_factory, changes):
    path, arrays = network_file
    mutations = changes.draw(st.lists(st.one_of(array_mutations(arrays), meta_mutations()), min_size=1, max_size=3))
    target = tmp_path_factory.mktemp("mutated") / "network.npz"
    try:
        resigned(arrays, mutations, target)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return  # a mutation that cannot even be written (the metadata lost the key it changes)
    loads_or_one_line(target)


@settings(max_examples=max(FAST_EXAMPLES * 4, 100), derandomize="SP_FUZZ_EXAMPLES" not in os.environ, **_FUZZ_SETTINGS)
@given(data=st.data())
def test_network_files_with_mutated_bytes_are_refused_in_one_line(network_file, tmp_path_factory, data):
    path, _ = network_file
    raw = bytearray(path.read_bytes())
    how = data.draw(st.sampled_from(["flip", "truncate", "zero", "append"]))
    at = data.draw(st.integers(0, len(raw) - 1))
    if how == "flip":
        raw[at] ^= data.draw(st.integers(1, 255))
    elif how == "truncate":
        raw = raw[:at]
    elif how == "zero":
        raw[at : at + 64] = bytes(len(raw[at : at + 64]))
    else:
        raw += bytes(data.draw(st.integers(1, 100)))
    target = tmp_path_factory.mktemp("bytes") / "network.npz"
    target.write_bytes(bytes(raw))
    accepted = loads_or_one_line(target)
    if accepted:  # bytes outside the arrays (a zip comment, padding): the same arrays as the original
        assert state.load_network(target).meta["sha256"] == state.load_network(path).meta["sha256"]


@settings(max_examples=FAST_EXAMPLES, derandomize="SP_FUZZ_EXAMPLES" not in os.environ, **_FUZZ_SETTINGS)
@given(changes=st.data())
def test_accepted_mutated_networks_run_or_stop_with_one_line(network_file, tmp_path_factory, changes):
    """A mutated network the reader accepts runs from the command line, or stops with one line: no crash."""
    path, arrays = network_file
    value_changes = st.lists(array_mutations(arrays), min_size=1, max_size=2)
    folder = tmp_path_factory.mktemp("restore")
    try:
        target = resigned(arrays, changes.draw(value_changes), folder / "network.npz")
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return
    if not loads_or_one_line(target):
        return
    out = run_limited(
        *BASE_ARGS[:2],
        "--n-exc",
        "16",
        "--n-inh",
        "4",
        "--record-interval",
        "500",
        "--no-plot",
        "-q",
        "--from-network",
        target,
        "-o",
        folder / "out",
        timeout=TIMEOUT_S,
    )
    assert out.returncode in (0, 2), f"exit {out.returncode}: {out.stderr[-2000:]}"
    if out.returncode == 2:
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr, out.stderr[-2000:]


@pytest.fixture(scope="module")
def results_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results") / "run"
    make_results(seed=1).save(folder)
    return folder


NAMES = [
    "results.npz",
    "metadata.json",
    "results.csv",
    "/etc/passwd",
    "../results.npz",
    "..",
    ".",
    "",
    "a/b",
    "a\0b",
    "sub",
    ".hidden",
    "x" * 300,
    "\u00e9t\u00e9.png",
    "line\nbreak",
    "manifest.json",
    "fifo",
    "link",
]
ENTRY_VALUES = [None, -1, 0, 1, 2**63, True, "12", 1.5, [], {}]


def manifest_mutations():
    def rename(old, new):
        def change(m):
            files = m.get("files")
            if isinstance(files, dict) and old in files:
                files[new] = files.pop(old)

        return change

    def entry(name, key, value):
        def change(m):
            files = m.get("files")
            if isinstance(files, dict) and isinstance(files.get(name), dict):
                files[name][key] = value

        return change

    def top(key, value):
        return lambda m: m.__setitem__(key, value)

    def add(name):
        def change(m):
            if isinstance(m.get("files"), dict):
                m["files"][name] = {"bytes": 0, "sha256": hashlib.sha256(b"").hexdigest()}

        return change

    listed = st.sampled_from(["results.npz", "metadata.json", "results.csv"])
    return st.one_of(
        st.builds(rename, listed, st.sampled_from(NAMES)),
        st.builds(entry, listed, st.sampled_from(["bytes", "sha256"]), st.sampled_from(ENTRY_VALUES)),
        st.builds(
            top,
            st.sampled_from(["state", "format", "version", "files", "previous"]),
            st.sampled_from(["writing", "complete", None, 1, [], {}, "structural_plasticity results folder"]),
        ),
        st.builds(add, st.sampled_from(NAMES)),
    )


@settings(max_examples=max(FAST_EXAMPLES * 4, 100), derandomize="SP_FUZZ_EXAMPLES" not in os.environ, **_FUZZ_SETTINGS)
@given(data=st.data())
def test_mutated_manifests_are_read_or_refused_in_one_line(results_folder, tmp_path_factory, data):
    import shutil

    folder = tmp_path_factory.mktemp("manifest") / "run"
    shutil.copytree(results_folder, folder)
    (folder / "sub").mkdir()
    os.mkfifo(folder / "fifo")
    os.symlink("/etc/passwd", folder / "link")
    manifest = json.loads((folder / "manifest.json").read_text())
    for change in data.draw(st.lists(manifest_mutations(), min_size=1, max_size=3)):
        change(manifest)
    raw = json.dumps(manifest).encode()
    if data.draw(st.booleans()):  # and sometimes its bytes
        at = data.draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([raw[at] ^ data.draw(st.integers(1, 255))]) + raw[at + 1 :]
    (folder / "manifest.json").write_bytes(raw)
    outside = sorted(os.listdir(folder.parent))
    with within(30):
        try:
            results = load_results(folder)
        except ConfigurationError as exc:
            assert "\n" not in str(exc), str(exc)
        else:
            assert results.metadata["rng_seed"] == 1 and len(results) == 4
        assert run_state(folder) in ("completed", "incomplete")
        try:
            names = folders.package_files(folder)
        except folders.ManifestError as exc:
            assert "\n" not in str(exc)
        else:
            assert all("/" not in name and name not in ("", ".", "..") for name in names)
            assert not {"sub", "fifo", "link"} & set(names)  # never something that is not a regular file
    assert sorted(os.listdir(folder.parent)) == outside  # nothing written or removed beside the folder
