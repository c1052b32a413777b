#!/usr/bin/env bash
# Installs everything Vigil needs on a fresh Debian 12 machine, idempotently:
# Debian packages (clang, llvm, libbpf-dev, bpftool, and stress-ng for
# `deno task test:stress`), Deno 2.9.6 from npm, OPA 1.22.3 (an `opa` of that
# version on PATH, else `go install`), the npm dependencies pinned in
# deno.lock, and the eBPF objects.
# Everything lands in .tools/ (ignored by git); .tools/bin goes first on PATH.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
mkdir -p "$tools/bin"
export PATH="$tools/bin:$PATH"

DENO_VERSION=2.9.6
OPA_VERSION=1.22.3
# stress-ng: deno task test:stress; containerd, runc, umoci and busybox-static:
# the live container test; nats-server and prometheus: the fleet and metrics tests.
APT_PACKAGES=(clang llvm libbpf-dev bpftool make gcc stress-ng containerd runc umoci busybox-static nats-server prometheus)

say() { printf 'setup: %s\n' "$*" >&2; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    say "needs root to install: ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! "$tools/bin/deno" --version 2>/dev/null | grep -q "^deno $DENO_VERSION "; then
  say "installing deno $DENO_VERSION from npm"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
    "deno@$DENO_VERSION" >/dev/null
  ln -sf ../node_modules/deno/deno "$tools/bin/deno"
fi

if ! "$tools/bin/opa" version 2>/dev/null | grep -q "^Version: $OPA_VERSION$"; then
  if command -v opa >/dev/null && opa version | grep -q "^Version: $OPA_VERSION$"; then
    ln -sf "$(command -v opa)" "$tools/bin/opa"
  else
    say "installing opa $OPA_VERSION with go install"
    GOBIN="$tools/bin" GOFLAGS=-mod=mod go install \
      "github.com/open-policy-agent/opa@v$OPA_VERSION"
  fi
fi

cd "$root"
deno install --frozen --quiet
if [ -r /sys/kernel/btf/vmlinux ]; then
  make -s -C ffi
else
  say "no kernel BTF (/sys/kernel/btf/vmlinux): eBPF objects not built; live events unavailable, replay works"
fi
say "ready (deno $DENO_VERSION, opa $OPA_VERSION); tools in $tools/bin"
