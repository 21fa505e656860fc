#!/usr/bin/env bash
# Side-by-side timings in one run (issue 17), a sibling of compare.sh:
#
# 1. Eight virtual drives fed from one image: `discwriter write IMAGE --drive
#    virt:dvd+r@DIR/dN` (eight times, --verify none) against eight `dd bs=1M conv=fsync`
#    copies of the image into eight files run in parallel; the wall time of each and its ratio
#    (target: 1.2 or less), discwriter's peak memory (maximum RSS; target: 64 MiB plus the
#    eight fifos of WriteOptions::fifo_bytes, 4 MiB each) and the bytes it read: the summary's
#    `bytes_read` (the engine's count) and the kernel's count of every byte the process read
#    (`rchar` of /proc/PID/io; target: the image once). The same write with --verify quick is
#    timed too (dd verifies nothing, so the ratio is taken with --verify none). Eight dd
#    without conv=fsync and one sync(1) after them are timed as well: on ext4 eight fsyncs at
#    once contend, so this is the stricter reference.
# 2. `discwriter check` of a session of the image on a file-backed disc (read only, against
#    its manifest's BLAKE3 digests, and against the image) against `cat` of the disc file into
#    `b3sum` and into `sha256sum`; the ratio is to the faster of the two (target: 1.2 or
#    less). b3sum is used from PATH, or B3SUM, or installed by `cargo install b3sum` into
#    target/b3sum; without it the baseline is sha256sum alone (said so).
#
#   benches/compare-publish-check.sh [MIB]     (default 1024; 64 runs in seconds)
#   ROUNDS=5 benches/compare-publish-check.sh  (rounds per timing, default 3: medians)
#   PROFILE=dev benches/compare-publish-check.sh  (a debug build; default release)
#   NO_B3SUM_INSTALL=1 ...                     (do not run cargo install b3sum)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in bc dd /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install bc coreutils time)" >&2; exit 1; }
done
size_mib="${1:-1024}"
rounds="${ROUNDS:-3}"
drives=8
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/xdg"

profile="${PROFILE:-release}"
cargo build --profile "$profile" -q -p discwriter-cli --bin discwriter
if [ "$profile" = dev ]; then out=target/debug; else out="target/$profile"; fi
bin="$(pwd)/$out/discwriter"

b3sum="${B3SUM:-$(command -v b3sum || true)}"
if [ -z "$b3sum" ] && [ -x target/b3sum/bin/b3sum ]; then b3sum=target/b3sum/bin/b3sum; fi
if [ -z "$b3sum" ] && [ -z "${NO_B3SUM_INSTALL:-}" ]; then
  cargo install -q --locked b3sum --root target/b3sum >/dev/null 2>&1 || true
  if [ -x target/b3sum/bin/b3sum ]; then b3sum=target/b3sum/bin/b3sum; fi
fi

