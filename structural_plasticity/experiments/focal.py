"""The focal lesion of Butz & van Ooyen (2013): a disc of a 2D sheet loses its input, the cortex rewires into it.

A retinal lesion silences the input of a circumscribed patch of visual cortex, the lesion projection zone
(LPZ). In Butz & van Ooyen's model the deprived neurons grow spines and retract boutons, neurons around
the zone (peri-LPZ) sprout boutons into it, and activity returns from the border of the zone inward. On a
network whose neurons sit on a sheet (a configuration with a `Placement`, such as `ButzSheetNetwork`) and
whose partners are chosen by distance (the package's structural update), `FocalLesionProtocol`

* grows the network from no synapses (``growth``), then at the start of ``recovery`` scales the external
  input weight of every LPZ neuron (excitatory and inhibitory) to `lesion_input_kept` (1.0: a control run
  with the same recording and no lesion);
* divides the sheet into zones by distance from its centre, by count as Sinha et al. (2021) do: the LPZ is
  the `lpz_fraction` of all neurons nearest the centre, its centre the `centre_fraction` of it nearest the
  centre (the rest is the border), the peri-LPZ the next `peri_fraction` times as many; the rest is far;
* records per zone (groups ``centre``, ``border``, ``peri``, ``far`` of the excitatory neurons) Ca, rates,
  every synaptic element per neuron, the synapses between zones, and every sample the synapses formed and
  deleted with each zone as target (spines) and as source (boutons), and by zone pair
  (``formed_<source>_<target>``); and the Ca of every neuron at three times (`map_times`) for the maps;
* from the lesion on, lets the inhibitory dendritic elements of every neuron follow the rule of Sinha et al.
  (`inhibitory_spines` "sinha": retract below the set point, grow above it up to `DEN_IN_EPS_MULTIPLE`
  times it, as `ButzNetwork`'s curve) or keep the growth phase's rule ("unchanged").
"""

import numpy as np

from .. import validation as check
from ..engine import import_nest
from ..errors import ConfigurationError
from ..files import MAPS_NPZ
from .base import Experiment, Phase

#: Upper zero point of the inhibitory dendrites' curve after the lesion, as a multiple of the set point
#: (`ButzNetwork`'s value, from Sinha's branch 20201005-review-sims; their published code uses 3.5 with a
#: slower retraction that NEST's gaussian curve cannot express).
DEN_IN_EPS_MULTIPLE = 1.9
#: The zones, from the centre of the sheet outward.
ZONES = ("centre", "border", "peri", "far")
INHIBITORY_SPINES = ("sinha", "unchanged")


