#!/usr/bin/env bash
# Runs every test: unit, property, golden, fuzz-corpus and end-to-end tests on real images (and real CRIU where the
# machine allows it). Usage: ./test.sh [extra Maven arguments]
set -euo pipefail
CKPT_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
source "$CKPT_ROOT/build/env.sh"
ckpt_setup_build
# A private CRIU 4.x for the end-to-end tests; tests that need it say so and skip if it cannot be had.
if criu="$(ckpt_setup_criu 2>/dev/null)" && [[ -x "$criu" ]]; then
  export CKPT_CRIU="$criu"
  echo "test.sh: using CRIU $("$criu" --version 2>/dev/null | head -n1 | awk '{print $2}') at $criu"
else
  echo "test.sh: no CRIU could be installed (see .tools/criu-setup.log); CRIU end-to-end tests will be skipped"
fi
# gdb for the elf-core backend's tests (GdbTest, KernelCoreTest skip without it); gcc builds the userspace backend.
if ! command -v gdb >/dev/null && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  { apt-get update -qq && apt-get install -y -qq gdb; } >/dev/null 2>&1 \
    || echo "test.sh: could not install gdb; gdb tests will be skipped"
fi
command -v gcc >/dev/null || echo "test.sh: gcc is missing: the userspace backend (native library and loader) cannot be built"
cd "$CKPT_ROOT"
exec "$MVN" -B -ntp verify "$@"
