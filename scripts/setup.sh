#!/usr/bin/env bash
# One-time set-up on a fresh machine (Debian 12 as root, or with sudo): Node packages, the build,
# and — only where Dawn finds no WebGPU adapter — Mesa's software Vulkan driver (lavapipe).
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/atrous-xdg-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

if ! command -v node >/dev/null || ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
  echo "setup: Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

if [ ! -d node_modules/webgpu ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing Node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if node scripts/probe-adapter.mjs >/dev/null 2>&1; then
  echo "setup: WebGPU adapter found: $(node scripts/probe-adapter.mjs 2>/dev/null)"
else
  if [ "$(uname -s)" != Linux ] || ! command -v apt-get >/dev/null; then
    echo "setup: Dawn found no WebGPU adapter, and this is not a Debian-like Linux where set-up could install one." >&2
    echo "       Install a Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver for your GPU." >&2
    exit 1
  fi
  echo "setup: Dawn found no WebGPU adapter. Installing Mesa's software Vulkan driver (lavapipe),"
  echo "       mesa-vulkan-drivers + libvulkan1 from Debian's bookworm-backports: bookworm's own Mesa 22.3"
  echo "       lacks Vulkan features Dawn requires and yields no adapter; 25.x works."
  src=/etc/apt/sources.list.d/debian.sources
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    # The first Suites line listing plain "bookworm" (not bookworm-updates / -security) gets the suite.
    suites='^Suites:(.* )?bookworm( .*)?$'
    if [ -f "$src" ] && grep -Eq "$suites" "$src"; then
      echo "setup: enabling bookworm-backports in $src (added to its Suites line)"
      $SUDO sed -i -E "0,/$suites/s/^(Suites:(.* )?bookworm( .*)?)\$/\\1 bookworm-backports/" "$src"
    elif [ -f /etc/apt/sources.list ] && grep -q '^deb .* bookworm main' /etc/apt/sources.list; then
      echo "setup: enabling bookworm-backports in /etc/apt/sources.list (same mirror as bookworm)"
      line=$(grep -m1 '^deb .* bookworm main' /etc/apt/sources.list)
      echo "${line/ bookworm / bookworm-backports }" | $SUDO tee -a /etc/apt/sources.list >/dev/null
    else
      echo "setup: found no bookworm apt source to extend; add bookworm-backports to your apt sources by hand." >&2
      exit 1
    fi
  fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q -t bookworm-backports mesa-vulkan-drivers libvulkan1
  if ! node scripts/probe-adapter.mjs; then
    echo "setup: still no WebGPU adapter after installing lavapipe; see the output above." >&2
    exit 1
  fi
fi

node scripts/build.mjs
echo "setup: done"
