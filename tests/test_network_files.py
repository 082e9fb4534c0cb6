"""Saved networks are checked, not trusted (issue 22, family 1): the one reader, `networks.state.load_network`.

A checksum proves that a file is intact, not that it is sane: anyone can edit a network file and compute
the package's digest again. Every file here is *tampered* that way (changed and re-signed), unless the
test says otherwise, and must be refused with one line before NEST sees a value of it. Inputs that once
crashed NEST or exhausted the machine run in a subprocess under a memory limit (`in_child`), so that a
regression fails the test instead of taking the machine down.
"""

import io
import json
import os
import zipfile
import zlib

import numpy as np
import pytest
from conftest import SMALL, fast_growth
from hostile import in_child, one_line_error, resigned, run_limited

from structural_plasticity import ConfigurationError, StructuralPlasticityExample
from structural_plasticity.networks import state

TINY = ["--n-exc", "80", "--n-inh", "20", "--record-interval", "500", "--t-sim", "1", "--no-plot", "-q"]


LOAD = (
    "import sys\n"
    "from structural_plasticity import ConfigurationError\n"
    "from structural_plasticity.networks import state\n"
    "try:\n"
    "    state.load_network(sys.argv[1])\n"
    "except ConfigurationError as exc:\n"
    "    print('refused:', exc)\n"
    "else:\n"
    "    print('accepted')\n"
)


def refused_in_child(path, *fragments):
    out = in_child(LOAD, path)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr[-3000:]
    line = out.stdout.strip()
    assert line.startswith("refused:") and "\n" not in line, line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """A small network grown for 2 s with synapses in every pathway, saved (untampered)."""
    params = dict(SMALL, t_sim=2000.0, **fast_growth())
    network = StructuralPlasticityExample(**params)
    network.run()
    path = tmp_path_factory.mktemp("grown") / "network.npz"
    network.save_network(path)
    return {"params": params, "path": path}


def tamper(src, dst, change):
    """Copy the network file `src` to `dst` with ``change(arrays, meta)`` applied and the digest recomputed."""
    with np.load(src, allow_pickle=False) as data:
        return resigned({name: data[name] for name in data.files}, [change], dst)


def with_bomb(src, dst, names, shape, real=True):
    """Copy `src` to `dst`, replacing the members `names` by arrays of their dtype whose headers declare `shape`.

    With `real`, each member is a true deflate bomb: the declared bytes of zeros (8 GiB for ``(2**30,)``
    of float64) in a few MB, so a reader that decompresses first runs out of memory. Otherwise only the
    header is stored, and the member claims the size of its header's array.
    """
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            name = info.filename[:-4]
            if name not in names:
                zout.writestr(info, zin.read(info))
                continue
            with zin.open(info) as fh:  # the member's own dtype, another shape
                np.lib.format.read_magic(fh)
                dtype = np.lib.format.read_array_header_1_0(fh)[2]
            header = _npy_header(shape, dtype)
            nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
            if real:
                compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
                start = compressor.compress(header) + compressor.flush(zlib.Z_FULL_FLUSH)
                block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
                assert nbytes % (1 << 20) == 0
                raw = start + block * (nbytes >> 20) + compressor.flush()
            else:
                raw = header
            member = zipfile.ZipInfo(info.filename)
            with zout.open(member, "w", force_zip64=True) as fh:
                fh.write(raw)
            # The central directory now claims a deflated member of the header's full size.
            entry = zout.filelist[-1]
            entry.compress_type = zipfile.ZIP_DEFLATED if real else zipfile.ZIP_STORED
            entry.file_size = len(header) + nbytes
    return dst