# Wall seconds of a command (its output discarded); a command that fails stops the script,
# saying which.
# (bash's EPOCHREALTIME: microseconds, where /usr/bin/time gives hundredths.)
seconds() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>"$work/stderr" ||
    { echo "failed: $*" >&2; tail -n 5 "$work/stderr" >&2; exit 1; }
  printf '%.3f\n' "$(echo "${EPOCHREALTIME/,/.} - ${t0/,/.}" | bc -l)"
}
# A / B to two decimals, or n/a when B is zero.
ratio() { if [ "$(echo "$2 > 0" | bc -l)" = 1 ]; then printf '%.2f' "$(echo "$1 / $2" | bc -l)"; else echo n/a; fi; }
# One result line: LABEL, its seconds, and their ratio to BASE seconds.
result() { printf '%-58s %8s s  ratio %s\n' "$1" "$2" "$(ratio "$2" "$3")"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

image="$work/image.img"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$image"
image_bytes=$((size_mib * 1024 * 1024))

# --- 1. Eight drives from one image against eight parallel dd -----------------------------
# Eight dd at once, each with conv=fsync (the issue's baseline) or, given "sync", without it
# and one sync(1) after them all (the same bytes on the disk, without eight fsyncs contending).
dd_eight() {
  local i conv=(conv=fsync)
  [ "${1:-}" != sync ] || conv=()
  for i in $(seq "$drives"); do
    dd if="$image" of="$work/dd/out$i" bs=1M "${conv[@]}" status=none &
  done
  wait
  [ "${1:-}" != sync ] || sync
}
# discwriter with eight drives on fresh disc files: wall seconds, peak KiB, the summary's
# bytes_read and the kernel's rchar (the process's read bytes, reaped into the shell's count).
publish() {
  local verify="$1" i args=()
  rm -rf "$work/discs"
  mkdir -p "$work/discs"
  for i in $(seq "$drives"); do args+=(--drive "virt:dvd+r@$work/discs/d$i"); done
  sync
  local t0=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$work/time" bash -c \
    '"$@" > "'"$work"'/json"; grep "^rchar" /proc/$$/io | cut -d" " -f2 > "'"$work"'/rchar"' \
    publish "$bin" write "$image" "${args[@]}" --verify "$verify" --json
  local t
  t=$(printf '%.3f' "$(echo "${EPOCHREALTIME/,/.} - ${t0/,/.}" | bc -l)")
  local bytes_read
  bytes_read=$(grep '"summary"' "$work/json" | sed 's/.*"bytes_read":\([0-9]*\).*/\1/')
  grep -q '"failed":0' "$work/json" || { echo "the fan-out failed:" >&2; tail -n 3 "$work/json" >&2; exit 1; }
  echo "$t $(tail -n 1 "$work/time") $bytes_read $(cat "$work/rchar")"
}

export -f dd_eight
export image work drives
dd_t=(); dds_t=(); none_t=(); quick_t=(); none_kib=(); quick_kib=(); none_read=(); none_rchar=()
for _ in $(seq "$rounds"); do
  rm -rf "$work/dd"
  mkdir -p "$work/dd"
  sync
  dd_t+=("$(seconds bash -c dd_eight)")
  rm -rf "$work/dd"
  mkdir -p "$work/dd"
  sync
  dds_t+=("$(seconds bash -c 'dd_eight sync')")
  rm -rf "$work/dd"
  read -r t kib bytes_read rchar <<<"$(publish none)"
  none_t+=("$t"); none_kib+=("$kib"); none_read+=("$bytes_read"); none_rchar+=("$rchar")
  read -r t kib _ _ <<<"$(publish quick)"
  quick_t+=("$t"); quick_kib+=("$kib")
done
t_dd=$(median "${dd_t[@]}")
t_dds=$(median "${dds_t[@]}")
t_none=$(median "${none_t[@]}")
t_quick=$(median "${quick_t[@]}")
# The fifos: WriteOptions::fifo_bytes (4 MiB) per drive.
fifo_mib=4
echo "image: ${size_mib} MiB, ${drives} drives; medians of ${rounds} interleaved rounds"
echo "  (dd: ${dd_t[*]}; dd then sync: ${dds_t[*]}; verify none: ${none_t[*]}; verify quick: ${quick_t[*]})"
result "${drives} x dd bs=1M conv=fsync, in parallel" "$t_dd" "$t_dd"
result "${drives} x dd bs=1M in parallel, then one sync" "$t_dds" "$t_dd"
result "discwriter write, ${drives} x virt:dvd+r@FILE, --verify none" "$t_none" "$t_dd"
result "the same, --verify quick" "$t_quick" "$t_dd"
echo "  peak RSS: --verify none $(( $(median "${none_kib[@]}") / 1024 )) MiB," \
  "--verify quick $(( $(median "${quick_kib[@]}") / 1024 )) MiB" \
  "(target: 64 MiB + ${drives} fifos of ${fifo_mib} MiB = $((64 + drives * fifo_mib)) MiB)"
echo "  bytes read: image ${image_bytes}; summary bytes_read ${none_read[*]};" \
  "kernel rchar (every read of the process) ${none_rchar[*]}"
echo "RATIO publish (8 drives, --verify none) / 8 x dd: $(ratio "$t_none" "$t_dd") (target <= 1.20)"
echo "  (against the eight dd without fsync, then one sync: $(ratio "$t_none" "$t_dds"))"

# --- 2. check against cat | b3sum and cat | sha256sum -------------------------------------
disc="$work/c.disc"
rm -rf "$work/discs"
"$bin" write "$image" --drive "virt:dvd+r@$disc" --verify none --manifest "$work/m.json" >/dev/null 2>&1
disc_bytes=$(stat -c %s "$disc")
sha_t=(); b3_t=(); plain_t=(); man_t=(); img_t=()
for _ in $(seq "$rounds"); do
  sha_t+=("$(seconds bash -c 'cat "$1" | sha256sum' - "$disc")")
  if [ -n "$b3sum" ]; then b3_t+=("$(seconds bash -c 'cat "$1" | "$2"' - "$disc" "$b3sum")"); fi
  plain_t+=("$(seconds "$bin" check --drive "virt:dvd+r@$disc")")
  man_t+=("$(seconds "$bin" check --drive "virt:dvd+r@$disc" --manifest "$work/m.json")")
  img_t+=("$(seconds "$bin" check --drive "virt:dvd+r@$disc" --image "$image")")
done
t_sha=$(median "${sha_t[@]}")
base="$t_sha"
base_label="cat | sha256sum"
if [ -n "$b3sum" ]; then
  t_b3=$(median "${b3_t[@]}")
  if [ "$(echo "$t_b3 < $t_sha" | bc -l)" = 1 ]; then base="$t_b3"; base_label="cat | b3sum"; fi
fi
echo
echo "check of a ${size_mib} MiB session; disc file ${disc_bytes} bytes; medians of ${rounds} interleaved rounds"
echo "  (sha256sum: ${sha_t[*]}; b3sum: ${b3_t[*]:-not run}; check: ${plain_t[*]};" \
  "--manifest: ${man_t[*]}; --image: ${img_t[*]})"
[ -n "$b3sum" ] || echo "  b3sum is not installed (cargo install b3sum failed or NO_B3SUM_INSTALL): sha256sum alone"
result "cat DISC | sha256sum" "$t_sha" "$base"
[ -z "$b3sum" ] || result "cat DISC | b3sum" "$t_b3" "$base"
result "discwriter check (reads every sector)" "$(median "${plain_t[@]}")" "$base"
result "discwriter check --manifest (and BLAKE3 of every sector)" "$(median "${man_t[@]}")" "$base"
result "discwriter check --image (and compares the image)" "$(median "${img_t[@]}")" "$base"
echo "RATIO check --manifest / ${base_label}: $(ratio "$(median "${man_t[@]}")" "$base") (target <= 1.20)"
