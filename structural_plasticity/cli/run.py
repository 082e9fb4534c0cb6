"""The default sub-command, ``run``: simulate `StructuralPlasticityExample` and save everything."""

import textwrap

from ..model import StructuralPlasticityExample
from .command import SimulationCommand
from .options import RUN_OPTIONS
from .parser import HELP_WIDTH, PROG


def program_epilog(commands):
    """Return the end of the program's ``--help`` (``run``'s, the default): the other `commands` and examples.

    `commands`: the registry of sub-commands (`cli.SUBCOMMANDS`), name -> callable with a ``summary``. Wrapped
    at `parser.HELP_WIDTH`, like the rest of the help.
    """
    indent = " " * 13
    others = "\n".join(
        textwrap.fill(command.summary, HELP_WIDTH, initial_indent=f"  {name:<10} ", subsequent_indent=indent)
        for name, command in commands.items()
        if name != "run"
    )
    return (
        f"other sub-commands ({PROG} SUB-COMMAND --help for their options):\n{others}\n\n"
        "examples (the installed command 'structural-plasticity' is the same as the first three words):\n"
        f"  {PROG}                          # the full 200 s example into ./results\n"
        f"  {PROG} --t-sim 20 -o short        # 20 s into ./short\n"
        f"  {PROG} --t-sim 20 --record spikes # with every neuron's spikes\n"
        f"  {PROG} plot short                 # re-draw the figures of saved results\n"
        f"  {PROG} export short --format nwb  # an NWB file (needs the [nwb] extra)\n"
        f"  mpirun -n 2 {PROG}                # on 2 MPI processes (MPI build)"
    )


RUN = SimulationCommand(
    name="run",
    summary="simulate the example and save figures, data and metadata (the default)",
    description=(
        "Simulate NEST's structural plasticity example (Butz & van Ooyen 2013): 800 excitatory and 200 "
        "inhibitory neurons start without synapses and grow them until each population's mean calcium "
        "sits at its target. Writes figures, data (NPZ, CSV), metadata (JSON) and prints a summary."
    ),
    model=StructuralPlasticityExample,
    options=RUN_OPTIONS,
    default_output="results",
    # The epilog lists the other sub-commands: `program_epilog` of the registry, set where it is built (cli/__init__).
    prog=PROG,
    version=True,
)