def _npy_header(shape, dtype):
    """The bytes numpy writes before the data of an array (magic, version, header)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": tuple(shape)}
    )
    return buffer.getvalue()


# ----------------------------------------------------------------------------------------------------
# Values that crashed NEST or exhausted memory: refused before NEST, in a child under a memory limit
# ----------------------------------------------------------------------------------------------------
def refused_on_the_command_line(network, tmp_path, *fragments):
    one_line_error(run_limited(*TINY, "--from-network", network, "-o", tmp_path / "out"), *fragments)
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_element_counts_of_a_billion_are_refused_before_nest(grown, tmp_path):
    """z = 1e9 once aborted NEST with std::bad_alloc (exit 134): the same limit as an initial z by keyword."""

    def huge(arrays, meta):
        arrays["element_z"][arrays["element_growth_curve"] != ""] = 1e9

    refused_on_the_command_line(tamper(grown["path"], tmp_path / "z.npz", huge), tmp_path, "above 1000")


def test_a_delay_of_a_million_ms_is_refused_before_nest(grown, tmp_path):
    """A delay of 1e6 ms once took 23.6 GB (NEST's ring buffers) until the kernel killed the process."""

    def slow(arrays, meta):
        arrays["synapse_delay"][0] = 1e6

    network = tamper(grown["path"], tmp_path / "delay.npz", slow)
    refused_on_the_command_line(network, tmp_path, "steps of dt", "at most 10000")


def test_an_untampered_network_grown_at_a_finer_dt_is_refused_with_the_fix(tmp_path):
    """Grown at dt = delay = 0.01 ms, restored at the default dt (0.1 ms): NEST raised BadDelay."""
    params = dict(SMALL, t_sim=500.0, record_interval=500.0, dt=0.01, delay=0.01, update_interval=10.0)
    network = StructuralPlasticityExample(**params)
    network.run()
    path = tmp_path / "fine.npz"
    network.save_network(path)
    restored = StructuralPlasticityExample(**dict(SMALL, initial_network=str(path), t_sim=500.0))
    with pytest.raises(ConfigurationError, match=r"at least the resolution dt .*restore it with --dt 0.01") as info:
        restored.build()
    assert "\n" not in str(info.value)
    again = StructuralPlasticityExample(**dict(params, initial_network=str(path)))
    again.build()  # at its own resolution it restores
    assert again.results.metadata["initial_network"]["n_synapses"] == state.load_network(path).n_synapses


def test_a_deflate_bomb_is_refused_before_it_is_decompressed(grown, tmp_path):
    """8 GiB of zeros deflated into 8 MB: the headers declare 2**30 synapses; nothing is decompressed."""
    names = ("synapse_source", "synapse_target", "synapse_model", "synapse_weight", "synapse_delay")
    bomb = with_bomb(grown["path"], tmp_path / "bomb.npz", names, (2**30,))
    assert bomb.stat().st_size < 50e6
    refused_in_child(bomb, "1073741824 synapses", "GB per process")
    one = with_bomb(grown["path"], tmp_path / "one.npz", ("neuron_Ca",), (2**30,))
    refused_in_child(one, "'neuron_Ca' has shape (1073741824,), expected (100,)")


def test_a_header_claiming_a_trillion_elements_is_refused(grown, tmp_path):
    fake = with_bomb(grown["path"], tmp_path / "trillion.npz", ("synapse_weight",), (10**12,), real=False)
    refused_in_child(fake, "'synapse_weight' has shape (1000000000000,)")
    lying = with_bomb(grown["path"], tmp_path / "lying.npz", ("synapse_weight",), (10**12,), real=False)
    with zipfile.ZipFile(lying) as z:  # a member whose declared size is not its header's
        assert z.getinfo("synapse_weight.npy").file_size == 8 * 10**12 + 128


def test_a_sparse_file_of_100_gb_is_refused_without_reading_it(tmp_path):
    sparse = tmp_path / "sparse.npz"
    with open(sparse, "wb") as fh:
        fh.truncate(100 * 10**9)  # no disk space used
    try:
        refused_in_child(sparse, "GB, more than the", "this process may use")
    finally:
        sparse.unlink()


def test_fifos_and_devices_are_refused_without_waiting(tmp_path):
    fifo = tmp_path / "fifo.npz"
    os.mkfifo(fifo)
    refused_in_child(fifo, "not a regular file")
    refused_in_child("/dev/zero", "not a regular file")
    with pytest.raises(ConfigurationError, match="is a folder"):
        state.load_network(tmp_path)


# ----------------------------------------------------------------------------------------------------
# Values that do not fit the declared network: refused by the reader (no NEST needed)
# ----------------------------------------------------------------------------------------------------
def _set(array_name, index, value):
    def change(arrays, meta):
        arrays[array_name][index] = value

    return change


def _replace(array_name, value):
    def change(arrays, meta):
        arrays[array_name] = value

    return change


def _meta(**values):
    def change(arrays, meta):
        meta.update(values)

    return change


def _rename_model(arrays, meta):
    meta["synapse_models"] = [m + "_renamed" for m in meta["synapse_models"]]


def _rename_population_model(arrays, meta):
    meta["populations"][0]["elements"] = ["Nonexistent"]


TAMPERED = {
    "ca_huge": (_set("neuron_Ca", 0, 1.7e308), "'neuron_Ca' holds values beyond ±1e+100"),
    "ca_negative": (_set("neuron_Ca", 0, -1.0), "Ca is negative"),
    "population_negative": (_set("neuron_population", 0, -1), "names a population the file does not list"),
    "population_too_large": (_set("neuron_population", 0, 7), "names a population the file does not list"),
    "weights_as_strings": (_replace("synapse_weight", np.array(["x"] * 3)), "'synapse_weight' has dtype <U1"),
    "ids_as_strings": (_replace("neuron_id", np.array(["1"] * 100)), "'neuron_id' has dtype"),
    "models_renamed": (_rename_model, "renamed"),
    "elements_unknown": (_rename_population_model, "elements the file does not list"),
    "shape_2d": (_replace("neuron_V_m", np.zeros((100, 2))), "'neuron_V_m' has shape (100, 2), expected (100,)"),
    "shape_short": (_replace("element_z", np.zeros((100, 1))), "'element_z' has shape (100, 1)"),
    "synapse_lengths": (_replace("synapse_delay", np.ones(2)), "'synapse_delay' has shape (2,)"),
    "extra_array": (_replace("payload", np.zeros(10)), "arrays the format does not have (payload)"),
    "big_endian": (_replace("neuron_V_m", np.zeros(100, dtype=">f8")), "'neuron_V_m' has dtype >f8"),
    "time_nan": (_meta(time_ms=float("nan")), "saved time nan"),
    "time_huge": (_meta(time_ms=1e300), "saved time 1e+300"),
    "time_negative": (_meta(time_ms=-1e300), "saved time -1e+300"),
    "time_string": (_meta(time_ms="soon"), "saved time 'soon'"),
    "sizes_huge": (_meta(populations=[{"name": "e", "size": 10**9, "model": "x", "elements": [], "params": {}}]), "GB"),
    "populations_text": (_meta(populations="e,i"), "'populations' is not a list"),
    "input_rate": (_meta(input={"rate": 1e30, "weight": 1.0, "delay": 1.0}), "above 1e+09 Hz"),
    "input_delay": (_meta(input={"rate": 1.0, "weight": 1.0, "delay": -1.0}), "not a positive time"),
    "nan_param": (_meta(populations=None), "'populations' is not a list"),
    "z_negative": (_set("element_z", (0, 0), -3.0), "z is negative"),
    "growth_curve_unknown": (_set("element_growth_curve", (0, 0), "bogus"), "a growth curve is not one of"),
    "deep_meta": (_meta(parameters=json.loads("[" * 70 + "]" * 70)), "nests deeper than"),
    "input_target_unknown": (_set("input_target", 0, 10**6), "targets a neuron the file does not hold"),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_values_that_do_not_fit_the_declared_network_are_refused(grown, tmp_path, case):
    change, message = TAMPERED[case]
    path = tamper(grown["path"], tmp_path / f"{case}.npz", change)
    with pytest.raises(ConfigurationError, match=None) as info:
        state.load_network(path)
    assert message in str(info.value) and "\n" not in str(info.value), str(info.value)


def test_the_neuron_parameters_in_the_metadata_pass_the_keyword_limits(grown, tmp_path):
    def beta(arrays, meta):
        meta["populations"][0]["params"]["beta_Ca"] = 1e200

    with pytest.raises(ConfigurationError, match="beyond any meaningful value"):
        state.load_network(tamper(grown["path"], tmp_path / "beta.npz", beta))


def test_an_untampered_file_is_read_and_its_arrays_are_exactly_the_saved_ones(grown):
    saved = state.load_network(grown["path"])
    with np.load(grown["path"], allow_pickle=False) as data:
        for name in data.files:
            if name != "meta":
                assert np.array_equal(saved.arrays[name], data[name], equal_nan=data[name].dtype.kind == "f"), name
    assert saved.n_neurons == 100 and saved.n_synapses > 10
