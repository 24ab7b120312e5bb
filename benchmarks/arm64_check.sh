#!/usr/bin/env bash
# Run the ser-edge runtime on arm64 (aarch64) under qemu-user and compare with this machine.
#
#   bash benchmarks/arm64_check.sh            # from the repo root; needs root for apt-get
#
# What it does (Debian packages and PyPI aarch64 wheels only; no binfmt_misc, no chroot):
#   1. apt-get install qemu-user-static debootstrap (when missing);
#   2. debootstrap --foreign --arch=arm64 Debian bookworm (python3 3.11, as Raspberry Pi OS
#      bookworm 64-bit) into $ARM64_ROOT and unpacks its .debs with dpkg-deb -x (the second
#      stage, which needs to run arm64 code as root, is not needed to run Python);
#   3. pip download/installs the aarch64 wheels of the runtime's dependencies (numpy,
#      onnxruntime, soundfile with libsndfile inside) and a wheel of this repo into $ARM64_ROOT/opt/ser-edge
#      (pip --platform manylinux_2_17/2_28_aarch64);
#   4. runs `ser-edge classify --json` with the default model (frames16k: the vendored Silero
#      VAD, YIN, CNN + MLP) and with `--model seed`, on the shared example WAVs and $N_FLAC
#      RAVDESS FLACs (read by soundfile), with qemu-aarch64-static -L $ARM64_ROOT and natively,
#      and compares: labels equal, every score within 1e-4; then `listen --mode window` (default
#      model) the same way. Exit status 0 when they agree.
# The first run downloads ~60 MB and takes several minutes; later runs reuse $ARM64_ROOT.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ARM64_ROOT=${ARM64_ROOT:-/var/tmp/ser-edge-arm64}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
HOST_PYTHON=${HOST_PYTHON:-python3}
DATA=${SER_EDGE_DATA:-$REPO/../shared/data}
N_FLAC=${N_FLAC:-8}
EXAMPLES=("$DATA"/seed/examples/*.wav)
mapfile -t FLACS < <(ls "$DATA"/audio/ravdess/Actor_*/*.flac 2>/dev/null | awk 'NR % 131 == 1' | head -n "$N_FLAC")
INPUTS=("${EXAMPLES[@]}" "${FLACS[@]}")
SITE=$ARM64_ROOT/opt/ser-edge
OUT=${OUT:-/tmp/ser-edge-arm64-check}
start=$(date +%s)
mkdir -p "$OUT"

log() { echo "[arm64_check $(($(date +%s) - start))s] $*"; }

if ! command -v qemu-aarch64-static >/dev/null || ! command -v debootstrap >/dev/null; then
    log "installing qemu-user-static debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static debootstrap >/dev/null
fi

