"""Result folders under hostile or unlucky conditions (issue 22, families 2 to 5).

2. A failed save completes or leaves the previous complete unit as it was, and says why.
3. The package removes only files its manifest lists (or, in folders older than manifests, known names).
4. The manifest is read with path rules: plain names of regular files in the folder, bounded sizes and depth.
5. A reader parses the bytes it verified, also while a run saves checkpoints into the folder.

Most tests work in-process on folders written by `Results.save` (no NEST); the few that need a run, a
kill or a hostile file that once hung a reader run in a subprocess with a timeout.
"""

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import run_cli
from hostile import in_child, make_results, one_line_error, resign
from test_robustness import restore_signals  # noqa: F401  (a fixture)

from structural_plasticity import ConfigurationError, cli
from structural_plasticity import folder as folders
from structural_plasticity import load_results
from structural_plasticity.results import run_state

TINY = ["--t-sim", "1", "--n-exc", "80", "--n-inh", "20", "--record-interval", "500", "--seed", "3", "-q"]


def snapshot(folder):
    """Every file of `folder` with its bytes (hidden ones too)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def saved(tmp_path, name="run", **kwargs):
    folder = tmp_path / name
    make_results(**kwargs).save(folder)
    return folder


# ----------------------------------------------------------------------------------------------------
# 2. A failed save destroys nothing
# ----------------------------------------------------------------------------------------------------
def test_a_folder_named_like_a_figure_is_refused_before_anything_runs(tmp_path):
    folder = tmp_path / "f"
    (folder / "overview.png").mkdir(parents=True)
    one_line_error(run_cli(*TINY, "-o", folder), "overview.png is a folder", "move it away")
    assert sorted(os.listdir(folder)) == ["overview.png"]


def test_a_folder_in_the_place_of_a_new_file_leaves_the_unit_complete(tmp_path):
    folder = saved(tmp_path)
    before = snapshot(folder)
    (folder / "overview.png").mkdir()
    with folders.ResultsFolder(folder, overwrite=True) as target:
        with pytest.raises(folders.OutputError, match="overview.png is a folder, where the package writes"):
            target.add_files(lambda unit: (unit / "overview.png").write_bytes(b"figure"))
    assert snapshot(folder) == before and folders.read_manifest(folder)["state"] == "complete"
    assert load_results(folder).metadata["rng_seed"] == 1


@pytest.mark.parametrize("failing_move", [1, 2, 4])
def test_a_save_that_fails_midway_is_undone_and_names_the_cause(tmp_path, monkeypatch, failing_move):
    """Any move of the commit may fail (an I/O error, a file made immutable meanwhile): every move is undone."""
    folder = saved(tmp_path)
    with folders.ResultsFolder(folder, overwrite=True) as target:
        target.add_files(lambda unit: (unit / "overview.png").write_bytes(b"1"))
    before = snapshot(folder)
    rename, calls = os.rename, []

    def flaky(src, dst):
        calls.append(src)
        if len(calls) == failing_move:
            raise OSError(errno.EIO, "Input/output error", str(src))
        return rename(src, dst)

    monkeypatch.setattr(folders.os, "rename", flaky)
    with pytest.raises(folders.OutputError, match="Input/output error") as info:
        make_results(n=6, seed=2).save(folder)
    assert "space" not in str(info.value)  # the message names the cause, not a full disk
    monkeypatch.setattr(folders.os, "rename", rename)
    assert snapshot(folder) == before  # the previous unit, byte for byte, and no temporary file
    assert load_results(folder).metadata["rng_seed"] == 1


def test_a_failing_manifest_write_is_undone(tmp_path, monkeypatch):
    folder = saved(tmp_path)
    before = snapshot(folder)
    stage = folders._stage

    def full(folder_, content, staged):
        if len(staged) == 1:  # the complete manifest, after the "writing" one
            raise OSError(errno.ENOSPC, "No space left on device")
        return stage(folder_, content, staged)

    monkeypatch.setattr(folders, "_stage", full)
    with pytest.raises(folders.OutputError, match="No space left on device.*free some space"):
        make_results(n=6, seed=2).save(folder)
    assert snapshot(folder) == before


@pytest.fixture
def immutable(tmp_path):
    """A function making a file immutable (``chattr +i``), undone after the test; skips where chattr cannot."""
    made = []
    probe = tmp_path / "probe"
    probe.write_bytes(b"")
    if subprocess.run(["chattr", "+i", probe], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root and a file system with attributes)")
    subprocess.run(["chattr", "-i", probe], check=True)

    def make(path):
        subprocess.run(["chattr", "+i", path], check=True)
        made.append(path)

    yield make
    for path in made:
        subprocess.run(["chattr", "-i", path], capture_output=True)


def test_an_immutable_old_figure_is_refused_before_an_overwrite_run(tmp_path, immutable):
    folder = saved(tmp_path)
    with folders.ResultsFolder(folder, overwrite=True) as target:
        target.add_files(lambda unit: (unit / "overview.png").write_bytes(b"1"))
    immutable(folder / "overview.png")
    before = snapshot(folder)
    out = run_cli(*TINY, "--overwrite", "--formats", "pdf", "-o", folder)
    one_line_error(out, "cannot replace", "overview.png (Operation not permitted: it is immutable", "chattr -i")
    assert snapshot(folder) == before and load_results(folder).metadata["rng_seed"] == 1


KILLED_DURING_COMMIT = """
import os, signal, sys
from hostile import make_results
from structural_plasticity import folder as folders
folder = sys.argv[1]
with folders.ResultsFolder(folder) as target:
    target.save_results(make_results(seed=1))              # a checkpoint
    rename = os.rename
    def killed(src, dst):                                  # kill -9 in the middle of the next one
        rename(src, dst)
        os.kill(os.getpid(), signal.SIGKILL)
    folders.os.rename = killed
    target.save_results(make_results(n=6, seed=2))
