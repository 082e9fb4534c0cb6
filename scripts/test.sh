#!/usr/bin/env bash
# Install everything the tests need and run them: `bash scripts/test.sh [PYTEST ARGS]`.
#
#  * .venv      the package with its test extra and NEST from PyPI (no MPI): the default engine;
#  * .venv-mpi  NEST built with MPI (scripts/install-nest-mpi.sh; about 12 minutes the first time,
#               then reused from a cached wheel) for the tests marked `mpi`.
# Set SP_SKIP_MPI=1 to skip building the MPI environment (the mpi tests then skip, except on CI where
# they fail). The slow tests are deselected by default; run them with `bash scripts/test.sh -m slow`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

if [ "${SP_SKIP_MPI:-0}" != "1" ]; then
    bash scripts/install-nest-mpi.sh "$PWD/.venv-mpi"
    export SP_MPI_PYTHON="$PWD/.venv-mpi/bin/python"
fi

export MPLBACKEND=Agg PYNEST_QUIET=1
exec .venv/bin/python -m pytest "$@"