if [ ! -x "$ARM64_ROOT/usr/bin/python3.11" ]; then
    log "debootstrap (first stage) of $SUITE arm64 into $ARM64_ROOT"
    debootstrap --foreign --arch=arm64 --variant=minbase --include=python3 \
        "$SUITE" "$ARM64_ROOT" "$MIRROR" >"$OUT/debootstrap.log" 2>&1
    log "unpacking $(ls "$ARM64_ROOT"/var/cache/apt/archives/*.deb | wc -l) packages"
    for deb in "$ARM64_ROOT"/var/cache/apt/archives/*.deb; do
        dpkg-deb -x "$deb" "$ARM64_ROOT"
    done
fi
# qemu-user 7.2 shows arm64 programs the host's x86 /proc/cpuinfo; onnxruntime's cpuinfo then
# finds no ARM core and segfaults at import. With -L, qemu opens $ARM64_ROOT/<path> first when
# it exists, so the sysroot gets the CPU description of a Raspberry Pi 4 (4 x Cortex-A72),
# and QEMU_CPU emulates that core.
mkdir -p "$ARM64_ROOT/proc" "$ARM64_ROOT/sys/devices/system/cpu"
: >"$ARM64_ROOT/proc/cpuinfo"
for i in 0 1 2 3; do
    printf 'processor\t: %d\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n' \
        "$i" >>"$ARM64_ROOT/proc/cpuinfo"
done
printf 'Hardware\t: BCM2835\nRevision\t: b03114\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n' >>"$ARM64_ROOT/proc/cpuinfo"
for f in possible present online; do echo 0-3 >"$ARM64_ROOT/sys/devices/system/cpu/$f"; done
echo 255 >"$ARM64_ROOT/sys/devices/system/cpu/kernel_max"
export QEMU_CPU=${QEMU_CPU:-cortex-a72}
QEMU=(qemu-aarch64-static -L "$ARM64_ROOT")
ARM_PY=("${QEMU[@]}" "$ARM64_ROOT/usr/bin/python3.11")
log "arm64 python: $("${ARM_PY[@]}" -c 'import platform, sys; print(platform.machine(), sys.version.split()[0])')"

if [ ! -d "$SITE/soundfile_data" ] || [ "${REINSTALL:-0}" = 1 ]; then
    log "installing aarch64 wheels (numpy, onnxruntime, soundfile) and ser-edge into $SITE"
    rm -rf "$SITE" "$OUT/wheel" && mkdir -p "$SITE" "$OUT/wheel"
    "$HOST_PYTHON" -m pip wheel -q --no-deps -w "$OUT/wheel" "$REPO" >/dev/null
    "$HOST_PYTHON" -m pip install -q --target "$SITE" --only-binary=:all: \
        --platform manylinux_2_17_aarch64 --platform manylinux_2_28_aarch64 \
        --platform manylinux2014_aarch64 --python-version 3.11 --implementation cp \
        "$OUT"/wheel/ser_edge-*.whl soundfile
fi
"${ARM_PY[@]}" -c "import sys; sys.path.insert(0, '$SITE'); import numpy, onnxruntime, soundfile; \
print('arm64 packages: numpy', numpy.__version__, 'onnxruntime', onnxruntime.__version__, \
'soundfile', soundfile.__version__, 'libsndfile', soundfile.__libsndfile_version__)"

compare() {  # x86.jsonl arm64.jsonl: labels equal, every score within 1e-4
    "$HOST_PYTHON" - "$1" "$2" <<'PY'
import json, sys
x86, arm = ([json.loads(line) for line in open(p)] for p in sys.argv[1:3])
assert len(x86) == len(arm) > 0, (len(x86), len(arm))
worst, ok = 0.0, True
for a, b in zip(x86, arm):
    diff = max((abs(a["scores"][k] - b["scores"][k]) for k in a.get("scores") or {}), default=0.0)
    worst = max(worst, diff)
    same = a["label"] == b["label"] and diff <= 1e-4
    ok &= same
    print(f"{a['file'].rsplit('/', 1)[-1]}: x86 {a['label']} {a.get('confidence') or 0:.6f}  "
          f"arm64 {b['label']} {b.get('confidence') or 0:.6f}  max score diff {diff:.2e}  "
          f"{'OK' if same else 'DIFFERENT'}")
print(f"{len(x86)} files: labels equal and scores within 1e-4: {ok} (worst {worst:.2e})")
sys.exit(0 if ok else 1)
PY
}

status=0
for model in default seed; do
    args=(classify --json)
    [ "$model" = seed ] && args+=(--model seed)
    log "classifying ${#INPUTS[@]} file(s) with the $model model on arm64 (qemu) and natively"
    t0=$(date +%s.%N)
    (cd /tmp && PYTHONPATH="$SITE" PYTHONNOUSERSITE=1 "${ARM_PY[@]}" -m ser_edge "${args[@]}" "${INPUTS[@]}") \
        >"$OUT/arm64-$model.jsonl"
    t1=$(date +%s.%N)
    (cd "$REPO" && PYTHONPATH="$REPO" "$HOST_PYTHON" -m ser_edge "${args[@]}" "${INPUTS[@]}") \
        >"$OUT/x86-$model.jsonl"
    log "arm64 classify ($model model) under qemu took $(echo "$t1 - $t0" | bc) s"
    compare "$OUT/x86-$model.jsonl" "$OUT/arm64-$model.jsonl" || status=1
done
[ "$status" = 0 ] || { log "arm64 and x86 disagree"; exit 1; }
log "listen --mode window (one-pass resampling, incremental features) on the first example x4"
"$HOST_PYTHON" - "${EXAMPLES[0]}" "$OUT/stream.wav" <<'PY'
import sys
import numpy as np
import soundfile
x, rate = soundfile.read(sys.argv[1], dtype="int16")
soundfile.write(sys.argv[2], np.concatenate([x] * 4), rate, subtype="PCM_16")
PY
LISTEN=(listen --input "$OUT/stream.wav" --mode window --json)
(cd /tmp && PYTHONPATH="$SITE" PYTHONNOUSERSITE=1 "${ARM_PY[@]}" -m ser_edge "${LISTEN[@]}") \
    >"$OUT/arm64-window.jsonl" 2>/dev/null
(cd "$REPO" && PYTHONPATH="$REPO" "$HOST_PYTHON" -m ser_edge "${LISTEN[@]}") >"$OUT/x86-window.jsonl" 2>/dev/null
"$HOST_PYTHON" - "$OUT/x86-window.jsonl" "$OUT/arm64-window.jsonl" <<'PY'
import json, sys
x86, arm = ([json.loads(line) for line in open(p)] for p in sys.argv[1:3])
assert len(x86) == len(arm) > 0, (len(x86), len(arm))
worst = max(abs(a["scores"][k] - b["scores"][k]) for a, b in zip(x86, arm) for k in a["scores"])
ok = all(a["label"] == b["label"] and a["start"] == b["start"] for a, b in zip(x86, arm)) and worst <= 1e-4
print(f"window events: {len(x86)} on both; labels and times equal, scores within 1e-4: {ok} (worst {worst:.2e})")
sys.exit(0 if ok else 1)
PY
log "done"
