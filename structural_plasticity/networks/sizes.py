"""`Sized`: a configuration whose parameters left at None take the values of a named size.

`GallinaroRotterNetwork` (the 2018 reduced network and the 2022 full one) and `ButzSheetNetwork` (a reduced
sheet and Sinha et al.'s) come in sizes: a class constant ``SIZES = {size name: {parameter: value}}`` and a
parameter ``size``. A parameter given explicitly (by keyword or in a subclass) wins over the size's value.
"""

import copy

from .. import validation as check


class Sized:
    """Mixin: on construction, fill the parameters that are None from ``SIZES[size]`` (see the module docstring)."""

    def __init__(self, **parameters):
        size = parameters.get("size", type(self).size)
        check.choice("size", size, tuple(type(self).SIZES))
        parameters = dict(parameters)
        for name, value in type(self).SIZES[size].items():
            if parameters.get(name, getattr(type(self), name, None)) is None:
                parameters[name] = copy.deepcopy(value)
        super().__init__(**parameters)
