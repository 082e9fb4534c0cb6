"""Checks of parameter values that need no simulator, each failing with a message that names the fix.

NEST does not check what it is given for infinities and absurd magnitudes: a NaN inside a neuron's
parameter dict, or a growth rate of 1e10 elements/ms, crashes it with a segmentation fault, and a
Poisson rate of 1e24 Hz makes it loop forever inside ``nest.Simulate``, deaf to Ctrl-C. So every value
is checked here, before NEST sees it: `parameter_values` walks every parameter (into dicts and lists),
and the functions below the limits (`input_rate`, `delay`, `growth_curve`, `calcium`, `network_memory`)
apply them, each with the reason it is where it is. `networks.checks.limits` applies them
to what a network builds (its populations, synapses, pathways and input), so every configuration gets them.
"""

import json
import math
import numbers
import os
import resource

import numpy as np

from .errors import ConfigurationError
from .parallel import launcher_size

#: NEST counts time in integer tics of 0.001 ms (its default ``tics_per_ms`` of 1000, which the package
#: never changes); the resolution must be a whole number of tics.
TICS_PER_MS = 1000
#: The end of NEST's clock: 2**60 tics (``nest.T_max``, about 36 000 years). No time can be longer.
MAX_TIME_MS = 2**60 / TICS_PER_MS

#: Largest magnitude of any number in any parameter. No quantity of this model (ms, mV, pA, pF, Hz,
#: elements, Ca) is meaningful beyond it, and it keeps products of two parameters (Ca = beta_Ca x spikes,
#: charge = weight x input spikes) far below the double-precision overflow at 1.8e308, past which NEST
#: computes with infinities and crashes (measured: beta_Ca = 1e308 is a segmentation fault).
MAX_MAGNITUDE = 1e100

#: Largest Poisson input rate of one neuron (Hz). The input stands for the summed spikes of the neuron's
#: presynaptic partners: no neuron has more than about 1e5 synapses nor fires faster than about 1e3 Hz,
#: so real input stays below 1e8 Hz, and 1e9 Hz leaves room for models that trade weight for rate. NEST
#: draws each step's input spikes as a 64-bit integer with mean rate x dt; its sampler never returns
#: once that mean approaches 2**63 (measured: NEST hung at 2e23 Hz with dt = 0.1 ms), 14 orders of
#: magnitude above this limit.
MAX_INPUT_RATE_HZ = 1e9

#: Largest number of synaptic elements a neuron may gain in one structural plasticity update (growth
#: rate x update interval, or the initial ``z`` of an element). The example changes a neuron's elements
#: by 0.01-0.04 per update; NEST pairs all new free elements at each update, and its time for that grows
#: faster than their number (measured, 16 + 4 neurons for 2 s: 100 elements per update 0.3 s, 300 0.7 s,
#: 1000 4.4 s, 3000 more than 20 s; 1e9 overflows NEST's integer element counts: segmentation fault).
MAX_ELEMENTS_PER_UPDATE = 1000

#: Longest synaptic delay in steps of the resolution. Axonal conduction delays in the brain stay below
#: about 100 ms; NEST keeps a ring buffer of delay/dt slots in every neuron (measured: 24 bytes per slot,
#: so 1e4 slots, 1000 ms at dt = 0.1 ms, already cost each neuron 240 kB, nine times the rest of it).
MAX_DELAY_STEPS = 10_000

#: Memory per neuron of a run of the package without long delays (measured: 26.7 kB at 1000 to 50 000
#: neurons, mostly NEST's own connection blocks; see the README's Performance section).
BYTES_PER_NEURON = 26.7e3

#: Memory per synapse of a network restored from a file: NEST's own (measured 40 bytes per static
#: synapse, 2 million synapses between 2000 neurons), the file's five arrays (34 bytes) and the Python
#: lists the restore sorts them with (`networks.state.increasing_chains`, about 100 bytes), rounded up.
BYTES_PER_SYNAPSE = 200.0

