"""Saved networks: how fast saving and restoring are, and how a restored run continues.

Two measurements, each run in fresh processes (NEST has one kernel per process):

``timing``        grow a network (default: NEST's example, 800 + 200 neurons, 150 s), save it, restore it;
                  report the wall time of growing, saving (gather + write), restoring (`build` with
                  ``initial_network``), the file size and the number of synapses.
``continuation``  for a few seeds: one run that grows for ``--grow`` s and continues ``--continue`` s,
                  saving the network when growth ends (``save_network_at``); a restored run with the same
                  seed; and a restored run with another seed. Reports mean Ca and synapse counts per
                  pathway over the continuation, and how much the restored runs differ from the
                  uninterrupted one. The restored run with another seed shows how much of the difference
                  is only other random numbers.

Examples
--------
``python benchmarks/network_state.py timing`` (about 2-3 minutes),
``python benchmarks/network_state.py timing --n-exc 8000 --n-inh 2000 --grow 10 --growth-factor 10``,
``python benchmarks/network_state.py continuation --seeds 1 2 3``.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, os, sys, time
params, mode, path, out = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
import nest  # imported before timing
from structural_plasticity import StructuralPlasticityExample
report = {}
if mode == "grow":
    t = time.perf_counter()
    network = StructuralPlasticityExample(**params)
    results = network.run()
    report["grow_s"] = time.perf_counter() - t
    t = time.perf_counter()
    network.save_network(path)
    report["save_s"] = time.perf_counter() - t
    report["file_mb"] = os.path.getsize(path) / 1e6
    report["series"] = results.as_dict()
    report["series"] = {k: v.tolist() for k, v in report["series"].items()}
elif mode == "restore":
    t = time.perf_counter()
    network = StructuralPlasticityExample(**params, initial_network=path)
    network.build()
    report["restore_s"] = time.perf_counter() - t
    report["restore_inside_s"] = network.results.metadata["initial_network"]["restore_wall_s"]
    report["connect_calls"] = network.results.metadata["initial_network"]["connect_calls"]
    report["n_synapses"] = network.results.metadata["initial_network"]["n_synapses"]
    if params.get("t_sim"):
        results = network.simulate()
        report["series"] = {k: v.tolist() for k, v in results.as_dict().items()}
json.dump(report, open(out, "w"))
"""


def child(params, mode, path, workdir):
    """Run one network in a fresh process and return its JSON report."""
    out = Path(workdir) / f"report-{os.getpid()}-{mode}.json"
    script = Path(workdir) / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYNEST_QUIET="1", MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    run = subprocess.run(
        [sys.executable, str(script), json.dumps(params), mode, str(path), str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise SystemExit(run.stderr[-3000:])
    return json.loads(out.read_text())


def network_params(args, seed):
    params = dict(
        number_excitatory_neurons=args.n_exc,
        number_inhibitory_neurons=args.n_inh,
        rng_seed=seed,
        record_interval=args.record_interval * 1000.0,
    )
    if args.growth_factor != 1:
        from structural_plasticity import StructuralPlasticityExample  # noqa: PLC0415

        params.update(StructuralPlasticityExample.growth_curves_scaled(args.growth_factor))
    return params


def timing(args, workdir):
    params = network_params(args, args.seeds[0])
    path = Path(workdir) / "grown.npz"
    grown = child(dict(params, t_sim=args.grow * 1000.0), "grow", path, workdir)
    restores = [child(params, "restore", path, workdir) for _ in range(args.repeats)]
    return {
        "neurons": args.n_exc + args.n_inh,
        "grown_s_simulated": args.grow,
        "grow_wall_s": grown["grow_s"],
        "save_wall_s": grown["save_s"],
        "file_mb": grown["file_mb"],
        "n_synapses": restores[0]["n_synapses"],
        "restore_wall_s": [r["restore_s"] for r in restores],
        "restore_state_wall_s": [r["restore_inside_s"] for r in restores],
        "connect_calls": restores[0]["connect_calls"],
    }


def _window_means(series, start_s, end_s):
    import numpy as np  # noqa: PLC0415

    t = np.asarray(series["time"])
    mask = (t > start_s + 1e-9) & (t <= end_s + 1e-9)
    keys = [k for k in series if k.startswith(("mean_ca_", "connections_", "rate_"))]
    return {k: float(np.mean(np.asarray(series[k])[mask])) for k in keys}


def continuation(args, workdir):
    rows = []
    for seed in args.seeds:
        params = network_params(args, seed)
        path = Path(workdir) / f"grown-{seed}.npz"
        grow_ms, cont_ms = args.grow * 1000.0, args.continue_s * 1000.0
        whole = child(
            dict(params, t_sim=grow_ms + cont_ms, save_network_path=str(path), save_network_at=grow_ms),
            "grow",
            Path(workdir) / "unused.npz",
            workdir,
        )
        same = child(dict(params, t_sim=cont_ms), "restore", path, workdir)
        other = child(dict(params, t_sim=cont_ms, rng_seed=seed + 1000), "restore", path, workdir)
        end = args.grow + args.continue_s
        row = {"seed": seed}
        for name, report in (("uninterrupted", whole), ("restored_same_seed", same), ("restored_other_seed", other)):
            row[name] = _window_means(report["series"], args.grow, end)
            row[name + "_first_s"] = _window_means(report["series"], args.grow, args.grow + args.first_window)
        rows.append(row)
    return {"grow_s": args.grow, "continue_s": args.continue_s, "runs": rows, "summary": _summary(rows)}


def _summary(rows):
    """Mean over seeds of the relative difference of each quantity from the uninterrupted run."""
    import numpy as np  # noqa: PLC0415

    summary = {}
    for variant in ("restored_same_seed", "restored_other_seed"):
        for window in ("", "_first_s"):
            keys = rows[0]["uninterrupted" + window]
            summary[variant + window] = {
                k: float(
                    np.mean(
                        [
                            abs(r[variant + window][k] - r["uninterrupted" + window][k])
                            / max(abs(r["uninterrupted" + window][k]), 1e-12)
                            for r in rows
                        ]
                    )
                )
                for k in keys
            }
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("timing", "continuation"))
    parser.add_argument("--n-exc", type=int, default=800, help="excitatory neurons (default 800)")
    parser.add_argument("--n-inh", type=int, default=200, help="inhibitory neurons (default 200)")
    parser.add_argument("--grow", type=float, default=150.0, help="simulated growth before saving (s, default 150)")
    parser.add_argument("--continue", dest="continue_s", type=float, default=50.0, help="continuation (s)")
    parser.add_argument("--first-window", type=float, default=5.0, help="early window after restoring (s)")
    parser.add_argument("--growth-factor", type=float, default=1.0, help="multiply every growth rate (default 1)")
    parser.add_argument("--record-interval", type=float, default=1.0, help="sampling interval (s)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[12345])
    parser.add_argument("--repeats", type=int, default=3, help="restores timed (timing)")
    parser.add_argument("-o", "--output", help="write the JSON report here too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        report = timing(args, workdir) if args.what == "timing" else continuation(args, workdir)
    report["argv"] = sys.argv[1:]
    text = json.dumps(report, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")


if __name__ == "__main__":
    main()
