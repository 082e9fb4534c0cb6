#!/usr/bin/env bash
# Install an MPI-enabled NEST (built from the PyPI sdist) and mpi4py into a virtual environment.
#
# Usage: scripts/install-nest-mpi.sh [VENV]         (default VENV: .venv-mpi)
# Environment: NEST_VERSION (3.10.0), NEST_MPI_CACHE (wheel cache), PYTHON (python3),
#              NEST_MPI_SKIP_APT=1 (never call apt-get: MPI, GSL, Boost, CMake come from elsewhere).
#
# The PyPI wheel of nest-simulator has no MPI. This script
#   1. installs Debian's MPI, GSL and Boost development packages when they are missing (needs root or sudo),
#   2. creates VENV if it does not exist,
#   3. builds nest-simulator (the version in NEST_VERSION, default 3.10.0) from the PyPI sdist with
#      -DWITH_MPI=ON into a wheel kept in a cache folder, and installs it with mpi4py,
#   4. installs this package (with its test extra) into VENV.
# The first build takes about 12 minutes on 2 cores; later runs reuse the cached wheel
# (NEST_MPI_CACHE, default ~/.cache/structural_plasticity/nest-mpi): about 2 minutes for a new VENV
# (pip installs), 5-35 s for an existing one. Rerunning is safe: every step checks what exists.
# NEST's source is downloaded from PyPI at build time and never kept in this repository.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${1:-$here/.venv-mpi}
nest_version=${NEST_VERSION:-3.10.0}
cache=${NEST_MPI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/structural_plasticity/nest-mpi}
python=${PYTHON:-python3}

log() { printf '[install-nest-mpi] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
started=$SECONDS
export PYNEST_QUIET=1  # no NEST banner in the checks below

# --- 1. system packages -----------------------------------------------------------------------
need=()
command -v mpicc >/dev/null 2>&1 || need+=(libopenmpi-dev)
command -v mpirun >/dev/null 2>&1 || need+=(openmpi-bin)
[ -e /usr/include/gsl/gsl_rng.h ] || command -v gsl-config >/dev/null 2>&1 || need+=(libgsl-dev)
[ -e /usr/include/boost/version.hpp ] || need+=(libboost-dev)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
if [ "${NEST_MPI_SKIP_APT:-0}" = "1" ]; then
    [ ${#need[@]} -eq 0 ] || log "NEST_MPI_SKIP_APT=1: not installing ${need[*]}; the build needs their equivalents"
elif [ ${#need[@]} -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 ||
        die "missing ${need[*]} (Debian names) and no apt-get here: provide an MPI compiler wrapper (mpicc), mpirun, GSL, Boost, CMake and g++ (e.g. 'module load' on a cluster), then rerun with NEST_MPI_SKIP_APT=1"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "missing Debian packages ${need[*]}; run as root or install them: apt-get install ${need[*]}"
        sudo="sudo"
    fi
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
    trap 'rm -rf "$tmp"' EXIT
    # Built in a temporary folder and moved into the cache only when complete, so an interrupted build
    # never leaves a broken wheel behind.
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)} \
        pip wheel --no-deps --no-build-isolation --no-binary nest-simulator -w "$tmp" \
        "nest-simulator==$nest_version" -C cmake.define.with-mpi=ON ||
        die "building nest-simulator $nest_version with MPI failed (see the compiler output above); NEST needs an MPI compiler wrapper (mpicc), GSL, Boost, CMake >= 3.19 and a C++17 compiler"
    mv "$tmp"/nest_simulator-*.whl "$wheel_dir"/
    rm -rf "$tmp"
    wheel=$(ls "$wheel_dir"/nest_simulator-*.whl | head -n 1)
else
    log "reusing cached MPI build $wheel"
fi
installed=$("$venv/bin/python" -c 'import nest; print(nest.__version__, nest.build_info["have_mpi"])' 2>/dev/null |
    tail -n 1 || true)
if [ "$installed" = "$nest_version True" ]; then
    log "$venv already has NEST $nest_version with MPI"
else
    # --force-reinstall replaces a PyPI (non-MPI) NEST of the same version; --no-deps keeps the rest.
    pip install -q --force-reinstall --no-deps "$wheel"
fi
pip install -q "$wheel"  # NEST's own runtime dependencies, skipped by --no-deps above

# --- 4. this package ----------------------------------------------------------------------------
if [ -f "$here/pyproject.toml" ]; then
    pip install -q -e "$here[test,mpi]"
fi

have_mpi=$("$venv/bin/python" -c 'import nest; print(nest.build_info["have_mpi"])' 2>/dev/null | tail -n 1)
if [ "$have_mpi" != "True" ]; then
    die "NEST in $venv does not import with MPI (build_info['have_mpi'] = '${have_mpi}'); if the MPI library changed since the build, delete $wheel_dir and rerun to rebuild"
fi
"$venv/bin/python" -c 'import mpi4py.MPI' || die "mpi4py in $venv does not load the MPI library"
log "done in $((SECONDS - started)) s: $venv has NEST $nest_version with MPI and mpi4py; launch with: mpirun -n 2 $venv/bin/python -m structural_plasticity"
