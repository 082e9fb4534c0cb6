"""Agreement with NEST's own structural plasticity example, run side by side in the same process.

NEST ships its example in the ``nest-simulator`` wheel (``<nest>/doc/examples/pynest/structural_plasticity.py``,
class ``StructralPlasticityExample``). `compare_with_nest_example` loads that file from the installed
NEST, runs it with a fixed seed, then runs `StructuralPlasticityExample` configured the same way and
reports the largest absolute difference of every series NEST's example records. Beyond those four
series it also compares the complete final state of both networks: every neuron's membrane potential,
Ca and synaptic elements, and the list of synapses. With the same NEST, seed and parameters all
differences are exactly 0: both programs make the same kernel calls in the same order, and the only
extra node of the package (its spike recorder) is created after all nodes of the network, so that
node ids and random streams are the same.

Two settings make the package read the network the way NEST's example does:

* ``ca_readout="state"``: the mean of NEST's stored ``Ca``, the very numbers NEST's example averages.
  NEST 3.10 brings every neuron's Ca (and synaptic elements) to the current time at the end of each
  ``Simulate`` call, so the package's default ``"spikes"`` read-out (Ca rebuilt from spike times) gives
  the same values up to rounding (relative differences of about 1e-15), but not bit for bit.
* ``model_params`` stay NEST's defaults of ``iaf_psc_alpha``, which is what NEST's example really
  runs (it declares other parameters but never applies them).

Both programs must also call ``Simulate`` in the same steps (one ``record_interval`` each): because of
that end-of-call update, NEST integrates the synaptic elements in stretches that end at every
``Simulate`` call, and other steps give slightly different elements (about 1e-8) and, sooner or later,
different synapses.

The command line runs this as ``python -m structural_plasticity compare`` (`structural_plasticity.cli.compare`).
"""

import contextlib
import importlib.util
import io
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .engine import import_nest, nest_rejections
from .errors import ConfigurationError
from .networks import StructuralPlasticityExample

#: The series NEST's example records, compared one by one.
SERIES = ("mean_ca_e", "mean_ca_i", "total_connections_e", "total_connections_i")

#: Final network state compared after both runs (besides the synapse lists).
STATE = ("V_m", "Ca", "z")

#: Parameters that both NEST's example and the package read, and so can be set for a comparison.
#: (NEST's example hard-codes the neuron model, its parameters and the delay, so those are left out.)
SHARED_PARAMETERS = (
    "t_sim",
    "dt",
    "number_excitatory_neurons",
    "number_inhibitory_neurons",
    "update_interval",
    "record_interval",
    "bg_rate",
    "psc_e",
    "psc_i",
    "psc_ext",
    "growth_curve_e_e",
    "growth_curve_e_i",
    "growth_curve_i_e",
    "growth_curve_i_i",
)

#: Path of NEST's example inside the installed ``nest`` package.
NEST_EXAMPLE_RELATIVE_PATH = Path("doc", "examples", "pynest", "structural_plasticity.py")

_loaded_example_module = None


def nest_example_path():
    """Return the path of NEST's structural plasticity example in the installed NEST.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ConfigurationError
        If the installed NEST does not ship the example (e.g. a build without its documentation).
    """
    nest = import_nest()
    path = Path(nest.__file__).resolve().parent / NEST_EXAMPLE_RELATIVE_PATH
    if not path.is_file():
        raise ConfigurationError(
            f"this NEST ({nest.__version__}) does not ship its structural plasticity example at {path}; "
            "install NEST from PyPI ('python -m pip install nest-simulator'), whose wheel contains it"
        )
    return path


