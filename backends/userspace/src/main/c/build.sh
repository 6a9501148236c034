#!/bin/sh
# Builds libckpt.so and ckpt-loader with the machine's C compiler; called by the Maven build (exec-maven-plugin).
# usage: build.sh SRC_DIR OUT_DIR
set -eu
src="$1"; out="$2"
CC="${CC:-gcc}"
if ! command -v "$CC" >/dev/null 2>&1; then
  echo "ckpt-backend-userspace: the C compiler '$CC' is missing; install gcc (apt-get install gcc) or set CC" >&2
  exit 1
fi
case "$(uname -m)" in x86_64) ;; *) echo "ckpt-backend-userspace: only x86_64 is supported, not $(uname -m)" >&2; exit 1;; esac
mkdir -p "$out"
# -z now: every symbol is bound at load. Lazy binding would write the GOT and ld.so's data from inside a dump
# (and from signal handlers); in a restarted copy that data is anonymous memory, sent by reference.
"$CC" -O2 -g0 -Wall -Wextra -Wno-unused-parameter -fPIC -shared -fvisibility=default -pthread -Wl,-z,now \
  -o "$out/libckpt.so" "$src/libckpt.c" -ldl
"$CC" -O2 -g0 -Wall -Wextra -static -nostdlib -fpie -no-pie -Wno-unused-parameter -ffreestanding -fno-builtin -fno-stack-protector \
  -fno-tree-loop-distribute-patterns -fcf-protection=none -fno-asynchronous-unwind-tables \
  -Wl,-Ttext-segment=0x200000000000 -Wl,--build-id=none -Wl,-z,noexecstack \
  -o "$out/ckpt-loader" "$src/loader.c"
"$CC" -O2 -g0 -Wall -o "$out/ckpt-bench-dirty" "$src/bench/dirty.c"
cp "$src/ckpt.h" "$out/ckpt.h"
