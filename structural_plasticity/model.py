"""`StructuralPlasticityExample`: NEST's structural plasticity example as a configurable class.

A network of excitatory and inhibitory neurons starts without recurrent synapses. Driven by Poisson
input, each neuron grows and retracts synaptic elements (axonal boutons ``Axon_ex``/``Axon_in`` and
dendritic spines ``Den_ex``/``Den_in``) along gaussian growth curves of its calcium trace, and NEST
pairs free elements into synapses until each population's mean Ca sits at its target
(Butz & van Ooyen 2013, PLoS Comput Biol 9(10) e1003259).

The public names follow NEST's example (``StructralPlasticityExample``), so code written for it keeps
working. Two defaults differ from the copy shipped with NEST 3.10, on purpose:

* ``update_interval`` is 100 ms. The original example set 1000, which NEST 2 counted in simulation steps
  (1000 x 0.1 ms); NEST 3 counts milliseconds, and with 10 000 ms the network does not settle in 200 s.
* ``neuron_model`` is ``iaf_psc_alpha`` and ``model_params`` are NEST's defaults of that model, written
  out. NEST's example declares ``iaf_psc_exp`` with other parameters but never applies them (it always
  creates ``iaf_psc_alpha`` with defaults); applied, those parameters give a network that never fires.
  Here every parameter is applied.
"""

import numpy as np

from . import validation as check
from .errors import ConfigurationError
from .network import CA_READOUTS, PlasticNetwork, check_growth_curve  # noqa: F401  (CA_READOUTS: public name here)
from .specs import Input, PlasticSynapse, Population

#: The four growth-curve parameters (class attributes), one per kind of synaptic element and population.
GROWTH_CURVE_NAMES = ("growth_curve_e_e", "growth_curve_e_i", "growth_curve_i_e", "growth_curve_i_i")


