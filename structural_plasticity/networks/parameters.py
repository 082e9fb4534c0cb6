"""Parameters as commented class attributes: one name each, deep-copied per instance, unknown names refused.

Every public, non-callable class attribute of a network class and its bases is a parameter (upper-case
names are constants, properties and methods are not). A parameter is passed by keyword or set in a
subclass; each instance gets deep copies, so a dict changed on one instance never changes the class or
another instance. `Parameterised` is the mixin that gives a class this behaviour; it declares no
parameter itself.
"""

import copy
from functools import cached_property

from .. import validation as check
from ..errors import ConfigurationError


class Parameterised:
    """Mixin: the parameters of a class are its public, non-callable class attributes (see the module docstring)."""

    def take_parameters(self, parameters):
        """Set every parameter on the instance: the given value, else a deep copy of the class's default.

        Parameters
        ----------
        parameters : dict
            Values by parameter name.

        Raises
        ------
        ConfigurationError
            For names that are not parameters, listing the known ones.
        """
        known = self.parameter_names()
        unknown = sorted(set(parameters) - set(known))
        if unknown:
            raise ConfigurationError(
                f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                f"for {type(self).__name__}; known parameters are: {', '.join(known)}"
            )
        for name in known:
            # Deep copies: a dict changed on one instance must never change the class or another instance.
            value = parameters[name] if name in parameters else getattr(type(self), name)
            check.nesting(name, value)  # before the copy, which recurses once per level (RecursionError)
            setattr(self, name, copy.deepcopy(value))

    @classmethod
    def parameter_names(cls):
        """Return the names of all parameters: public, non-callable class attributes of the class and its bases.

        Returns
        -------
        list of str
        """
        names = []
        for klass in reversed(cls.__mro__[:-1]):  # base classes first, `object` excluded
            for name, value in vars(klass).items():
                if name.startswith("_") or name.isupper() or name in names:
                    continue
                if callable(value) or isinstance(value, (property, cached_property, classmethod, staticmethod)):
                    continue
                names.append(name)
        return names

    def parameters(self):
        """Return a deep copy of all parameter values of this instance as a dict."""
        return {name: copy.deepcopy(getattr(self, name)) for name in self.parameter_names()}

    def validate_values(self):
        """Check every parameter value, inside dicts and lists too, against the kind of its default.

        Runs before any other check, so that none of them ever sees a NaN, an infinity, a number beyond
        `validation.MAX_MAGNITUDE` or a value of the wrong kind (NEST crashes on NaN and infinities inside
        dicts). The kind of each parameter is that of its default in the class that declared it
        (`validation.declared_defaults`): a subclass may change a value, not its kind.
        """
        check.parameter_values(self.parameters(), check.declared_defaults(type(self), self.parameter_names()))
