"""A structural update done by the package: synapse bookkeeping, deletion choice, pairing, positions."""
