#!/usr/bin/env bash
# Install an MPI-enabled NEST (built from the PyPI sdist) and mpi4py into a virtual environment.
#
# Usage: scripts/install-nest-mpi.sh [VENV]         (default VENV: .venv-mpi)
#
# The PyPI wheel of nest-simulator has no MPI. This script
#   1. installs Debian's MPI, GSL and Boost development packages when they are missing (needs root or sudo),
#   2. creates VENV if it does not exist,
#   3. builds nest-simulator (the version in NEST_VERSION, default 3.10.0) from the PyPI sdist with
#      -DWITH_MPI=ON into a wheel kept in a cache folder, and installs it with mpi4py,
#   4. installs this package (with its test extra) into VENV.
# The first build takes about 12 minutes on 2 cores; later runs reuse the cached wheel
# (NEST_MPI_CACHE, default ~/.cache/structural_plasticity/nest-mpi) and take seconds.
# NEST's source is downloaded from PyPI at build time and never kept in this repository.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${1:-$here/.venv-mpi}
nest_version=${NEST_VERSION:-3.10.0}
cache=${NEST_MPI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/structural_plasticity/nest-mpi}
python=${PYTHON:-python3}

log() { printf '[install-nest-mpi] %s\n' "$*" >&2; }

# --- 1. system packages -----------------------------------------------------------------------
need=()
command -v mpicc >/dev/null 2>&1 || need+=(libopenmpi-dev)
command -v mpirun >/dev/null 2>&1 || need+=(openmpi-bin)
[ -e /usr/include/gsl/gsl_rng.h ] || need+=(libgsl-dev)
[ -e /usr/include/boost/version.hpp ] || need+=(libboost-dev)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "installing Debian packages: ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- 2. virtual environment -------------------------------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
    log "creating virtual environment $venv"
    "$python" -m venv "$venv"
fi
pip() { "$venv/bin/python" -m pip "$@"; }
pip install -q --upgrade pip
pip install -q mpi4py numpy cython scikit-build-core

# --- 3. NEST with MPI, built once into a cached wheel ----------------------------------------
pyver=$("$venv/bin/python" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
wheel_dir="$cache/$nest_version-$pyver-$(uname -m)"
wheel=$(ls "$wheel_dir"/nest_simulator-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
    log "building nest-simulator $nest_version with MPI from the PyPI sdist (about 12 minutes on 2 cores)"
    mkdir -p "$wheel_dir"
    tmp=$(mktemp -d)
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
        pip wheel --no-deps --no-build-isolation --no-binary nest-simulator -w "$tmp" \
        "nest-simulator==$nest_version" -C cmake.define.with-mpi=ON
    mv "$tmp"/nest_simulator-*.whl "$wheel_dir"/
    rm -rf "$tmp"
    wheel=$(ls "$wheel_dir"/nest_simulator-*.whl | head -n 1)
else
    log "reusing cached MPI build $wheel"
fi
pip install -q --force-reinstall --no-deps "$wheel"
# --no-deps above skips NEST's own runtime dependencies; install them explicitly.
pip install -q "$wheel"

# --- 4. this package ----------------------------------------------------------------------------
if [ -f "$here/pyproject.toml" ]; then
    pip install -q -e "$here[test,mpi]"
fi

have_mpi=$("$venv/bin/python" -c 'import nest; print(nest.build_info["have_mpi"])' 2>/dev/null | tail -n 1)
if [ "$have_mpi" != "True" ]; then
    log "error: NEST in $venv has no MPI (build_info['have_mpi'] = $have_mpi)"
    exit 1
fi
log "done: $venv has NEST $nest_version with MPI and mpi4py"