"""


def test_kill_9_during_a_checkpoint_is_an_unfinished_save_that_overwrite_replaces(tmp_path):
    folder = tmp_path / "run"
    out = subprocess.run(
        [sys.executable, "-c", KILLED_DURING_COMMIT, folder],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=os.path.dirname(__file__)),
    )
    assert out.returncode == -signal.SIGKILL, out.stderr
    (folder / "notes.txt").write_text("mine")
    assert folders.read_manifest(folder)["state"] == "writing"
    with pytest.raises(ConfigurationError, match="unfinished save.*--overwrite"):
        load_results(folder)
    assert run_state(folder) == "incomplete"
    one_line_error(run_cli("plot", folder), "unfinished save", "--overwrite")
    one_line_error(run_cli(*TINY, "--no-plot", "-o", folder), "already holds an unfinished save", "--overwrite")
    assert run_cli(*TINY, "--no-plot", "--overwrite", "-o", folder).returncode == 0
    assert sorted(os.listdir(folder)) == ["manifest.json", "metadata.json", "notes.txt", "results.csv", "results.npz"]
    assert load_results(folder).metadata["completed"] is True


# ----------------------------------------------------------------------------------------------------
# 3. Only files the manifest lists are removed
# ----------------------------------------------------------------------------------------------------
def test_plot_with_other_formats_removes_no_file_the_manifest_does_not_list(tmp_path, restore_signals, capsys):
    folder = saved(tmp_path)
    (folder / "overview.pdf").write_bytes(b"my own pdf")
    (folder / "assembly.png").write_bytes(b"my own png")
    assert cli.main(["plot", str(folder), "--formats", "svg", "-q"]) == 0
    assert (folder / "overview.pdf").read_bytes() == b"my own pdf"
    assert (folder / "assembly.png").read_bytes() == b"my own png"
    assert "overview.svg" in folders.read_manifest(folder)["files"]
    # A file of the user's where plot would write: refused, and kept.
    assert cli.main(["plot", str(folder), "--formats", "pdf", "-q"]) == 2
    assert "overview.pdf is not a file of the package" in capsys.readouterr().err
    assert (folder / "overview.pdf").read_bytes() == b"my own pdf"


def test_overwrite_removes_no_file_the_manifest_does_not_list(tmp_path):
    folder = saved(tmp_path)
    mine = {"signature.txt": b"my table", "lesion.svg": b"my figure", "connectivity.npz": b"my arrays"}
    for name, content in mine.items():
        (folder / name).write_bytes(content)
    make_results(n=6, seed=2).save(folder)  # --overwrite, from Python
    assert all((folder / name).read_bytes() == content for name, content in mine.items())
    assert load_results(folder).metadata["rng_seed"] == 2
    assert not set(mine) & set(folders.read_manifest(folder)["files"])


def test_in_a_folder_older_than_manifests_known_names_are_the_packages(tmp_path):
    folder = saved(tmp_path)
    (folder / "manifest.json").unlink()
    (folder / "overview.png").write_bytes(b"an old figure")
    (folder / "notes.txt").write_text("mine")
    make_results(seed=2).save(folder)
    assert sorted(os.listdir(folder)) == ["manifest.json", "metadata.json", "notes.txt", "results.csv", "results.npz"]


# ----------------------------------------------------------------------------------------------------
# 4. The manifest is read with path rules
# ----------------------------------------------------------------------------------------------------
READ = (
    "import sys\n"
    "from structural_plasticity import ConfigurationError, load_results\n"
    "try:\n"
    "    load_results(sys.argv[1])\n"
    "except ConfigurationError as exc:\n"
    "    print('refused:', exc)\n"
    "else:\n"
    "    print('accepted')\n"
)

EMPTY_SHA = hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize(
    "name, message",
    [
        ("/dev/zero", "is a path"),
        ("../../../../etc/passwd", "is a path"),
        ("sub", "is a folder"),
        ("a\0b", "NUL"),
        (".hidden", "hidden"),
        ("x" * 300, "longer than 255 bytes"),
        ("fifo", "FIFO"),
        ("link", "symbolic link"),
    ],
)
def test_manifest_entries_that_are_not_plain_files_of_the_folder_are_refused(tmp_path, name, message):
    folder = saved(tmp_path)
    (folder / "sub").mkdir()
    os.mkfifo(folder / "fifo")
    os.symlink("/etc/passwd", folder / "link")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name] = {"bytes": 0, "sha256": EMPTY_SHA}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    out = in_child(READ, folder, timeout=30)  # /dev/zero and a FIFO once hung the reader
    assert out.returncode == 0 and out.stdout.startswith("refused:") and message in out.stdout, (out.stdout, out.stderr)
    assert len(out.stdout.strip().splitlines()) == 1
    if name in ("sub", "fifo", "link"):
        # A valid name of something that is not a file of the package: the next save neither lists nor touches it.
        make_results(seed=2).save(folder)
        assert name not in folders.read_manifest(folder)["files"] and os.path.lexists(folder / name)
    else:
        # A name the rules refuse: the next save does not copy it into its manifest, it says what to do.
        with pytest.raises(folders.OutputError, match="remove .*manifest.json"):
            make_results(seed=2).save(folder)


def test_a_manifest_that_lists_no_data_file_is_not_a_run(tmp_path):
    folder = saved(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"] = {}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "results.npz").write_bytes(b"unchecked")
    with pytest.raises(ConfigurationError, match="lists no results.npz, metadata.json"):
        load_results(folder)
    assert run_state(folder) == "incomplete"


def test_deep_or_huge_manifests_and_metadata_are_one_line(tmp_path):
    folder = saved(tmp_path)
    manifest = (folder / "manifest.json").read_bytes()
    (folder / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ConfigurationError, match="nests deeper than") as info:
        load_results(folder)
    assert "\n" not in str(info.value)
    (folder / "manifest.json").write_bytes(b" " * (2 << 20) + manifest)
    with pytest.raises(ConfigurationError, match="more than the 1048576 expected"):
        load_results(folder)
    (folder / "manifest.json").write_bytes(manifest)
    meta = json.loads((folder / "metadata.json").read_text())
    meta["parameters"] = {"model_params": json.loads("[" * 900 + "]" * 900)}
    (folder / "metadata.json").write_text(json.dumps(meta))
    resign(folder)
    with pytest.raises(ConfigurationError, match="metadata.json nests deeper than 64 levels"):
        load_results(folder)
    (folder / "metadata.json").write_text('{"a": ' * 100_000)
    resign(folder)
    with pytest.raises(ConfigurationError, match="metadata.json nests deeper"):
        load_results(folder)


@pytest.mark.parametrize("content", [b"[1]", b"\xff\xfe{}", b"null"])
def test_metadata_that_is_not_an_object_is_refused_by_every_reader(tmp_path, content):
    folder = saved(tmp_path)
    (folder / "metadata.json").write_bytes(content)
    resign(folder)
    with pytest.raises(ConfigurationError, match="metadata.json"):
        load_results(folder)
    assert run_state(folder) == "incomplete"


# ----------------------------------------------------------------------------------------------------
# 5. Readers parse what they verified
# ----------------------------------------------------------------------------------------------------
WRITER = """
import sys, time
from hostile import make_results
from structural_plasticity import folder as folders
with folders.ResultsFolder(sys.argv[1], overwrite=True) as target:
    end = time.monotonic() + float(sys.argv[2])
    k = 0
    while time.monotonic() < end:
        target.save_results(make_results(n=3 + k % 5, seed=None))   # checkpoints of every length, back to back
        k += 1
    print(k)
"""


def test_loads_during_checkpoints_return_one_unit_each(tmp_path):
    """Each load returns series and metadata of the same save (their length is in the metadata)."""
    folder = tmp_path / "run"
    make_results(n=3, seed=None).save(folder)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, folder, "1.5"],
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONPATH=os.path.dirname(__file__)),
    )
    loads, mixed = 0, []
    try:
        while writer.poll() is None:
            results = load_results(folder)
            loads += 1
            if len(results) != results.metadata["rng_seed"]:
                mixed.append((len(results), results.metadata["rng_seed"]))
            time.sleep(0.001)
    finally:
        saves = int(writer.communicate(timeout=30)[0])
    assert loads > 50 and saves > 50, (loads, saves)
    assert not mixed, f"{len(mixed)} of {loads} loads mixed two saves"
