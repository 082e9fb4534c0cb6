"""Checks of parameter values that need no simulator, each failing with a message that names the fix."""

import math
import numbers

from .errors import ConfigurationError


def positive_time(name, value, unit="ms"):
    """Return `value` as float if it is a positive finite number, else raise `ConfigurationError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigurationError(f"{name} must be a number in {unit}, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(f"{name} must be a positive number of {unit}, got {value:g}")
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
        raise ConfigurationError(
            f"{name} ({value:g} {unit}) must be a whole multiple of {base_name} ({base:g} {unit}); "
            f"use for example {lower:g} or {lower + base:g} {unit}"
        )
    return steps


def choice(name, value, allowed):
    """Raise `ConfigurationError` unless `value` is one of `allowed`."""
    if value not in allowed:
        raise ConfigurationError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value