#: Deepest nesting of dicts and lists inside one parameter value. The package's own parameters nest at
#: most three levels (a growth curve inside a dict of curves); Python's deep copy and JSON's parser recurse
#: once per level and fail with a RecursionError (a traceback of thousands of lines) near 1000 levels.
MAX_NESTING = 32
#: Deepest nesting in a JSON file the package reads (metadata, manifests, plans, a network's metadata):
#: the parameters' `MAX_NESTING` plus the few levels the files put around them.
MAX_JSON_DEPTH = 2 * MAX_NESTING


def positive_time(name, value, unit="ms"):
    """Return `value` as float if it is a positive finite number, else raise `ConfigurationError`.

    Times in ms must also fit on NEST's clock (at most `MAX_TIME_MS`). A value within single-precision
    rounding of a whole number of NEST's tics (0.001 ms) is moved onto it, so that ``numpy.float32(0.1)``
    means 0.1 ms, as NEST itself would round it.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigurationError(f"{name} must be a number in {unit}, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be a positive number of {unit}, got {value:g}")
    if unit == "ms":
        if value > MAX_TIME_MS:
            raise ConfigurationError(
                f"{name} ({value:g} ms) is beyond the end of NEST's clock ({MAX_TIME_MS:.4g} ms); choose a shorter time"
            )
        tics = round(value * TICS_PER_MS)
        if tics >= 1 and abs(value * TICS_PER_MS - tics) <= 1e-6 * tics:
            value = tics / TICS_PER_MS
    return value


def resolution(name, value):
    """Return the resolution `value` (ms) if it is a whole number of NEST's tics, else raise `ConfigurationError`.

    NEST refuses any other resolution ("must be a multiple of the tic length").
    """
    value = positive_time(name, value)
    tics = value * TICS_PER_MS
    if round(tics) < 1:
        raise ConfigurationError(f"{name} ({value:g} ms) must be at least NEST's tic of {1 / TICS_PER_MS:g} ms")
    if abs(tics - round(tics)) > 1e-9 * max(1.0, tics):
        lower = max(1, math.floor(tics)) / TICS_PER_MS
        raise ConfigurationError(
            f"{name} ({_fmt(value)} ms) must be a whole multiple of NEST's tic of {1 / TICS_PER_MS:g} ms; "
            f"use for example {_fmt(lower)} or {_fmt(lower + 1 / TICS_PER_MS)} ms"
        )
    return value


def non_negative_number(name, value, unit):
    """Return `value` as float if it is a finite number >= 0, else raise `ConfigurationError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ConfigurationError(f"{name} must be a finite number in {unit}, got {value!r}")
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative, got {value:g} {unit}")
    return float(value)


def finite_number(name, value, unit):
    """Return `value` as float if it is a finite number, else raise `ConfigurationError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise ConfigurationError(f"{name} must be a finite number in {unit}, got {value!r}")
    return float(value)


