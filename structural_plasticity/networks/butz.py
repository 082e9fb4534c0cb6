"""`ButzNetwork`: NEST's example network with the growth curves of Butz & van Ooyen (2013), one per element.

In NEST's example every synaptic element follows one gaussian growth curve with ``eta = 0``: all
elements grow at any activity below the set point and stop growing at Ca = 0. Butz & van Ooyen
(2013, PLoS Comput Biol 9(10) e1003259) give axons and dendrites different growth curves. A gaussian
growth curve (their Eq. 4, NEST's ``"gaussian"``) is

    dz/dt = nu * (2 * exp(-((Ca - xi) / zeta)**2) - 1),   xi = (eta + eps) / 2,
    zeta = (eps - eta) / (2 * sqrt(ln 2)),

positive between its zero points ``eta`` and ``eps`` and negative outside. With ``eta`` of dendrites
below ``eta`` of axons, a neuron whose activity falls between the two grows dendritic spines while
it retracts axonal boutons: a deafferented neuron collects input from intact neurons and stops
feeding its own partners, and its activity returns toward the set point ``eps``.

Values used (Ca in the units of the set point):

* **Axons and excitatory dendrites**: ``eta / eps`` of 0.4 / 0.7 (axons) and 0.1 / 0.7 (excitatory
  dendrites), the defaults of RELeARN, the simulator of Butz-Ostendorf's group
  (``SynapticElements::default_eta_Axons`` 0.4, ``default_eta_Dendrites_exc`` 0.1,
  ``CalciumCalculator::default_C_target`` 0.7; github.com/tuda-parallel/RELeARN,
  relearn/source/neurons/models/SynapticElements.h), also used by Sinha's early NEST scripts, which read
  Butz & van Ooyen (``eta_ax = 0.56 eps``, ``eta_den = 0.14 eps``, github.com/sanjayankur31/Sinha2016,
  src/Sinha2016.py on master, 2018; not the code of their 2021 paper).
  Scaled to the example's set points: E axons 0.0286, E dendrites 0.0071 (eps 0.05); I axons 0.114,
  I dendrites 0.0286 (eps 0.2).
* **Inhibitory dendrites** (``Den_in``): retract when activity is below the set point and grow above
  it, as Sinha et al. (2021, PLoS Comput Biol 17(6) e1008996) found repair needs: a gaussian with
  ``eta`` at the set point and ``eps`` at 1.9 times it, the multipliers of a later branch of their code
  (``eta_den_e_i_mul = 1.0``, ``eps_den_e_i_mul = 1.90``; branch 20201005-review-sims of
  sanjayankur31/Sinha2016, not published). Their published code (github.com/sanjayankur31/SinhaEtAl2021,
  src/Sinha2020.py) uses 1.0 and 3.5 with a curve of their own NEST fork that retracts far more slowly
  than it grows, which NEST's gaussian cannot express. Sinha et al. build every pathway, inhibitory ones
  included, before plasticity starts; grown from no synapses with this curve the network keeps almost no
  inhibitory synapses (measured: 160 + 40 neurons, I→E and I→I at 0 after 150 s), because a neuron below
  its set point never grows inhibitory spines. `ButzSheetNetwork` therefore grows with Butz & van
  Ooyen's one rule for all spines and switches to this curve when its lesion comes. RELeARN's default for
  inhibitory dendrites, ``eta = 0`` with ``eps`` at the set point, is the example's curve, which grows
  inhibitory spines on silenced neurons.
* **Growth rates**: NEST's example's (1e-4 elements/ms, 4e-4 for ``Den_ex`` of inhibitory neurons),
  so that this network and the example differ only in where the growth curves cross zero. (RELeARN's
  default is 1e-5 per ms; Sinha's scripts use 1e-4 to 1e-3 with other neurons and Ca units.)

What this network does not have: in Butz & van Ooyen's model free elements pair with a probability
that falls with distance, which spreads recovery from the border of the lesion to its centre. Here every
lesioned neuron is as close to the intact ones as any other; `ButzSheetNetwork` places the same network
on a sheet and pairs by distance (the package's structural update).
"""

from .ei import ExcitatoryInhibitoryNetwork

#: Zero point of axonal growth curves as a fraction of the set point (RELeARN: eta 0.4, eps 0.7).
AXON_ETA_FRACTION = 0.4 / 0.7
#: Zero point of excitatory dendritic growth curves as a fraction of the set point (RELeARN: eta 0.1, eps 0.7).
DEN_EX_ETA_FRACTION = 0.1 / 0.7
#: Upper zero point of inhibitory dendritic growth curves as a multiple of the set point (Sinha et al. 2021).
DEN_IN_EPS_MULTIPLE = 1.9

#: The six growth-curve parameters of `ButzNetwork`: one per element (axon, excitatory and inhibitory
#: dendrite) and population (e, i).
BUTZ_GROWTH_CURVE_NAMES = (
    "growth_curve_axon_e",
    "growth_curve_den_ex_e",
    "growth_curve_den_in_e",
    "growth_curve_axon_i",
    "growth_curve_den_ex_i",
    "growth_curve_den_in_i",
)


def gaussian_growth_curve(eta, eps, growth_rate):
    """Return a NEST gaussian growth curve dict: growth between `eta` and `eps`, retraction outside.

    Parameters
    ----------
    eta, eps : float
        Lower and upper zero points of the curve (units of Ca); ``eta < eps``.
    growth_rate : float
        Largest growth rate, reached at ``(eta + eps) / 2`` (elements/ms).

    Returns
    -------
    dict
        ``{"growth_curve": "gaussian", "growth_rate": ..., "continuous": False, "eta": ..., "eps": ...}``
    """
    return {"growth_curve": "gaussian", "growth_rate": growth_rate, "continuous": False, "eta": eta, "eps": eps}


