"""Old path of `structural_plasticity.networks.state`, kept for one release: import from there instead."""

from .networks.state import (  # noqa: F401
    ELEMENT_KEYS,
    FORMAT,
    FORMAT_VERSION,
    REQUIRED_ARRAYS,
    NetworkFile,
    check_models_exist,
    check_output_file,
    gather_network,
    increasing_chains,
    load_network,
    node_ids,
    restore_input_weights,
    save_network,
)
