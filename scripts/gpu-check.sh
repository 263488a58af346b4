#!/usr/bin/env bash
# Runs on a lent GPU machine (docs/profiling.md, "On a lent GPU machine"): unpacks the kit that
# scripts/gpu-kit.sh packed (Node, Dawn, the Vulkan loader, the test bundle, CRF fixtures), then
# runs the test suite on that adapter and the benchmarks the issues ask for, each step under its
# own time limit so that one hang cannot spend the lease. Everything goes to $OUT (the device
# tool's folder; /tmp/atrous-gpu-out elsewhere): check.log, bench.jsonl, profile.jsonl, trace.json.
# Usage: bash scripts/gpu-check.sh [quick]   (quick: tests and the GEMM probe only)
set -uo pipefail
cd "$(dirname "$0")/.."
kit=.gpukit
out=${OUT:-/tmp/atrous-gpu-out}
mkdir -p "$out"
log="$out/check.log"
[ -f "$kit/node.xz" ] || { echo "gpu-check: no $kit: run scripts/gpu-kit.sh where you build, and carry .gpukit and dist" | tee -a "$log"; exit 1; }

if ! command -v node >/dev/null; then
  mkdir -p /tmp/atrous-node/bin
  xz -dc "$kit/node.xz" >/tmp/atrous-node/bin/node && chmod +x /tmp/atrous-node/bin/node
  export PATH=/tmp/atrous-node/bin:$PATH
fi
# The README's recipe for the device: unpack the loader over / when the image has none.
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
  for f in "$kit"/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$icd
fi
for m in "$kit"/packages/*; do
  [ -e "node_modules/${m##*/}" ] || { mkdir -p node_modules && cp -r "$m" node_modules/; }
done
dawn=node_modules/webgpu/dist/linux-x64/dawn.node
[ -f "$dawn" ] || xz -dc "$dawn.xz" >"$dawn"
# CRF fixtures where the tests and the bench look for them (../shared beside the clone), only if
# nothing is there already.
crf=../shared/fixtures/crf
if [ -d "$kit/crf/small_64x48" ] && [ ! -e "$crf" ]; then
  mkdir -p "$crf/voc_500x375"
  cp -r "$kit/crf/small_64x48" "$crf/"
  cp "$kit/crf/voc_500x375/image.u8.bin" "$crf/voc_500x375/"
  xz -dc "$kit/crf/voc_500x375/unary.f32.bin.xz" >"$crf/voc_500x375/unary.f32.bin"
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/atrous-xdg}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

# step NAME SECONDS COMMAND...: runs it under a time limit, its output into check.log.
step() {
  local name=$1 limit=$2
  shift 2
  echo "=== $name (limit ${limit} s): $*" | tee -a "$log"
  local t0=$SECONDS
  timeout -k 5 "$limit" "$@" 2>&1 | grep -v "artificially reduced from" | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  echo "=== $name: exit $rc after $((SECONDS - t0)) s" | tee -a "$log"
}

step gpu 20 sh -c 'nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>/dev/null || echo "no nvidia-smi"'
step info 30 node dist/cli.js info
step tests 100 node tests/run.mjs --from "$kit/all.test.mjs"
step gemm_peak 50 node dist/bench.js gemm_peak --json "$out/bench.jsonl"
[ "${1:-}" = quick ] && exit 0
step conv2d-513 100 node dist/bench.js conv2d --preset largefov-513 --runs 20 --json "$out/bench.jsonl"
step aspp-513 50 node dist/bench.js conv2d --preset aspp-513 --variant tapwise --no-peak --runs 20 --json "$out/bench.jsonl"
step aspp-513-auto 30 node dist/bench.js conv2d --preset aspp-513 --variant auto --no-peak --runs 20 --json "$out/bench.jsonl"
step crf 50 node dist/bench.js crf --preset voc --runs 20 --json "$out/bench.jsonl"
step crf-profile 10 node dist/cli.js profile --model crf --size 375x500 --crf-storage f16 --runs 5 --jsonl "$out/crf-profile.jsonl"
step lattice-coords 10 node dist/bench.js lattice_coords --runs 20 --no-peak --json "$out/bench.jsonl"
step crf-lattice 10 node dist/cli.js profile --model crf-lattice --size 375x500 --warmup 2 --runs 5 --jsonl "$out/crf-lattice-profile.jsonl"
step profile-513 80 node dist/cli.js profile --model deeplab-largefov --size 513 --warmup 3 --runs 10 --trace "$out/trace.json" --jsonl "$out/profile.jsonl"
step v3-513 50 node dist/cli.js profile --model deeplab-v3-resnet101 --size 513 --warmup 2 --runs 5
