"""The run of a built network: simulate in steps of the record interval, record, stop cleanly on request.

`Running` is a mixin of `PlasticNetwork` (it declares no parameter): `simulate` enables structural
plasticity, starts the recording and runs the protocol inside `running`, which marks the results as
running, then completed, interrupted or failed; `advance` simulates a stretch of time sample by sample.
Ctrl-C and SIGTERM during a run are requests to stop at the next sample (`request_stop`), checked on
every MPI rank at once so that all ranks stop at the same step.
"""

import time
from contextlib import contextmanager

from .. import validation as check
from ..engine import import_nest
from ..interrupts import stop_requests
from . import state


class Running:
    """Mixin: the run loop of a `PlasticNetwork` (see the module docstring)."""

    def run(self, callback=None):
        """Build the network (`build`) and `simulate` it.

        Returns
        -------
        Results
        """
        self.build()
        return self.simulate(callback=callback)

    def simulate(self, callback=None):
        """Enable structural plasticity and simulate `t_sim`, recording every `record_interval`.

        SIGINT (Ctrl-C) during the run stops it after the current interval; what was recorded stays in
        `results`, marked incomplete, and `KeyboardInterrupt` is raised.

        Parameters
        ----------
        callback : callable, optional
            Called as ``callback(self)`` after each sample (progress bars, checkpoints).

        Returns
        -------
        Results
        """
        self.updater.start()
        self.start_recording()
        with self.running():
            self.run_protocol(callback=callback)
        if self.save_network_path is not None and self.save_network_at is None:
            self.save_network(self.save_network_path)
        return self.results

    def run_protocol(self, callback=None):
        """Simulate the run, inside `running`: all of `t_sim` at once here.

        Protocols with phases (interventions between them) override this and call `advance` per phase.

        Parameters
        ----------
        callback : callable, optional
            Called as ``callback(self)`` after each sample.
        """
        self.advance(self.t_sim, callback=callback)

    @contextmanager
    def running(self):
        """Mark the results as running, then completed, interrupted or failed; keep the wall time.

        `simulate` wraps `run_protocol` in it, so a protocol of several phases is one run. SIGINT and
        SIGTERM inside it are requests to stop at the next sample (`request_stop`).
        """
        nest = import_nest()
        meta = self.results.metadata
        meta.update(completed=False, status="running")
        self._started = time.perf_counter()
        self._stop_requested = None
        try:
            # NEST swallows Ctrl-C during `nest.Simulate`; the handlers installed here ask for a stop at the
            # next sample, and a second signal before then ends the process at once. The previous handlers
            # are restored afterwards, leaving the process as it was.
            with stop_requests(self.request_stop):
                yield
        except KeyboardInterrupt:
            meta["status"] = "interrupted"
            raise
        except BaseException as exc:
            meta["status"] = f"failed: {type(exc).__name__}: {exc}"
            raise
        finally:
            meta["wall_time_s"] = time.perf_counter() - self._started
            meta["simulated_time_ms"] = float(nest.biological_time)
        meta.update(completed=True, status="completed")

    def advance(self, duration, callback=None):
        """Simulate `duration` ms in steps of `record_interval`, recording after each step.

        Must run inside `running` after `start_recording`. Stops with `KeyboardInterrupt` after the
        current step when a stop was requested (SIGINT, SIGTERM via `request_stop`) on any MPI rank.

        Parameters
        ----------
        duration : float
            Simulated time (ms); a whole multiple of `record_interval`.
        callback : callable, optional
            Called as ``callback(self)`` after each sample.
        """
        n_samples = check.multiple_of("duration", duration, "record_interval", self.record_interval)
        for _ in range(n_samples):
            self.updater.simulate(self.record_interval)
            self.record()
            if self.save_network_at is not None and abs(self.now_ms() - self.save_network_at) < self.dt / 2:
                self.save_network(self.save_network_path)
            self.results.metadata["wall_time_s"] = time.perf_counter() - self._started
            if callback is not None:
                callback(self)
            # A collective check, so that all ranks stop at the same step and none waits forever.
            if self.comm.any(self._stop_requested is not None):
                raise KeyboardInterrupt(f"stopped by {self._stop_requested or 'a signal on another rank'}")

    def now_ms(self):
        """Return the simulated time (ms) of the network: NEST's clock plus `time_offset_ms` of a restored network."""
        return float(import_nest().biological_time) + self.time_offset_ms

    def save_network(self, path):
        """Save the complete state of the network (neurons, elements, synapses, input, time) to the NPZ file `path`.

        Collective under MPI: every rank must call it; rank 0 writes. See `structural_plasticity.networks.state`.

        Returns
        -------
        pathlib.Path or None
            The file written (on rank 0), None on the other ranks.
        """
        saved = {"path": str(path), "time_ms": self.now_ms()}
        try:
            written = state.save_network(self, path)
        except state.NetworkSaveError as exc:  # a full disk, say: the results say so too
            self.results.metadata.setdefault("saved_networks", []).append(dict(saved, failed=str(exc)))
            raise
        self.results.metadata.setdefault("saved_networks", []).append(saved)
        return written

    @property
    def stop_reason(self):
        """str or None: why the last `simulate` was asked to stop (e.g. ``"SIGINT"``), None if it was not."""
        return self._stop_requested

    def request_stop(self, reason="request"):
        """Ask a running `simulate` to stop after the current interval (e.g. from a SIGTERM handler)."""
        self._stop_requested = reason
