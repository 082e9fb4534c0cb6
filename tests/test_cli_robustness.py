"""The command line against hostile or unlucky input (issue 22, families 6, 7 and 9).

6. Every output path is checked before any simulation; a failed network save is one line, leaves no
   temporary file and is recorded in the metadata.
7. Nesting of ``--set`` values (and of parameters given by keyword) is bounded.
9. No prefix matching of options, ``compare`` sizes NEST's example cannot run, signals from the first
   statement, one-line messages for paths with a newline, a dangling symbolic link as output folder.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import run_cli
from hostile import child_env, one_line_error

from structural_plasticity import ConfigurationError, StructuralPlasticityExample, load_results
from structural_plasticity.cli import SUBCOMMANDS, SimulationCommand, compare, plot
from structural_plasticity.cli.ensemble import build_ensemble_parser, build_merge_parser
from structural_plasticity.cli.parser import UsageError

TINY = ["--t-sim", "2", "--n-exc", "80", "--n-inh", "20", "--record-interval", "500", "--seed", "3", "-q", "--no-plot"]


def refused_before_running(tmp_path, *args, fragments=()):
    """Assert one line and exit 2 for a run with `args`, before anything is simulated or written."""
    out = tmp_path / "out"
    line = one_line_error(run_cli(*TINY, *args, "-o", out, cwd=tmp_path), *fragments)
    assert not out.exists(), line
    return line


# ----------------------------------------------------------------------------------------------------
# 6. --save-network paths
# ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path, fragments",
    [
        ("", ["save_network_path is empty"]),
        ("a" * 256, ["256 bytes long", "at most 255"]),
        ("b" * 304, ["304 bytes long"]),
        ("newdir/", ["names a folder", "newdir/network.npz"]),
        ("out/results.npz", ["inside this run's output folder"]),
        ("out/sub/../net.npz", ["inside this run's output folder"]),
    ],
    ids=["empty", "256", "304", "folder-name", "own-results", "own-folder-dotted"],
)
def test_bad_network_paths_are_refused_before_the_run(tmp_path, path, fragments):
    refused_before_running(tmp_path, "--save-network", path, fragments=fragments)
    assert os.listdir(tmp_path) == []  # nothing written anywhere, no temporary file


def test_a_network_path_inside_another_runs_folder_is_refused_even_with_overwrite(tmp_path):
    other = tmp_path / "other"
    assert run_cli(*TINY, "-o", other).returncode == 0
    before = {p.name: p.read_bytes() for p in other.iterdir()}
    for name in ("manifest.json", "mine.npz"):
        line = refused_before_running(tmp_path, "--save-network", other / name, "--overwrite")
        assert "the results folder of another run" in line
    assert {p.name: p.read_bytes() for p in other.iterdir()} == before


def test_a_network_name_of_255_characters_is_saved(tmp_path):
    name = "n" * 251 + ".npz"
    out = run_cli(*TINY, "--save-network", name, "-o", tmp_path / "out", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert sorted(os.listdir(tmp_path)) == sorted([name, "out"])  # and no temporary file beside it


def test_save_network_at_must_be_a_sample_time(tmp_path):
    refused_before_running(tmp_path, "--save-network", "n.npz", "--save-network-at", "1e-12", fragments=["sample time"])
    with pytest.raises(ConfigurationError, match="sample time"):
        StructuralPlasticityExample(t_sim=2000.0, save_network_path="n.npz", save_network_at=1e-9)


FULL_DISK = """
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)              # writes past the limit fail with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (30000, 30000))  # the results fit, the network file does not
sys.argv = ["structural_plasticity", *sys.argv[1:]]
runpy.run_module("structural_plasticity", run_name="__main__")
"""


@pytest.mark.parametrize("when", [[], ["--save-network-at", "1"]], ids=["at-the-end", "during-the-run"])
def test_a_full_disk_while_saving_the_network_is_one_line_recorded_and_leaves_no_temporary_file(tmp_path, when):
    out = subprocess.run(
        [sys.executable, "-c", FULL_DISK, *TINY, "--save-network", "net.npz", *when, "-o", "run"],
        cwd=tmp_path,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    one_line_error(out, "cannot write network file net.npz (File too large)")
    assert sorted(os.listdir(tmp_path)) == ["run"]  # no network file, no temporary file
    meta = load_results(tmp_path / "run").metadata
    assert meta["saved_networks"][-1]["failed"].startswith("cannot write network file net.npz")
    if when:  # the run stopped at the failed save, and says why
        assert meta["completed"] is False and "NetworkSaveError" in meta["status"]
    else:
        assert meta["completed"] is True


# ----------------------------------------------------------------------------------------------------
# 7. Nesting of --set values
# ----------------------------------------------------------------------------------------------------
def test_deeply_nested_set_values_are_one_line(tmp_path):
    refused_before_running(tmp_path, "--set", "model_params=" + "[" * 3000, fragments=["nests brackets"])
    deep = '{"a": ' * 850 + "1" + "}" * 850
    refused_before_running(tmp_path, "--set", f"model_params={deep}", fragments=["more than 32 levels"])
    value = {}
    for _ in range(900):
        value = {"a": value}
    with pytest.raises(ConfigurationError, match="more than 32 levels") as info:
        StructuralPlasticityExample(model_params=value)
    assert "\n" not in str(info.value)


# ----------------------------------------------------------------------------------------------------
# 9. Smaller ones
# ----------------------------------------------------------------------------------------------------
def _parsers():
    parsers = {
        name: command.build_parser() for name, command in SUBCOMMANDS.items() if isinstance(command, SimulationCommand)
    }
    parsers.update(plot=plot.build_parser(), compare=compare.build_parser(), merge=build_merge_parser())
    parsers["ensemble"] = build_ensemble_parser({})
    return parsers


@pytest.mark.parametrize("name", sorted(_parsers()))
def test_no_parser_matches_long_options_by_prefix(name):
    parser = _parsers()[name]
    assert parser.allow_abbrev is False
    flags = [flag for action in parser._actions for flag in action.option_strings if flag.startswith("--")]
    for flag in flags:
        prefix = flag[:-2]
        if prefix in flags or len(prefix) < 3:
            continue
        with pytest.raises(UsageError, match="unrecognized arguments"):
            parser.check_args([prefix, "1"] + (["folder"] if name in ("plot", "merge") else []))


def test_an_abbreviation_is_an_error_not_another_option(tmp_path):
    # --record-int is a prefix of --record-interval (and of nothing else): refused, not read as that option.
    one_line_error(run_cli(*TINY, "--record-int", "500", "-o", tmp_path / "o"), "unrecognized arguments: --record-int")
    one_line_error(run_cli("lesion", "--recov", "2", "-o", tmp_path / "o"), "unrecognized arguments: --recov")


def test_compare_refuses_sizes_nests_example_cannot_run():
    for sizes in (["--n-exc", "8", "--n-inh", "1"], ["--n-exc", "1", "--n-inh", "8"]):
        one_line_error(run_cli("compare", "--t-sim", "1", *sizes, "-q"), "fewer than 2 neurons")


def _catches(pid, signum):
    """Whether process `pid` has a handler installed for `signum` (``SigCgt`` of /proc/PID/status)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            caught = next(line for line in fh if line.startswith("SigCgt:")).split()[1]
    except (OSError, StopIteration):
        return False
    return bool(int(caught, 16) >> (signum - 1) & 1)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signals_at_start_up_end_the_program_with_one_line_and_its_status(tmp_path, signum, status):
    """The handlers are installed by the package's first statement, long before the command line runs."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "structural_plasticity", *TINY, "-o", tmp_path / "o"],
        env=child_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    while not _catches(proc.pid, signal.SIGTERM) and proc.poll() is None:
        time.sleep(0.002)
    installed = time.monotonic() - started
    proc.send_signal(signum)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == status, (proc.returncode, err, installed)
    assert err.strip() == "python -m structural_plasticity: interrupted", err
    assert not (tmp_path / "o").exists()


def test_a_path_with_a_newline_stays_on_one_line(tmp_path):
    folder = tmp_path / "two\nlines"
    folder.mkdir()
    line = one_line_error(run_cli("plot", folder), "two\\nlines does not hold saved results")
    assert "\n" not in line
    one_line_error(run_cli(*TINY, "--save-network", "a\nb/", "-o", tmp_path / "o"), "a\\nb/")


def test_a_dangling_symbolic_link_as_output_folder_says_so(tmp_path):
    (tmp_path / "link").symlink_to(tmp_path / "gone")
    one_line_error(run_cli(*TINY, "-o", tmp_path / "link"), "symbolic link to", "gone, which does not exist")
    (tmp_path / "parent").symlink_to(tmp_path / "gone")
    one_line_error(run_cli(*TINY, "-o", tmp_path / "parent" / "run"), "symbolic link to", "does not exist")
    assert not (tmp_path / "gone").exists()