def load_nest_example():
    """Import NEST's example module from the installed NEST (once per process) and return it.

    The module is executed under a private name and not registered in ``sys.modules``. It imports
    ``matplotlib.pyplot`` at the top (NEST's choice, not ours); nothing here plots.

    Returns
    -------
    module
        With the class ``StructralPlasticityExample``.
    """
    global _loaded_example_module
    if _loaded_example_module is None:
        path = nest_example_path()
        spec = importlib.util.spec_from_file_location("_nest_structural_plasticity_example", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if not hasattr(module, "StructralPlasticityExample"):
            raise ConfigurationError(f"{path} has no class StructralPlasticityExample; this NEST is not supported")
        _loaded_example_module = module
    return _loaded_example_module


@dataclass
class FidelityReport:
    """What `compare_with_nest_example` ran and found.

    Attributes
    ----------
    parameters : dict
        Seed and the shared parameters both programs ran with.
    nest, package : dict of str to numpy.ndarray
        The series recorded by NEST's example and by the package (keys in `SERIES`).
    differences : dict of str to float
        Largest absolute difference of each series (``inf`` if the lengths differ).
    state_differences : dict of str to float
        Largest absolute difference of the final ``V_m``, ``Ca`` and synaptic elements ``z`` of all
        neurons, and ``"synapses"``: the number of (source, target, model) triples found in one network
        but not the other.
    wall_time_s : dict of str to float
        Wall-clock time of each run (s).
    """

    parameters: dict
    nest: dict
    package: dict
    differences: dict = field(default_factory=dict)
    state_differences: dict = field(default_factory=dict)
    wall_time_s: dict = field(default_factory=dict)

    @property
    def largest_difference(self):
        """float: the largest of all differences (series and final state)."""
        return max(list(self.differences.values()) + list(self.state_differences.values()), default=0.0)

    @property
    def exact(self):
        """bool: True when every series and the final state agree exactly (all differences are 0)."""
        return self.largest_difference == 0.0

    @property
    def connections_formed(self):
        """bool: True when any synapse existed at a sample, so the connection series compared something."""
        return any(np.any(self.nest[name] > 0) for name in ("total_connections_e", "total_connections_i"))

    def table(self):
        """Return a plain-text table: final value of each series in both runs and the largest difference."""
        rows = [("quantity", "NEST's example", "package", "largest |difference|")]
        for name in SERIES:
            a, b = self.nest[name], self.package[name]
            rows.append((name, _last(a), _last(b), f"{self.differences[name]:.3g}"))
        for name, value in self.state_differences.items():
            label = f"final {name} of all neurons" if name in STATE else "synapses in only one network"
            rows.append((label, "", "", f"{value:.3g}"))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = [
            "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _last(values):
    return f"{values[-1]:.10g}" if len(values) else "(none)"


#: Fewest neurons per population NEST's example runs (for one neuron NEST returns a dict, not a list).
MIN_POPULATION = 2


def compare_with_nest_example(
    t_sim=20_000.0,
    rng_seed=12345,
    update_interval=10_000.0,
    number_excitatory_neurons=800,
    number_inhibitory_neurons=200,
    record_interval=1000.0,
    ca_readout="state",
    **parameters,
):
    """Run NEST's example and the package with the same seed and parameters and compare them.

    NEST's example is run first: its ``prepare_simulation()`` resets the kernel, after which
    ``nest.rng_seed`` is set (NEST's example sets no seed itself), then its ``create_nodes``,
    ``connect_external_input`` and ``simulate``, with its printing redirected and without its plot.
    Then `StructuralPlasticityExample` runs (with ``ca_readout="state"`` by default). Each run resets
    NEST's kernel; the kernel is left with the package's network.

    Parameters
    ----------
    t_sim : float
        Simulated (biological) time (ms); a whole multiple of `record_interval`.
    rng_seed : int
        Seed of NEST's random number generators, the same for both runs.
    update_interval : float
        Structural plasticity update interval (ms). 10 000 ms is the value in NEST 3.10's example;
        the package's own default is 100 ms.
    number_excitatory_neurons, number_inhibitory_neurons : int
        Sizes of the two populations.
    record_interval : float
        How often both programs record (ms).
    ca_readout : {"state", "spikes"}
        How the package reads Ca. ``"state"`` reads what NEST's example reads and agrees exactly;
        ``"spikes"`` (the package's default) agrees to rounding only.
    **parameters
        Further parameters read by both programs (names in `SHARED_PARAMETERS`), e.g. ``bg_rate``.

    Returns
    -------
    FidelityReport

    Raises
    ------
    ConfigurationError
        For a parameter NEST's example does not read, for parameters the package rejects, or when NEST
        runs on several MPI processes (NEST's example supports one process only).
    """
    unknown = sorted(set(parameters) - set(SHARED_PARAMETERS))
    if unknown:
        raise ConfigurationError(
            f"NEST's example does not read {', '.join(map(repr, unknown))}, so it cannot be compared; "
            f"parameters both programs read are: {', '.join(SHARED_PARAMETERS)}"
        )
    for name, size in (
        ("number_excitatory_neurons", number_excitatory_neurons),
        ("number_inhibitory_neurons", number_inhibitory_neurons),
    ):
        # NEST's example reads the elements of a population as a list; NEST returns a single neuron's as a dict.
        if isinstance(size, int) and not isinstance(size, bool) and size < MIN_POPULATION:
            raise ConfigurationError(
                f"{name} is {size}: NEST's example cannot run a population of fewer than {MIN_POPULATION} neurons "
                "(it reads their synaptic elements as a list); compare with at least 2 of each"
            )
    shared = dict(
        parameters,
        t_sim=t_sim,
        update_interval=update_interval,
        number_excitatory_neurons=number_excitatory_neurons,
        number_inhibitory_neurons=number_inhibitory_neurons,
        record_interval=record_interval,
    )
    # Built first: the package validates every value before anything is simulated.
    ours = StructuralPlasticityExample(rng_seed=rng_seed, ca_readout=ca_readout, **shared)
    nest = import_nest()
    if nest.NumProcesses() > 1:
        raise ConfigurationError("NEST's example runs on one process only; run the comparison without mpirun")

    reference = load_nest_example().StructralPlasticityExample()
    for name, value in shared.items():
        # The package has validated and converted the value; give NEST's example the same one.
        setattr(reference, name, getattr(ours, name))
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # NEST's example reports progress with print
        with nest_rejections("the parameters given to NEST's example", "check the values given with --set"):
            reference.prepare_simulation()  # resets the kernel, which resets the seed ...
            nest.rng_seed = ours.rng_seed  # ... so the seed is set after it, before any random number is drawn
            reference.create_nodes()
            reference.connect_external_input()
        reference.simulate()
    wall_nest = time.perf_counter() - started
    nest_series = {name: np.asarray(getattr(reference, name), dtype=float) for name in SERIES}
    nest_state = _final_state(nest, reference.nodes_e + reference.nodes_i)

    started = time.perf_counter()
    ours.run()
    wall_package = time.perf_counter() - started
    package_series = {name: np.asarray(getattr(ours, name), dtype=float) for name in SERIES}
    package_state = _final_state(nest, ours.nodes_e + ours.nodes_i)

    return FidelityReport(
        parameters=dict(
            rng_seed=ours.rng_seed, ca_readout=ours.ca_readout, **{name: getattr(ours, name) for name in shared}
        ),
        nest=nest_series,
        package=package_series,
        differences={name: _largest_difference(nest_series[name], package_series[name]) for name in SERIES},
        state_differences=_state_differences(nest_state, package_state),
        wall_time_s={"nest": wall_nest, "package": wall_package},
    )


def _largest_difference(a, b):
    """Largest absolute element-wise difference; ``inf`` if the shapes differ, 0 for two empty arrays."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        diff = np.abs(a - b)
    # Two NaNs in the same place agree; a NaN against a number does not.
    both_nan = np.isnan(a) & np.isnan(b)
    diff[both_nan] = 0.0
    diff[np.isnan(diff)] = np.inf
    return float(diff.max())


def _final_state(nest, neurons):
    """Read V_m, Ca and synaptic elements of `neurons` and all synapses among them."""
    status = neurons.get(["V_m", "Ca", "synaptic_elements"], output="")
    elements = status["synaptic_elements"]
    # Element by element, in a fixed order (names sorted), for every neuron.
    z = [neuron[name]["z"] for neuron in elements for name in sorted(neuron)]
    z_connected = [neuron[name]["z_connected"] for neuron in elements for name in sorted(neuron)]
    synapses = nest.GetConnections(source=neurons, target=neurons)
    counted = Counter()
    if len(synapses):
        triples = synapses.get(["source", "target", "synapse_model"], output="")
        # A Counter, not a set: multapses are possible and each one counts.
        counted.update(zip(*(np.atleast_1d(triples[key]).tolist() for key in ("source", "target", "synapse_model"))))
    return {
        "ids": np.asarray(neurons.tolist()),
        "V_m": np.atleast_1d(np.asarray(status["V_m"], dtype=float)),
        "Ca": np.atleast_1d(np.asarray(status["Ca"], dtype=float)),
        "z": np.asarray(z + z_connected, dtype=float),
        "synapses": dict(counted),
    }


def _state_differences(a, b):
    if not np.array_equal(a["ids"], b["ids"]):
        # Different node ids mean different networks; no element-wise comparison makes sense.
        return {name: float("inf") for name in (*STATE, "synapses")}
    result = {name: _largest_difference(a[name], b[name]) for name in STATE}
    keys = set(a["synapses"]) | set(b["synapses"])
    result["synapses"] = float(sum(abs(a["synapses"].get(k, 0) - b["synapses"].get(k, 0)) for k in keys))
    return result
