#!/usr/bin/env bash
# Packs what a lent GPU machine (see docs/profiling.md, "On a lent GPU machine") lacks into .gpukit/
# (git-ignored, ~45 MB): that machine's image has no Node, no Vulkan loader and no network, and
# only the working tree and the paths a run carries reach it. Run here after `scripts/setup.sh`;
# then carry .gpukit and dist and run scripts/gpu-check.sh there.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(uname -m)" = x86_64 ] || { echo "gpu-kit: the GPU machine is x86-64; build the kit on an x86-64 machine" >&2; exit 1; }
[ -f node_modules/webgpu/dist/linux-x64/dawn.node ] || { echo "gpu-kit: run scripts/setup.sh first (no node_modules/webgpu)" >&2; exit 1; }
shared=../shared/fixtures/crf
kit=.gpukit
rm -rf "$kit" && mkdir -p "$kit/packages/webgpu/dist/linux-x64" "$kit/crf"

echo "gpu-kit: node $(node --version), xz-compressed"
xz -T0 -6 -c "$(command -v node)" >"$kit/node.xz"
# The runtime packages the bundles leave out: Dawn (native) and the image codecs (CommonJS, required
# at run time; no dependencies of their own).
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$kit/packages/webgpu/"
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$kit/packages/webgpu/dist/linux-x64/dawn.node.xz"
cp -r node_modules/pngjs node_modules/jpeg-js "$kit/packages/"

echo "gpu-kit: the Vulkan loader (libvulkan1, amd64)"
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/gpukit-apt-lists)
mkdir -p /tmp/gpukit-apt-lists/partial
apt-get "${o[@]}" update -qq
# (apt warns that root downloads unsandboxed into a folder _apt cannot read: harmless here.)
(cd "$kit" && apt-get "${o[@]}" download libvulkan1 2>&1 | grep -v unsandboxed || true)
ls "$kit"/libvulkan1_*.deb >/dev/null || { echo "gpu-kit: could not download libvulkan1" >&2; exit 1; }

echo "gpu-kit: the test bundle and the builds"
node scripts/build.mjs
node tests/run.mjs --bundle "$kit/all.test.mjs" >/dev/null

# The CRF fixtures beside the clone: small_64x48 whole (tests); voc_500x375's image and unary only
# (the bench), without its manifest, so that its 16 MB test, whose reference Q is left out, skips.
if [ -d "$shared/small_64x48" ]; then
  cp -r "$shared/small_64x48" "$kit/crf/"
  mkdir -p "$kit/crf/voc_500x375"
  cp "$shared/voc_500x375/image.u8.bin" "$kit/crf/voc_500x375/"
  xz -T0 -3 -c "$shared/voc_500x375/unary.f32.bin" >"$kit/crf/voc_500x375/unary.f32.bin.xz"
else
  echo "gpu-kit: no $shared: the CRF tests will skip and the CRF bench use a synthetic image"
fi
du -sh "$kit" dist
echo "gpu-kit: done. On the device: carry [\".gpukit\", \"dist\"], command: bash scripts/gpu-check.sh"
