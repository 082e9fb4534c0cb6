"""The structural update done by the package: its bookkeeping against NEST, threads, saved networks, bad input.

The element integration itself is compared with NEST's own in tests/test_plasticity_elements.py; the
statistics of whole runs against NEST's update are slow tests in tests/test_engine_equivalence.py.
"""

import warnings
from collections import Counter

import numpy as np
import pytest
from conftest import SMALL, fast_growth

from structural_plasticity import ConfigurationError, StructuralPlasticityExample
from structural_plasticity.errors import PerformanceWarning
from structural_plasticity.experiments import AssemblyExperiment
from structural_plasticity.networks import GallinaroRotterNetwork, checks, updates
from structural_plasticity.networks.package_update import PackageUpdate


def nest_synapses(network, model):
    """Return NEST's synapses of `model` as a Counter of (source id, target id); silenced ones (weight 0) left out."""
    import nest

    conns = nest.GetConnections(synapse_model=model)
    if not len(conns):
        return Counter()
    values = conns.get(["source", "target", "weight"])
    alive = np.atleast_1d(values["weight"]) != 0.0
    source, target = np.atleast_1d(values["source"])[alive], np.atleast_1d(values["target"])[alive]
    return Counter(zip(source.tolist(), target.tolist()))


def check_bookkeeping(update, after_update=True):
    """Assert what must hold in the package's update: its lists, its counts and NEST agree; and right after an
    update no neuron has more bound elements than whole elements (between updates z may fall below them)."""
    network = update.network
    elements = update.elements
    for model, syn in network.structure.synapses.items():
        table = update.synapses[model]
        mine = Counter(zip(update.ids[table.sources].tolist(), update.ids[table.targets].tolist()))
        assert mine == nest_synapses(network, model), model
        for element, degree in ((syn.pre_element, table.out_degree), (syn.post_element, table.in_degree)):
            bound = sum(  # every model that binds this element counts
                (update.synapses[m].out_degree if s.pre_element == element else 0)
                + (update.synapses[m].in_degree if s.post_element == element else 0)
                for m, s in network.structure.synapses.items()
            )
            assert np.array_equal(elements.connected[element], bound[update.local]), element
    for element in elements.names if after_update else ():
        has = elements.has[element]
        assert np.all(elements.connected[element][has] <= np.floor(elements.z[element][has])), element


@pytest.fixture
def checked_updates(monkeypatch):
    """Run `check_bookkeeping` after every update of the package; return the list of updates seen."""
    seen = []
    original = PackageUpdate.update

    def update(self):
        original(self)
        check_bookkeeping(self)
        seen.append(self.stats["updates"])

    monkeypatch.setattr(PackageUpdate, "update", update)
    return seen


def test_the_names_of_the_updates_are_the_checked_ones():
    assert tuple(updates.UPDATES) == checks.STRUCTURAL_UPDATES


def test_bookkeeping_agrees_with_nest_at_every_update(checked_updates):
    network = StructuralPlasticityExample(**SMALL, **fast_growth(), structural_update="package")
    results = network.run()
    assert len(checked_updates) == 40  # 4 s at 100 ms, the first at t = 0
    meta = results.metadata["structural_update"]
    assert meta["engine"] == "package" and meta["updates"] == 40
    assert meta["synapses_created"] > 100 and meta["synapses_deleted"] > 0  # both happened
    assert results["connections_ee"][-1] + results["connections_ii"][-1] > 0
    assert results.metadata["parameters"]["structural_update"] == "package"


def test_static_pathways_are_never_touched(checked_updates):
    network = GallinaroRotterNetwork(  # a target above the small network's ~53 Hz, so that E->E synapses stay
        number_excitatory_neurons=80,
        number_inhibitory_neurons=20,
        target_rate=80.0,
        t_sim=2000.0,
        structural_update="package",
    )
    network.build()
    before = {p.name: nest_synapses(network, p.name) for p in network.structure.pathways}
    network.simulate()
    assert {p.name: nest_synapses(network, p.name) for p in network.structure.pathways} == before
    assert network.results["connections_ee"][-1] > 0
    assert checked_updates


def test_threads_run_with_the_package_update_and_not_with_nests():
    network = StructuralPlasticityExample(**dict(SMALL, t_sim=1000.0), structural_update="package", threads=2)
    results = network.run()
    import nest

    assert nest.local_num_threads == 2
    assert len(results["time"]) == 2
    with pytest.raises(ConfigurationError, match="structural_update='package'"):
        StructuralPlasticityExample(threads=2)


def test_more_threads_than_cores_is_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        StructuralPlasticityExample(structural_update="package", threads=512)
    assert any(issubclass(w.category, PerformanceWarning) and "512" in str(w.message) for w in caught)


