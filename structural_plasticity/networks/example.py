"""`StructuralPlasticityExample`: NEST's structural plasticity example as a configurable class.

A network of excitatory and inhibitory neurons starts without recurrent synapses. Driven by Poisson
input, each neuron grows and retracts synaptic elements (axonal boutons ``Axon_ex``/``Axon_in`` and
dendritic spines ``Den_ex``/``Den_in``) along gaussian growth curves of its calcium trace, and NEST
pairs free elements into synapses until each population's mean Ca sits at its target
(Butz & van Ooyen 2013, PLoS Comput Biol 9(10) e1003259).

The neurons, plastic synapses and input (and their parameters) live in `ExcitatoryInhibitoryNetwork`,
which `ButzNetwork` shares; this class adds the example's four growth curves.

The public names follow NEST's example (``StructralPlasticityExample``), so code written for it keeps
working. Two defaults differ from the copy shipped with NEST 3.10, on purpose:

* ``update_interval`` is 100 ms. The original example set 1000, which NEST 2 counted in simulation steps
  (1000 x 0.1 ms); NEST 3 counts milliseconds, and with 10 000 ms the network does not settle in 200 s.
* ``neuron_model`` is ``iaf_psc_alpha`` and ``model_params`` are NEST's defaults of that model, written
  out. NEST's example declares ``iaf_psc_exp`` with other parameters but never applies them (it always
  creates ``iaf_psc_alpha`` with defaults); applied, those parameters give a network that never fires.
  Here every parameter is applied.
"""

from .builder import CA_READOUTS  # noqa: F401  (a public name of this module since its first release)
from .checks import growth_curve as check_growth_curve  # noqa: F401  (likewise)
from .ei import ExcitatoryInhibitoryNetwork

#: The four growth-curve parameters (class attributes), one per kind of synaptic element and population.
GROWTH_CURVE_NAMES = ("growth_curve_e_e", "growth_curve_e_i", "growth_curve_i_e", "growth_curve_i_i")


class StructuralPlasticityExample(ExcitatoryInhibitoryNetwork):
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

    # Neurons, synapses and input: the parameters of `ExcitatoryInhibitoryNetwork` (NEST's example's values).

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

    #: The growth-curve parameters, checked and scaled together (`growth_curves_scaled`).
    GROWTH_CURVE_PARAMETERS = GROWTH_CURVE_NAMES

    def synaptic_elements_e(self):
        """Return the synaptic elements of excitatory neurons: ``{element name: growth curve}``."""
        return {"Den_ex": self.growth_curve_e_e, "Den_in": self.growth_curve_e_i, "Axon_ex": self.growth_curve_e_e}

    def synaptic_elements_i(self):
        """Return the synaptic elements of inhibitory neurons: ``{element name: growth curve}``."""
        return {"Den_ex": self.growth_curve_i_e, "Den_in": self.growth_curve_i_i, "Axon_in": self.growth_curve_i_i}


#: The spelling of NEST's own example, kept so that code written for it keeps working.
StructralPlasticityExample = StructuralPlasticityExample