def count(name, value, minimum=1):
    """Return `value` as int if it is a whole number >= `minimum`, else raise `ConfigurationError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ConfigurationError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def multiple_of(name, value, base_name, base, unit="ms"):
    """Raise `ConfigurationError` unless `value` is a whole multiple of `base` (within rounding).

    Returns
    -------
    int
        How many times `base` fits into `value`.
    """
    ratio = value / base
    steps = round(ratio)
    if steps < 1 or abs(ratio - steps) > 1e-9 * max(1.0, ratio):
        lower = max(1, math.floor(ratio)) * base
        # Twelve digits: a value that fails the check never prints like one of the suggestions.
        raise ConfigurationError(
            f"{name} ({_fmt(value)} {unit}) must be a whole multiple of {base_name} ({_fmt(base)} {unit}); "
            f"use for example {_fmt(lower)} or {_fmt(lower + base)} {unit}"
        )
    return steps


def _fmt(value):
    return f"{value:.12g}"


def choice(name, value, allowed):
    """Raise `ConfigurationError` unless `value` is one of `allowed`."""
    if value not in allowed:
        raise ConfigurationError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value


def nesting_depth(value, limit=None):
    """Return how deeply dicts and lists nest inside `value` (0 for a number or a string), without recursion.

    With `limit`, the walk stops as soon as the depth exceeds it and returns ``limit + 1``, so that a value
    nested a million levels deep costs no more than one nested `limit` levels deep.
    """
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if limit is not None and deepest > limit:
            return limit + 1
        stack.extend((child, depth) for child in children)
    return deepest


def nesting(name, value, limit=MAX_NESTING):
    """Refuse a value whose dicts and lists nest deeper than `limit` levels (see `MAX_NESTING`); return it."""
    if nesting_depth(value, limit) > limit:
        raise ConfigurationError(
            f"{name} nests dicts or lists more than {limit} levels deep; no parameter of the package needs more "
            "than a few levels: check the brackets"
        )
    return value


def parse_json_file(text, what, limit=MAX_JSON_DEPTH):
    """Parse the JSON document `text` (str or UTF-8 bytes) of a file; `what` names it in the messages.

    Refuses text that is not UTF-8 or not JSON, and documents nested deeper than `limit` levels (Python's
    parser raises RecursionError near 1000 levels; everything that walks the document afterwards would too).

    Raises
    ------
    ConfigurationError
    """
    try:
        if isinstance(text, (bytes, bytearray, memoryview)):
            text = bytes(text).decode("utf-8")
        value = json.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{what} is damaged (not UTF-8 text: {exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{what} is damaged or not JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise ConfigurationError(
            f"{what} nests deeper than {limit} levels; it was not written by the package"
        ) from None
    if nesting_depth(value, limit) > limit:
        raise ConfigurationError(f"{what} nests deeper than {limit} levels; it was not written by the package")
    return value


def memory_budget():
    """Return the bytes of memory this process may use: the machine's physical memory, or less under a limit.

    A limit of the address space (``ulimit -v``, ``RLIMIT_AS``, as batch systems and the tests set) is
    respected; None when neither is known.
    """
    budget = None
    try:
        budget = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        pass
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ValueError, OSError):
        soft = resource.RLIM_INFINITY
    if soft != resource.RLIM_INFINITY and soft > 0:
        budget = soft if budget is None else min(budget, soft)
    return budget


# ----------------------------------------------------------------------------------------------------
# Every value, wherever it sits: the walk that runs before anything reaches NEST
# ----------------------------------------------------------------------------------------------------
_NO_DEFAULT = object()


def parameter_values(values, defaults):
    """Check every parameter value, inside dicts and lists too, against the kind of its default.

    Refuses NaN and infinities anywhere (NEST crashes on them inside dicts), numbers beyond
    `MAX_MAGNITUDE`, booleans where the default is a number (``True`` would be taken as 1) and numbers
    where it is a boolean, and values of another kind than the default (a string for a number, a list
    for a dict, ...). Keys of a dict that its default lacks are checked by the same rules without a
    default; anything else (NEST decides) is left to the checks that follow.

    Parameters
    ----------
    values : dict of str to object
        Parameter values by name (``example.parameters()``).
    defaults : dict of str to object
        The class defaults by name; a missing name or ``None`` imposes no kind.

    Raises
    ------
    ConfigurationError
        Naming the parameter (and key path, e.g. ``model_params['tau_Ca']``) and the fix.
    """
    for name, value in values.items():
        nesting(name, value)  # first: the walk below recurses once per level
        _walk(name, value, defaults.get(name, _NO_DEFAULT))


def declared_defaults(cls, names):
    """Return, for each parameter name, its default in the first class of `cls`'s hierarchy that declares it.

    A subclass may change a parameter's value but not its kind: ``model_params = {"V_th": True}`` in a
    subclass is checked against the dict of the class that introduced ``model_params``.
    """
    defaults = {}
    for name in names:
        for klass in reversed(cls.__mro__):
            if name in vars(klass):
                defaults[name] = vars(klass)[name]
                break
    return defaults


def _is_number(value):
    return isinstance(value, numbers.Number) and not isinstance(value, bool) and not _is_bool(value)


def _is_bool(value):
    return isinstance(value, bool) or type(value).__name__ == "bool_"  # numpy.bool_ without importing numpy


def _kind(value):
    if _is_bool(value):
        return "true or false"
    if _is_number(value):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, (list, tuple)):
        return "a list"
    return None


def _walk(path, value, default):
    if default is not _NO_DEFAULT and default is not None:
        expected, got = _kind(default), _kind(value)
        if expected is not None and got != expected:
            raise ConfigurationError(f"{path} must be {expected} (like its default {default!r}), got {value!r}")
    if _is_number(value):
        if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
            raise ConfigurationError(f"{path} must be a real number, got {value!r}")
        try:
            number = float(value)
        except OverflowError:  # an int beyond double precision
            number = math.inf
        if not math.isfinite(number):
            raise ConfigurationError(f"{path} must be a finite number, got {value!r}")
        if abs(number) > MAX_MAGNITUDE:
            raise ConfigurationError(
                f"{path} = {number:g} is beyond any meaningful value (the limit is ±{MAX_MAGNITUDE:g}); check its unit"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ConfigurationError(f"{path} has the key {key!r}; keys must be strings")
            sub_default = default.get(key, _NO_DEFAULT) if isinstance(default, dict) else _NO_DEFAULT
            _walk(f"{path}[{key!r}]", item, sub_default)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _walk(f"{path}[{index}]", item, _NO_DEFAULT)
    elif hasattr(value, "dtype") and hasattr(value, "shape"):  # a numpy array: every element
        if value.dtype.kind in "fc" and not np.all(np.isfinite(value)):
            raise ConfigurationError(f"{path} must hold finite numbers only, got {value!r}")


# ----------------------------------------------------------------------------------------------------
# Limits that keep a run inside what NEST can compute (reasons at the constants above)
# ----------------------------------------------------------------------------------------------------
def input_rate(name, rate):
    """Refuse a Poisson input rate (Hz) above `MAX_INPUT_RATE_HZ`."""
    if rate > MAX_INPUT_RATE_HZ:
        raise ConfigurationError(
            f"{name} ({rate:g} Hz) is above {MAX_INPUT_RATE_HZ:g} Hz, more input than any neuron receives "
            "(about 1e5 synapses at up to 1e3 Hz); lower the rate (and raise the input weight, psc_ext in the example, if you need the drive)"
        )
    return rate


def delay(name, value, dt):
    """Refuse a synaptic delay (ms) shorter than the resolution `dt` or longer than `MAX_DELAY_STEPS` steps."""
    if value < dt * (1 - 1e-9):
        raise ConfigurationError(f"{name} ({_fmt(value)} ms) must be at least the resolution dt ({_fmt(dt)} ms)")
    if value / dt > MAX_DELAY_STEPS:
        raise ConfigurationError(
            f"{name} ({value:g} ms) is {value / dt:.3g} steps of dt; at most {MAX_DELAY_STEPS} are allowed "
            f"({MAX_DELAY_STEPS * dt:g} ms here): NEST keeps that many slots in every neuron, and real "
            "conduction delays stay below about 100 ms"
        )
    return value


def growth_curve(name, curve, update_interval):
    """Check the numbers of a growth-curve dict: rate, target, width, and elements per update.

    `name` says which curve it is, for the messages (e.g. ``"growth curve of Den_ex in population 'e'"``).

    * ``growth_rate`` must not be negative: a negative rate turns homeostasis around (elements grow
      where they should retract), which the model does not describe; 0 switches growth off.
    * ``growth_rate`` x `update_interval` and an initial ``z`` must stay within `MAX_ELEMENTS_PER_UPDATE`.
    * ``eps`` (the target Ca) must be positive: Ca is never negative, so a target at or below 0 is never
      reached, and NEST's linear curve divides by it (measured: ``eps = 0`` crashes NEST).
    * A gaussian curve needs ``eta`` different from ``eps`` (its width is proportional to eps - eta), a
      sigmoid one a positive ``psi``.
    """
    rate = curve.get("growth_rate")
    if _is_number(rate):
        if rate < 0:
            raise ConfigurationError(
                f"{name}: growth_rate is negative ({rate:g} elements/ms): that turns homeostasis around, "
                "elements would grow where they should retract; use a rate >= 0 (0 switches growth off)"
            )
        if rate * update_interval > MAX_ELEMENTS_PER_UPDATE:
            raise ConfigurationError(
                f"{name}: growth_rate ({rate:g} elements/ms) grows up to {rate * update_interval:.3g} elements per "
                f"neuron in one update of {update_interval:g} ms; at most {MAX_ELEMENTS_PER_UPDATE} are allowed "
                "(the example grows 0.01 to 0.04): lower growth_rate or update_interval"
            )
    z = curve.get("z")
    if _is_number(z) and not 0 <= z <= MAX_ELEMENTS_PER_UPDATE:
        raise ConfigurationError(
            f"{name}: z (initial elements per neuron) must be from 0 to {MAX_ELEMENTS_PER_UPDATE}, got {z:g}"
        )
    eps = curve.get("eps")
    if _is_number(eps) and eps <= 0:
        raise ConfigurationError(
            f"{name}: eps is the target Ca and must be positive (Ca never falls below 0), got {eps:g}"
        )
    if curve.get("growth_curve") == "gaussian" and _is_number(eps) and curve.get("eta", 0.0) == eps:
        raise ConfigurationError(
            f"{name} has eta equal to eps ({eps:g}): the gaussian curve would have zero width; make eta lower than eps"
        )
    psi = curve.get("psi")
    if curve.get("growth_curve") == "sigmoid" and _is_number(psi) and psi <= 0:
        raise ConfigurationError(f"{name}: psi is the width of the sigmoid curve and must be positive, got {psi:g}")
    return curve


def calcium(name, params, dt):
    """Refuse a calcium trace NEST cannot integrate: ``tau_Ca`` below the resolution, or Ca beyond `MAX_MAGNITUDE`.

    NEST crashes when ``tau_Ca`` is shorter than a step (measured: 0.01 ms with dt = 0.1 ms); Ca rises
    by ``beta_Ca`` per spike, at most one spike per step, so it stays below beta_Ca x tau_Ca / dt.

    Parameters
    ----------
    name : str
        What `params` are, for the message (e.g. ``"neuron parameters of population 'e'"``).
    params : dict
        Neuron parameters (NEST names); missing ``tau_Ca``/``beta_Ca`` are NEST's defaults and pass.
    dt : float
        Resolution (ms).
    """
    tau, beta = params.get("tau_Ca"), params.get("beta_Ca")
    if _is_number(tau) and tau < dt:
        raise ConfigurationError(
            f"tau_Ca of the {name} ({_fmt(tau)} ms) must be at least the resolution dt ({_fmt(dt)} ms): "
            "a calcium trace faster than one step cannot be integrated"
        )
    if _is_number(tau) and _is_number(beta) and abs(beta) * tau / dt > MAX_MAGNITUDE:
        raise ConfigurationError(
            f"beta_Ca of the {name} ({beta:g}) with tau_Ca {tau:g} ms lets Ca reach {abs(beta) * tau / dt:.3g}; "
            f"keep beta_Ca x tau_Ca / dt below {MAX_MAGNITUDE:g}"
        )


def network_memory(n_neurons, delay_steps=0.0, n_processes=None, available=None, n_synapses=0):
    """Refuse a network whose estimated memory per process exceeds this machine's memory (`memory_budget`).

    The estimate is `BYTES_PER_NEURON` plus 24 bytes per delay step for every neuron, and
    `BYTES_PER_SYNAPSE` for every synapse of a saved network, divided over the MPI processes an MPI
    launcher started (`parallel.launcher_size`).

    Parameters
    ----------
    n_neurons : int
    delay_steps : float
        Longest delay in steps of the resolution.
    n_processes : int, optional
        Default: what the launcher's environment says (1 without a launcher).
    available : float, optional
        Bytes of memory this process may use; default: `memory_budget` (no check when unknown).
    n_synapses : int
        Synapses restored from a saved network.
    """
    n_processes = launcher_size() if n_processes is None else n_processes
    if available is None:
        available = memory_budget()
        if available is None:
            return
    needed = (n_neurons * (BYTES_PER_NEURON + 24.0 * delay_steps) + n_synapses * BYTES_PER_SYNAPSE) / max(
        1, n_processes
    )
    if needed > available:
        what = f"{n_neurons} neurons" + (f" and {n_synapses} synapses" if n_synapses else "")
        each = f"about {BYTES_PER_NEURON / 1e3:.0f} kB each" + (
            f", {BYTES_PER_SYNAPSE:.0f} bytes per synapse" if n_synapses else ""
        )
        raise ConfigurationError(
            f"{what} need about {needed / 1e9:.3g} GB per process ({each}), more than the "
            f"{available / 1e9:.3g} GB this process may use; choose fewer neurons or spread them over more MPI processes"
        )


#: Longest file name (bytes) and path (bytes) where the system does not say (Linux's NAME_MAX and PATH_MAX).
NAME_MAX, PATH_MAX = 255, 4096


def output_file_path(name, path):
    """Check the text of a path the package will write a file to; return it as a string.

    Refused before anything is simulated: an empty name, a NUL character, a name that ends with ``/`` (a
    folder's name), and names or paths longer than the system allows (each part at most `NAME_MAX` bytes,
    the whole at most `PATH_MAX`). What is at the path is checked by `networks.state.check_output_file`.

    Parameters
    ----------
    name : str
        What the path is, for the messages (e.g. ``"save_network_path"``).
    path : str or path-like

    Raises
    ------
    ConfigurationError
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ConfigurationError(f"{name} must be a file path, got {path!r}")
    text = os.fspath(path)
    if not isinstance(text, str) or not text.strip():
        raise ConfigurationError(f"{name} is empty; give a file name such as network.npz")
    if "\0" in text:
        raise ConfigurationError(f"{name} {text!r} holds a NUL character, which no file name can hold")
    if text.endswith((os.sep, f"{os.sep}.", f"{os.sep}..")) or text in (".", ".."):
        raise ConfigurationError(
            f"{name} {text!r} names a folder; give a file name such as {os.path.join(text, 'network.npz')}"
        )
    encoded = os.fsencode(text)
    if len(encoded) >= PATH_MAX:
        raise ConfigurationError(f"{name} is {len(encoded)} bytes long; paths may have at most {PATH_MAX - 1}")
    for part in text.split(os.sep):
        if len(os.fsencode(part)) > NAME_MAX:
            raise ConfigurationError(
                f"{name}: the name {part[:40]}... is {len(os.fsencode(part))} bytes long; file names may have at most "
                f"{NAME_MAX}"
            )
    return text


def parse_json_value(name, text):
    """Parse the VALUE of a ``NAME=VALUE`` assignment: JSON, or a bare word taken as a string.

    Text that starts like JSON (a number, ``{``, ``[``, ``"``, ``true``...) but does not parse is an
    error naming the JSON problem, not a string: ``{"tau_Ca": x}`` must not become the string
    ``'{"tau_Ca": x}'`` and fail later as "must be a dict".

    Raises
    ------
    ConfigurationError
    """
    try:
        return nesting(name, json.loads(text))
    except RecursionError:  # Python's parser recurses once per bracket
        raise ConfigurationError(
            f"the value of {name} nests brackets more than {MAX_NESTING} levels deep; check the brackets"
        ) from None
    except json.JSONDecodeError as exc:
        stripped = text.strip()
        word = stripped.replace("_", "").replace("-", "").replace(".", "")
        if stripped and (word.isalnum() and not stripped[0].isdigit() and stripped[0] not in "-+."):
            return text  # a bare word such as iaf_psc_exp
        raise ConfigurationError(
            f"the value of {name} is not valid JSON ({exc.msg} at column {exc.colno}): {text!r}; "
            'write numbers as 1.5, strings in double quotes, dicts as {"key": 1.0}'
        ) from exc
