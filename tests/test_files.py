"""The registry of file names and the one atomic writer (`structural_plasticity.files`)."""

import json
import os

import numpy as np
import pytest

from structural_plasticity import Results, files
from structural_plasticity import folder as folders


def test_an_atomic_write_replaces_the_file_only_when_complete(tmp_path):
    path = tmp_path / "network.npz"
    with files.atomic_write(path, "wb") as fh:
        np.savez(fh, x=np.arange(3))
        assert not path.exists()  # nothing at the path until the block ends
    with np.load(path) as data:
        assert data["x"].tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError):
        with files.atomic_write(path, "wb") as fh:
            fh.write(b"half a file")
            raise RuntimeError("killed while writing")
    with np.load(path) as data:  # the file keeps what it held
        assert data["x"].tolist() == [0, 1, 2]
    assert os.listdir(tmp_path) == ["network.npz"]  # and no temporary file is left


def test_write_json_writes_one_json_document_with_a_final_newline(tmp_path):
    files.write_json(tmp_path / "a.json", {"b": [1, 2]}, indent=1)
    text = (tmp_path / "a.json").read_text()
    assert text.endswith("}\n") and json.loads(text) == {"b": [1, 2]}


def test_temporary_names_lead_back_to_the_file_they_become(tmp_path):
    tmp = files.temporary_path(tmp_path / "results.npz")
    assert tmp.parent == tmp_path and tmp.name.startswith(".results.npz" + files.TEMP_MARK)
    assert files.temporary_target(tmp.name) == "results.npz"
    assert files.temporary_target("results.npz") is None and files.temporary_target(".hidden") is None
    assert tmp != files.temporary_path(tmp_path / "results.npz")  # unique per call


def test_the_registry_names_every_file_a_results_folder_holds(tmp_path):
    """A run's folder holds only names of the registry (data, manifest, figures), and the folder knows them all."""
    results = Results({"time": [1.0, 2.0], "mean_ca_e": [0.1, 0.2]}, {"completed": True}, arrays={"a": [1, 2]})
    for attachment in (files.CONNECTIVITY_NPZ, files.POSITIONS_NPZ, files.MAPS_NPZ):
        results.attachments[attachment] = lambda: {"time": np.zeros(1)}
    results.attachments[files.RECORDING_NPZ] = lambda: {"time_s": np.zeros(1)}
    with folders.ResultsFolder(tmp_path / "r", overwrite=True) as folder:
        folder.save_results(results, extra_files={files.SIGNATURE_TXT: "table"})
        folder.add_files(lambda unit: (unit / f"{files.MAIN_FIGURE}.png").write_bytes(b"png"))
    written = set(os.listdir(tmp_path / "r"))
    assert written == set(files.PACKAGE_FILES) | {f"{files.MAIN_FIGURE}.png"}
    assert written <= files.package_names()
    assert set(folders.package_files(tmp_path / "r")) == written  # what --overwrite would replace
    (tmp_path / "r" / "notes.txt").write_text("the user's")  # not ours: never listed, never removed
    assert "notes.txt" not in folders.package_files(tmp_path / "r")