class FocalLesionProtocol(Experiment):
    """Grow a network on a sheet, remove the input of a disc at its centre, record how the zones rewire.

    A protocol for any configuration whose populations sit on a sheet, with an external input and the
    package's structural update (the record of formed and deleted synapses comes from it). See the module
    docstring for the phases, zones and series.

    Parameters
    ----------
    **parameters
        Any parameter of `parameter_names`.
    """

    # === Protocol =====================================================================================
    growth_duration = 150_000.0  # growth from no synapses until settled, before the lesion (ms)
    recovery_duration = 250_000.0  # time recorded after the lesion (ms)
    lesion_input_kept = 0.5  # fraction of their external input weight the LPZ neurons keep (1: control, no lesion)
    lpz_fraction = 0.05  # fraction of all neurons, nearest the sheet's centre, that form the LPZ (Sinha et al.: 0.05)
    centre_fraction = 0.5  # fraction of the LPZ, nearest the centre, that is its centre (Sinha et al.: 0.5)
    peri_fraction = 1.0  # peri-LPZ: this many times the LPZ's neurons, the next nearest (Sinha et al.: 1)
    inhibitory_spines = "sinha"  # rule of Den_in from the lesion on: "sinha" (see DEN_IN_EPS_MULTIPLE) or "unchanged"
    map_times = (5_000.0, 125_000.0, 250_000.0)  # times after the lesion of the Ca maps of every neuron (ms)
    element_groups = ZONES  # the elements of every zone, each sample
    t_sim = growth_duration + recovery_duration  # (ms) always the sum of the phase durations

    def __init__(self, **parameters):
        self.zones = {}  # zone of every neuron of every population: {population: array of zone index (0..3)}
        self._zone_of = None
        self._lesion_ms = None
        self.lpz = None  # the LPZ's neurons (all populations), after create_nodes
        self.maps = {}  # Ca of every neuron at each map time: {time (s): array over neurons in node-id order}
        super().__init__(**parameters)

    def validate(self):
        """Check the protocol's parameters, then those of `Experiment` (and the network)."""
        kept = self.lesion_input_kept
        if isinstance(kept, bool) or not isinstance(kept, (int, float)) or not 0 <= kept <= 1:
            raise ConfigurationError(f"lesion_input_kept must be a number from 0 to 1 (1: no lesion), got {kept!r}")
        for name in ("lpz_fraction", "centre_fraction"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
                raise ConfigurationError(f"{name} must be a number between 0 and 1 (exclusive), got {value!r}")
        self.peri_fraction = check.positive_time("peri_fraction", self.peri_fraction, "(x the LPZ)")
        if self.lpz_fraction * (1 + self.peri_fraction) >= 1:
            raise ConfigurationError(
                f"the LPZ ({self.lpz_fraction:g} of the neurons) and the peri-LPZ ({self.peri_fraction:g} times as many) "
                "leave no neuron far from the lesion; lower lpz_fraction or peri_fraction"
            )
        check.choice("inhibitory_spines", self.inhibitory_spines, INHIBITORY_SPINES)
        times = self.map_times
        if not isinstance(times, (list, tuple)) or len(times) != 3:
            raise ConfigurationError(f"map_times must be three times after the lesion (ms), got {times!r}")
        self.map_times = tuple(check.positive_time("map_times", t) for t in times)
        super().validate()
        structure = self.structure
        if not structure.spatial:
            raise ConfigurationError(
                f"{type(self).__name__} needs a network on a sheet (populations with a Placement), e.g. ButzSheetNetwork"
            )
        if self.structural_update != "package":
            raise ConfigurationError(
                "the focal lesion records the synapses formed and deleted, which only the package's structural update "
                "reports; use structural_update='package' (--structural-update package)"
            )
        for t in self.map_times:
            if t > self.recovery_duration:
                raise ConfigurationError(
                    f"map time {t:g} ms is after the end of recovery ({self.recovery_duration:g} ms); choose earlier times"
                )
            check.multiple_of("map_times", t, "record_interval", self.record_interval)

    def phases(self):
        """Return ``growth``, then ``recovery`` which starts with `lesion`."""
        return [Phase("growth", self.growth_duration), Phase("recovery", self.recovery_duration, self.lesion)]

    # ------------------------------------------------------------------------------------------------
    # Zones
    # ------------------------------------------------------------------------------------------------
    def define_groups(self):
        """Return the zones' excitatory neurons, ``centre``, ``border``, ``peri`` and ``far`` (see the module docstring)."""
        nest = import_nest()
        sheet = self.structure.sheet
        names = [name for name in self.structure.populations if name in self.positions]
        xy = np.concatenate([self.positions[name] for name in names])
        distance = sheet.distance(xy, sheet.size / 2)
        n = len(distance)
        order = np.argsort(distance, kind="stable")
        k_lpz = int(round(self.lpz_fraction * n))
        k_centre = int(round(self.centre_fraction * k_lpz))
        k_peri = int(round(self.peri_fraction * k_lpz))
        if not 0 < k_centre < k_lpz or k_lpz + k_peri >= n:
            raise ConfigurationError(
                f"lpz_fraction {self.lpz_fraction:g} of {n} neurons gives a zone without neurons "
                f"(centre {k_centre}, border {k_lpz - k_centre}, peri {k_peri}); raise lpz_fraction or use a larger sheet"
            )
        zone = np.full(n, 3)
        zone[order[:k_centre]] = 0
        zone[order[k_centre:k_lpz]] = 1
        zone[order[k_lpz : k_lpz + k_peri]] = 2
        ids = np.concatenate([np.asarray(self.nodes[name].tolist()) for name in names])
        start = 0
        for name in names:
            size = len(self.positions[name])
            self.zones[name] = zone[start : start + size]
            start += size
        self.lpz = nest.NodeCollection(sorted(ids[zone <= 1].tolist()))
        excitatory = self.population_acted_on()
        e_ids = np.asarray(self.nodes[excitatory].tolist())
        self._zone_of = np.full(int(ids.max()) + 1, -1)  # zone of every excitatory neuron by node id, -1 for others
        self._zone_of[e_ids] = self.zones[excitatory]
        groups = {}
        for k, name in enumerate(ZONES):
            members = e_ids[self.zones[excitatory] == k]
            if not len(members):
                raise ConfigurationError(f"zone {name!r} holds no {excitatory!r} neuron; change the zone fractions")
            groups[name] = nest.NodeCollection(members.tolist())
        radii = {
            name: float(distance[order[k - 1]])
            for name, k in (("centre", k_centre), ("lpz", k_lpz), ("peri", k_lpz + k_peri))
        }
        self.results.metadata["zones"] = {"radii_um": radii, "lpz_neurons": int(k_lpz), "centre": list(sheet.size / 2)}
        return groups

    def population_acted_on(self):
        """Return the population whose zones are recorded: the configuration's ``EXCITATORY_POPULATION``, or its first."""
        return getattr(self, "EXCITATORY_POPULATION", next(iter(self.structure.populations)))

    # ------------------------------------------------------------------------------------------------
    # The lesion
    # ------------------------------------------------------------------------------------------------
    def lesion(self):
        """Scale the external input of every LPZ neuron to `lesion_input_kept`; switch the inhibitory spines' rule."""
        nest = import_nest()
        weight = self.structure.input.weight * self.lesion_input_kept
        connections = nest.GetConnections(source=self.noise, target=self.lpz)
        if len(connections) and self.lesion_input_kept < 1:
            connections.set(weight=weight)
        if self.inhibitory_spines == "sinha":
            for name, pop in self.structure.populations.items():
                curve, target = pop.elements.get("Den_in"), pop.target()
                if curve is not None and target is not None:
                    sinha = dict(curve, eta=target, eps=DEN_IN_EPS_MULTIPLE * target)
                    self.updater.set_growth_curve(self.nodes[name], "Den_in", sinha)
        self.results.metadata["lesion"] = {
            "time_s": self.now_ms() / 1000.0,
            "input_connections_changed": int(round(self.comm.sum([len(connections)])[0])),
            "input_weight": weight,
            "inhibitory_spines": self.inhibitory_spines,
        }
        self._lesion_ms = self.now_ms()

    # ------------------------------------------------------------------------------------------------
    # Recording
    # ------------------------------------------------------------------------------------------------
    def start_recording(self):
        """Start the recording as usual, and forget the synapses formed and deleted before it."""
        super().start_recording()
        self.updater.take_changes()
        self._lesion_ms = None

    def record(self):
        """Take one sample as `Experiment` does, then the turnover by zone and, at the map times, every neuron's Ca."""
        super().record()
        formed, deleted = self.updater.take_changes()
        values = {}

        def zone(ids):  # zone of each excitatory neuron id, -1 for other neurons
            return self._zone_of[np.asarray(ids, dtype=np.int64)]

        for kind, (source, target) in (("formed", formed), ("deleted", deleted)):
            zs, zt = zone(source), zone(target)
            for k, name in enumerate(ZONES):
                values[f"{kind}_spines_{name}"] = int(np.sum(zt == k))
                values[f"{kind}_boutons_{name}"] = int(np.sum(zs == k))
        zs, zt = zone(formed[0]), zone(formed[1])
        for a, source in enumerate(ZONES):
            for b, target in enumerate(ZONES):
                values[f"formed_{source}_{target}"] = int(np.sum((zs == a) & (zt == b)))
        self.results.append(**values)
        if self._lesion_ms is not None:
            since = self.now_ms() - self._lesion_ms
            for t in self.map_times:
                if abs(since - t) < self.dt / 2:
                    self._take_map(t)

    def _take_map(self, t_ms):
        """Keep the Ca of every neuron of every placed population (gathered over ranks) at `t_ms` after the lesion."""
        names = [name for name in self.structure.populations if name in self.positions]
        values = []
        for name in names:
            ids = np.asarray(self.nodes[name].tolist(), dtype=np.int64)
            activity = self.recorder.activity[name]
            ca = np.zeros(len(ids))
            ca[np.searchsorted(ids, activity.node_ids)] = activity.ca
            values.append(self.comm.sum(ca))
        self.maps[t_ms / 1000.0] = np.concatenate(values)
        self.results.attachments[MAPS_NPZ] = self.map_arrays

    def map_arrays(self):
        """Return the Ca maps for ``maps.npz``: ``times`` (s after the lesion) and ``ca`` (times x neurons)."""
        times = sorted(self.maps)
        return {"times": np.array(times), "ca": np.array([self.maps[t] for t in times])}