class StructuralPlasticityExample(PlasticNetwork):
    """Butz & van Ooyen's homeostatic structural plasticity in a NEST network of E and I neurons.

    Every public class attribute below is a parameter. Change parameters by keyword
    (``StructuralPlasticityExample(t_sim=20_000.0)``) or by subclassing
    (``class Longer(StructuralPlasticityExample): t_sim = 400_000.0``); a subclass's own public class
    attributes become parameters too. Unknown keyword names raise `ConfigurationError`. Each instance
    gets deep copies of the defaults, so instances never share dictionaries.

    Parameters
    ----------
    **parameters
        Values for any of the parameters listed by `parameter_names`.

    Attributes
    ----------
    nodes_e, nodes_i : nest.NodeCollection
        The excitatory and inhibitory neurons (after `create_nodes`).
    results : Results
        Everything recorded so far (``results.mean_ca_e``, ``results.connections_ei``, ...).
    mean_ca_e, mean_ca_i, total_connections_e, total_connections_i : numpy.ndarray
        The series NEST's example records, one value per `record_interval`.

    Examples
    --------
    >>> example = StructuralPlasticityExample(t_sim=20_000.0)   # doctest: +SKIP
    >>> results = example.run()                                 # doctest: +SKIP
    >>> fig = example.plot_data()                               # doctest: +SKIP
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

    # === Structural plasticity ========================================================================
    # Growth curves: dict per synaptic element; growth_rate in elements/ms, eta and eps in units of Ca.
    growth_curve_e_e = {  # excitatory elements (Axon_ex, Den_ex) of excitatory neurons
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.0,  # Ca below which elements retract
        "eps": 0.05,  # target Ca: 5 Hz with beta_Ca 0.001 and tau_Ca 10 s
    }
    growth_curve_e_i = {  # inhibitory dendritic elements (Den_in) of excitatory neurons
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.0,
        "eps": 0.05,
    }
    growth_curve_i_e = {  # excitatory dendritic elements (Den_ex) of inhibitory neurons
        "growth_curve": "gaussian",
        "growth_rate": 0.0004,  # (elements/ms)
        "continuous": False,
        "eta": 0.0,
        "eps": 0.2,  # target Ca: 20 Hz with beta_Ca 0.001 and tau_Ca 10 s
    }
    growth_curve_i_i = {  # inhibitory elements (Axon_in, Den_in) of inhibitory neurons
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.0,
        "eps": 0.2,
    }

    # === Synapses and input ===========================================================================
    psc_e = 585.0  # weight of excitatory synapses (pA); a PSP of about 7.6 mV in iaf_psc_alpha
    psc_i = -585.0  # weight of inhibitory synapses (pA)
    psc_ext = 6.2  # weight of the external Poisson input (pA)
    bg_rate = 10_000.0  # rate of the external Poisson input of each neuron (Hz)
    delay = 1.0  # delay of every synapse, recurrent and external (ms)

    #: Names of the synapse models that structural plasticity creates.
    SYNAPSE_E = "synapse_ex"
    SYNAPSE_I = "synapse_in"

    def validate(self):
        """Check the example's own parameters, then the generic ones and the structure (`PlasticNetwork`)."""
        self.number_excitatory_neurons = check.count("number_excitatory_neurons", self.number_excitatory_neurons)
        self.number_inhibitory_neurons = check.count("number_inhibitory_neurons", self.number_inhibitory_neurons)
        # Named here so that the message says which parameter to lower; `validate_limits` bounds any input.
        self.bg_rate = check.input_rate("bg_rate", check.non_negative_number("bg_rate", self.bg_rate, "Hz"))
        self.delay = check.positive_time("delay", self.delay)
        for name in ("psc_e", "psc_i", "psc_ext"):
            setattr(self, name, check.finite_number(name, getattr(self, name), "pA"))
        if not isinstance(self.neuron_model, str):
            raise ConfigurationError(f"neuron_model must be a NEST model name, got {self.neuron_model!r}")
        if not isinstance(self.model_params, dict):
            raise ConfigurationError(f"model_params must be a dict of neuron parameters, got {self.model_params!r}")
        for name in GROWTH_CURVE_NAMES:
            check_growth_curve(name, getattr(self, name))
        super().validate()

    @classmethod
    def growth_curves_scaled(cls, factor):
        """Return the four growth-curve parameters with every growth rate multiplied by `factor`.

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
            ``{"growth_curve_e_e": {...}, "growth_curve_e_i": {...}, "growth_curve_i_e": {...},
            "growth_curve_i_i": {...}}``, new dicts, ready to pass as keywords.
        """
        return {
            name: dict(getattr(cls, name), growth_rate=getattr(cls, name)["growth_rate"] * factor)
            for name in GROWTH_CURVE_NAMES
        }

    # ------------------------------------------------------------------------------------------------
    # The structure: two populations, two plastic synapse models, one Poisson input, no static pathway
    # ------------------------------------------------------------------------------------------------
    def synaptic_elements_e(self):
        """Return the synaptic elements of excitatory neurons: ``{element name: growth curve}``."""
        return {"Den_ex": self.growth_curve_e_e, "Den_in": self.growth_curve_e_i, "Axon_ex": self.growth_curve_e_e}

    def synaptic_elements_i(self):
        """Return the synaptic elements of inhibitory neurons: ``{element name: growth curve}``."""
        return {"Den_ex": self.growth_curve_i_e, "Den_in": self.growth_curve_i_i, "Axon_in": self.growth_curve_i_i}

    def population_specs(self):
        """Return ``e`` and ``i``: `neuron_model` with `model_params` and the elements of `synaptic_elements_e`/`_i`.

        Each population's target is the ``eps`` of its ``Den_ex`` elements (``growth_curve_e_e`` and
        ``growth_curve_i_e`` by default), the target lines of NEST's example.
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
        from .plotting import plot_ca_and_connections  # noqa: PLC0415  (matplotlib only when plotting)

        return plot_ca_and_connections(self.results, ax=ax)


#: The spelling of NEST's own example, kept so that code written for it keeps working.
StructralPlasticityExample = StructuralPlasticityExample
