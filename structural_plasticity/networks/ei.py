"""`ExcitatoryInhibitoryNetwork`: the neurons, plastic synapses and input of NEST's example, without growth curves.

NEST's example (`StructuralPlasticityExample`) and the lesion network of Butz & van Ooyen 2013
(`ButzNetwork`) share everything but their growth curves: 800 excitatory and 200 inhibitory
``iaf_psc_alpha`` neurons, one excitatory and one inhibitory plastic synapse model, and independent
Poisson input to every neuron. This base class holds those shared parameters and builds the network
from them; a subclass adds its growth-curve parameters and says which element gets which curve
(`synaptic_elements_e`, `synaptic_elements_i`), so every parameter of either network is applied.
"""

import numpy as np

from .. import validation as check
from ..errors import ConfigurationError
from ..plotting import plot_ca_and_connections
from . import checks
from .builder import PlasticNetwork
from .specs import Input, PlasticSynapse, Population


class ExcitatoryInhibitoryNetwork(PlasticNetwork):
    """Excitatory population ``e`` and inhibitory population ``i`` as in NEST's example; growth curves from subclasses.

    Subclasses define their growth curves as class attributes (dicts, one per parameter), list those
    parameters in `GROWTH_CURVE_PARAMETERS`, and return ``{element: curve}`` from `synaptic_elements_e`
    and `synaptic_elements_i`: excitatory neurons have ``Axon_ex``, ``Den_ex`` and ``Den_in``,
    inhibitory ones ``Axon_in``, ``Den_ex`` and ``Den_in``.

    Parameters
    ----------
    **parameters
        Values for any of the parameters listed by `parameter_names`.

    Attributes
    ----------
    nodes_e, nodes_i : nest.NodeCollection
        The excitatory and inhibitory neurons (after `create_nodes`).
    mean_ca_e, mean_ca_i, total_connections_e, total_connections_i : numpy.ndarray
        The series NEST's example records, one value per `record_interval`.
    """

    # === Network ======================================================================================
    number_excitatory_neurons = 800  # size of the excitatory population
    number_inhibitory_neurons = 200  # size of the inhibitory population
    neuron_model = "iaf_psc_alpha"  # NEST model of every neuron (must support synaptic elements)
    model_params = {  # applied to every neuron; NEST's defaults of iaf_psc_alpha
        "C_m": 250.0,  # membrane capacitance (pF)
        "tau_m": 10.0,  # membrane time constant (ms)
        "t_ref": 2.0,  # absolute refractory period (ms)
        "E_L": -70.0,  # resting membrane potential (mV)
        "V_th": -55.0,  # spike threshold (mV)
        "V_reset": -70.0,  # reset potential (mV)
        "tau_syn_ex": 2.0,  # rise time of the excitatory synaptic alpha function (ms)
        "tau_syn_in": 2.0,  # rise time of the inhibitory synaptic alpha function (ms)
        "I_e": 0.0,  # constant input current (pA)
        "beta_Ca": 0.001,  # increase of the calcium trace per spike
        "tau_Ca": 10_000.0,  # decay time constant of the calcium trace (ms)
    }

    # === Synapses and input ===========================================================================
    psc_e = 585.0  # weight of excitatory synapses (pA); a PSP of about 7.6 mV in iaf_psc_alpha
    psc_i = -585.0  # weight of inhibitory synapses (pA)
    psc_ext = 6.2  # weight of the external Poisson input (pA)
    bg_rate = 10_000.0  # rate of the external Poisson input of each neuron (Hz)
    delay = 1.0  # delay of every synapse, recurrent and external (ms)

    #: The population protocols act on by default (the excitatory one).
    EXCITATORY_POPULATION = "e"
    #: Names of the synapse models that structural plasticity creates.
    SYNAPSE_E = "synapse_ex"
    SYNAPSE_I = "synapse_in"

    #: Names of the growth-curve parameters (class attributes) of a subclass; checked and scaled together.
    GROWTH_CURVE_PARAMETERS = ()

    def validate(self):
        """Check the shared parameters and the growth curves, then the generic ones (`PlasticNetwork`)."""
        self.number_excitatory_neurons = check.count("number_excitatory_neurons", self.number_excitatory_neurons)
        self.number_inhibitory_neurons = check.count("number_inhibitory_neurons", self.number_inhibitory_neurons)
        # Named here so that the message says which parameter to lower; `checks.limits` bounds any input.
        self.bg_rate = check.input_rate("bg_rate", check.non_negative_number("bg_rate", self.bg_rate, "Hz"))
        self.delay = check.positive_time("delay", self.delay)
        for name in ("psc_e", "psc_i", "psc_ext"):
            setattr(self, name, check.finite_number(name, getattr(self, name), "pA"))
        if not isinstance(self.neuron_model, str):
            raise ConfigurationError(f"neuron_model must be a NEST model name, got {self.neuron_model!r}")
        if not isinstance(self.model_params, dict):
            raise ConfigurationError(f"model_params must be a dict of neuron parameters, got {self.model_params!r}")
        for name in self.GROWTH_CURVE_PARAMETERS:
            checks.growth_curve(name, getattr(self, name))
        super().validate()

    @classmethod
    def growth_curves_scaled(cls, factor):
        """Return the growth-curve parameters (`GROWTH_CURVE_PARAMETERS`) with every growth rate times `factor`.

        Faster growth forms synapses within seconds instead of tens of seconds, which is what short
        tests and demonstrations need: ``StructuralPlasticityExample(**StructuralPlasticityExample.
        growth_curves_scaled(20), t_sim=4000.0)``. A factor of 0 switches growth off.

        Parameters
        ----------
        factor : float
            Multiplier of ``growth_rate`` (elements/ms) of each curve; the other keys are kept.

        Returns
        -------
        dict
            ``{parameter name: growth curve}``, new dicts, ready to pass as keywords.
        """
        return {
            name: dict(getattr(cls, name), growth_rate=getattr(cls, name)["growth_rate"] * factor)
            for name in cls.GROWTH_CURVE_PARAMETERS
        }

    # ------------------------------------------------------------------------------------------------
    # The structure: two populations, two plastic synapse models, one Poisson input, no static pathway
    # ------------------------------------------------------------------------------------------------
    def synaptic_elements_e(self):
        """Return the synaptic elements of excitatory neurons: ``{element name: growth curve}``."""
        raise NotImplementedError(f"{type(self).__name__} must define synaptic_elements_e()")

    def synaptic_elements_i(self):
        """Return the synaptic elements of inhibitory neurons: ``{element name: growth curve}``."""
        raise NotImplementedError(f"{type(self).__name__} must define synaptic_elements_i()")

    def population_specs(self):
        """Return ``e`` and ``i``: `neuron_model` with `model_params` and the elements of `synaptic_elements_e`/`_i`.

        Each population's target is the ``eps`` of its ``Den_ex`` elements: the Ca at which excitatory
        spines stop growing, the set point of the homeostatic rule.
        """
        elements_e, elements_i = self.synaptic_elements_e(), self.synaptic_elements_i()
        return {
            "e": Population(
                self.number_excitatory_neurons,
                self.neuron_model,
                self.model_params,
                elements_e,
                target_ca=elements_e["Den_ex"]["eps"],
            ),
            "i": Population(
                self.number_inhibitory_neurons,
                self.neuron_model,
                self.model_params,
                elements_i,
                target_ca=elements_i["Den_ex"]["eps"],
            ),
        }

    @property
    def ca_per_hz(self):
        """float: mean Ca of a neuron firing steadily at 1 Hz (``beta_Ca * tau_Ca / 1000``), from `model_params`."""
        return self.model_params.get("beta_Ca", 0.001) * self.model_params.get("tau_Ca", 10_000.0) / 1000.0

    def plastic_synapses(self):
        """Return `SYNAPSE_E` (``Axon_ex`` to ``Den_ex``, `psc_e`) and `SYNAPSE_I` (``Axon_in`` to ``Den_in``, `psc_i`)."""
        return {
            self.SYNAPSE_E: PlasticSynapse(self.psc_e, self.delay, "Axon_ex", "Den_ex"),
            self.SYNAPSE_I: PlasticSynapse(self.psc_i, self.delay, "Axon_in", "Den_in"),
        }

    def input_spec(self):
        """Return the Poisson input of every neuron: `bg_rate` with weight `psc_ext`."""
        return Input(self.bg_rate, self.psc_ext, self.delay)

    # The populations under the names of NEST's example.
    nodes_e = property(lambda self: self.nodes.get("e"), doc="nest.NodeCollection: the excitatory neurons.")
    nodes_i = property(lambda self: self.nodes.get("i"), doc="nest.NodeCollection: the inhibitory neurons.")

    # The series of NEST's example, as arrays.
    mean_ca_e = property(lambda self: self._series("mean_ca_e"))
    mean_ca_i = property(lambda self: self._series("mean_ca_i"))
    total_connections_e = property(lambda self: self._series("total_connections_e"))
    total_connections_i = property(lambda self: self._series("total_connections_i"))

    def _series(self, name):
        return self.results[name] if name in self.results else np.empty(0)

    def plot_data(self, ax=None):
        """Plot mean Ca of each population with its target, and the connections on a second axis.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw the Ca into; a new figure is made when omitted.

        Returns
        -------
        matplotlib.figure.Figure
        """
        return plot_ca_and_connections(self.results, ax=ax)