def butz_growth_curves(target_e=0.05, target_i=0.2, growth_rate=1e-4, growth_rate_den_ex_i=4e-4):
    """Return the six growth-curve parameters of `ButzNetwork` for other set points or growth rates.

    Parameters
    ----------
    target_e, target_i : float
        Set points (Ca) of the excitatory and inhibitory neurons.
    growth_rate : float
        Growth rate of every curve but ``Den_ex`` of inhibitory neurons (elements/ms).
    growth_rate_den_ex_i : float
        Growth rate of ``Den_ex`` of inhibitory neurons (elements/ms).

    Returns
    -------
    dict
        ``{"growth_curve_axon_e": {...}, ...}`` (`BUTZ_GROWTH_CURVE_NAMES`), ready to pass as keywords.
    """
    curves = {}
    for pop, target, rate_den_ex in (("e", target_e, growth_rate), ("i", target_i, growth_rate_den_ex_i)):
        curves[f"growth_curve_axon_{pop}"] = gaussian_growth_curve(AXON_ETA_FRACTION * target, target, growth_rate)
        curves[f"growth_curve_den_ex_{pop}"] = gaussian_growth_curve(DEN_EX_ETA_FRACTION * target, target, rate_den_ex)
        curves[f"growth_curve_den_in_{pop}"] = gaussian_growth_curve(target, DEN_IN_EPS_MULTIPLE * target, growth_rate)
    return curves


class ButzNetwork(ExcitatoryInhibitoryNetwork):
    """NEST's example network (`ExcitatoryInhibitoryNetwork`) with a growth curve per element and population.

    Axons, excitatory dendrites and inhibitory dendrites of each population have their own growth
    curve (six parameters, `BUTZ_GROWTH_CURVE_NAMES`); see the module docstring for the values and
    their sources. The set point of each population is the ``eps`` of its ``Den_ex`` curve.

    Parameters
    ----------
    **parameters
        Values for any of the parameters listed by `parameter_names`.

    Examples
    --------
    >>> network = ButzNetwork(t_sim=150_000.0)   # doctest: +SKIP
    >>> results = network.run()                  # doctest: +SKIP
    """

    # === Structural plasticity ========================================================================
    # Growth curves: dict per element and population; growth_rate in elements/ms, eta and eps in units of Ca.
    # Each is a gaussian, positive between eta and eps. Values: module docstring.
    growth_curve_axon_e = {  # Axon_ex of excitatory neurons: retract below 0.0286 (2.9 Hz) and above 0.05
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.05 * 0.4 / 0.7,  # (Ca) RELeARN's eta/eps of axons
        "eps": 0.05,  # (Ca) set point: 5 Hz with beta_Ca 0.001 and tau_Ca 10 s
    }
    growth_curve_den_ex_e = {  # Den_ex of excitatory neurons: grow between 0.0071 (0.7 Hz) and 0.05
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.05 * 0.1 / 0.7,  # (Ca) RELeARN's eta/eps of excitatory dendrites
        "eps": 0.05,  # (Ca) set point; also the population's target
    }
    growth_curve_den_in_e = {  # Den_in of excitatory neurons: retract below the set point, grow above it
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.05,  # (Ca) at the set point (Sinha et al. 2021)
        "eps": 0.05 * 1.9,  # (Ca) Sinha et al.'s upper zero point, 1.9 times the set point
    }
    growth_curve_axon_i = {  # Axon_in of inhibitory neurons: retract below 0.114 (11 Hz) and above 0.2
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.2 * 0.4 / 0.7,  # (Ca)
        "eps": 0.2,  # (Ca) set point: 20 Hz with beta_Ca 0.001 and tau_Ca 10 s
    }
    growth_curve_den_ex_i = {  # Den_ex of inhibitory neurons: grow between 0.0286 (2.9 Hz) and 0.2
        "growth_curve": "gaussian",
        "growth_rate": 0.0004,  # (elements/ms) NEST's example's rate for this element
        "continuous": False,
        "eta": 0.2 * 0.1 / 0.7,  # (Ca)
        "eps": 0.2,  # (Ca) set point; also the population's target
    }
    growth_curve_den_in_i = {  # Den_in of inhibitory neurons: retract below the set point, grow above it
        "growth_curve": "gaussian",
        "growth_rate": 0.0001,  # (elements/ms)
        "continuous": False,
        "eta": 0.2,  # (Ca)
        "eps": 0.2 * 1.9,  # (Ca)
    }

    #: The growth-curve parameters, checked and scaled together (`growth_curves_scaled`).
    GROWTH_CURVE_PARAMETERS = BUTZ_GROWTH_CURVE_NAMES

    def synaptic_elements_e(self):
        """Return ``Den_ex``, ``Den_in`` and ``Axon_ex`` of excitatory neurons, each with its own curve."""
        return {
            "Den_ex": self.growth_curve_den_ex_e,
            "Den_in": self.growth_curve_den_in_e,
            "Axon_ex": self.growth_curve_axon_e,
        }

    def synaptic_elements_i(self):
        """Return ``Den_ex``, ``Den_in`` and ``Axon_in`` of inhibitory neurons, each with its own curve."""
        return {
            "Den_ex": self.growth_curve_den_ex_i,
            "Den_in": self.growth_curve_den_in_i,
            "Axon_in": self.growth_curve_axon_i,
        }