@pytest.mark.parametrize("value", ["NEST", "numpy", 1, None])
def test_an_unknown_update_is_refused(value):
    with pytest.raises(ConfigurationError, match="structural_update must be (one of 'nest', 'package'|a string)"):
        StructuralPlasticityExample(structural_update=value)


def test_a_saved_network_restores_into_either_update(tmp_path):
    """Grown by the package, saved, restored by NEST and by the package: elements, Ca and synapses as saved."""
    import nest

    from structural_plasticity.networks import state

    grown = StructuralPlasticityExample(**SMALL, **fast_growth(), structural_update="package")
    grown.run()
    path = grown.save_network(tmp_path / "grown.npz")
    saved = state.load_network(path)
    for engine in ("nest", "package"):
        restored = StructuralPlasticityExample(
            **dict(SMALL, t_sim=500.0), **fast_growth(), initial_network=str(path), structural_update=engine
        )
        restored.build()
        restored.updater.start()
        everyone = restored.nodes["e"] + restored.nodes["i"]
        table = restored.updater.element_table(everyone)
        columns = [saved.meta["element_names"].index(e) for e in restored.structure.element_names]
        for key in ("z", "z_connected"):
            assert np.array_equal(
                np.nan_to_num(table[key]), np.nan_to_num(saved.arrays[f"element_{key}"][:, columns])
            ), (engine, key)
        assert np.array_equal(np.asarray(everyone.get("Ca")), saved.arrays["neuron_Ca"]), engine
        for model in restored.structure.synapses:
            source, target = saved.synapses(model)[:2]
            assert nest_synapses(restored, model) == Counter(zip(source.tolist(), target.tolist())), (engine, model)
        if engine == "package":
            check_bookkeeping(restored.updater, after_update=False)
        nest.ResetKernel()


def test_an_experiment_records_the_package_elements():
    experiment = AssemblyExperiment(
        number_excitatory_neurons=80,
        number_inhibitory_neurons=20,
        target_rate=80.0,
        growth_duration=2000.0,
        stimulation_duration=1000.0,
        after_duration=1000.0,
        decay_duration=1000.0,
        structural_update="package",
    )
    results = experiment.run()
    assert results.metadata["structural_update"]["engine"] == "package"
    elements = [name for name in results.names if name.startswith("elements_")]
    assert elements and all(np.all(np.isfinite(results[name])) for name in elements)
    assert results[elements[0]][-1] > 0


def test_silenced_synapses_are_not_counted_saved_or_snapshotted(tmp_path):
    """The package silences deleted synapses (weight 0) instead of disconnecting them (NEST 3.10 crashes after
    Disconnect between Simulate calls): nothing of the package sees the silent ones."""
    import nest

    from structural_plasticity.networks import state

    network = StructuralPlasticityExample(**SMALL, **fast_growth(), structural_update="package", snapshot_every=1000.0)
    results = network.run()
    update = network.updater
    assert update.stats["deleted"] > 0
    silent = 0
    for model in network.structure.synapses:
        values = nest.GetConnections(synapse_model=model).get(["source", "target", "weight"])
        weight = np.atleast_1d(values["weight"])
        silent += int(np.sum(weight == 0.0))
        alive = Counter(
            zip(
                np.atleast_1d(values["source"])[weight != 0].tolist(),
                np.atleast_1d(values["target"])[weight != 0].tolist(),
            )
        )
        table = update.synapses[model]
        assert alive == Counter(zip(update.ids[table.sources].tolist(), update.ids[table.targets].tolist()))
    assert silent > 0  # there are silent synapses in NEST, and none of them below is counted
    assert sum(results[f"connections_{p}"][-1] for p in ("ee", "ei", "ie", "ii")) == sum(
        len(t) for t in update.synapses.values()
    )
    saved = state.load_network(network.save_network(tmp_path / "net.npz"))
    assert sum(len(saved.synapses(m)[0]) for m in network.structure.synapses) == sum(
        len(t) for t in update.synapses.values()
    )
    assert len(network.snapshots[-1].source) == sum(len(t) for t in update.synapses.values())


def test_disconnecting_instead_of_silencing_keeps_the_bookkeeping(monkeypatch, checked_updates):
    """The Disconnect path (off by default, see package_update's docstring) on a short run: NEST agrees."""
    original = PackageUpdate.start

    def start(self):
        original(self)
        self.silence = False

    monkeypatch.setattr(PackageUpdate, "start", start)
    network = StructuralPlasticityExample(**SMALL, **fast_growth(), structural_update="package")
    network.run()
    assert network.updater.stats["deleted"] > 0 and network.updater.stats["silent"] == 0
    assert len(checked_updates) == 40
