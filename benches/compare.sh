#!/usr/bin/env bash
# Side-by-side timings in one run (issue 4): writing an image to a file-backed virtual BD-RE
# with `discwriter write`, against `dd bs=1M conv=fsync` of the same image and, when xorriso
# is installed, `xorriso -as cdrecord dev=stdio:FILE`; and discwriter's peak memory for two
# image sizes. Prints each time and its ratio to dd.
#
# Then, when xorriso is installed, a burning program through the emulator against the same
# program writing a file (issue 13): `xorriso -as cdrecord dev=/dev/sr9` burning an image of
# XORRISO_MIB (default 256) onto a formatted BD-RE through `virtdrive run`, against `xorriso
# -as cdrecord dev=stdio:FILE`, paired, with the ratio of their medians (the target: 1.00 or
# less). The emulator runs twice: as `virtdrive run` runs it by default (the accelerated clock,
# the program's own sleeps a tenth as long: see crates/virtdrive/shim/shim_sleep.c), and with
# VIRTDRIVE_SHIM_SLEEP_DIVISOR=1 (every sleep whole, as against a drive: libburn alone sleeps
# 3 s around a burn, half a second before each wait for the drive); and the wall time of xorriso's full-certification format of a BD-RE (93 minutes of
# drive time) through `virtdrive run`'s accelerated clock.
#
#   benches/compare.sh [MIB]      (default 1024)
#   PROFILE=dev benches/compare.sh    (a debug build; default release)
#   ONLY=xorriso benches/compare.sh   (only the xorriso comparisons)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

profile="${PROFILE:-release}"
cargo build --profile "$profile" -q -p discwriter-cli -p virtdrive --bins
if [ "$profile" = dev ]; then out=target/debug; else out="target/$profile"; fi
bin="$out/discwriter"
virtdrive="$out/virtdrive"

seconds() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -n 1; }
# One result line: LABEL, its seconds, and their ratio to BASE seconds.
result() { printf '%-44s %8s s  ratio %.2f\n' "$1" "$2" "$(echo "$2 / $3" | bc -l)"; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
rounds="${ROUNDS:-3}"

xorriso_comparison() {
  command -v xorriso >/dev/null 2>&1 || { echo "xorriso is not installed: no comparison"; return; }
  local mib="${XORRISO_MIB:-256}" image="$work/x.img" disc="$work/x.disc" blank="$work/blank"
  head -c $((mib * 1024 * 1024)) /dev/urandom > "$image"
  # A formatted BD-RE, kept to start every round from.
  mkdir -p "$blank"
  "$bin" format --drive "virt:bd-re@$blank/disc" --quick >/dev/null 2>&1
  local emu=() whole=() file=()
  fresh_disc() {
    rm -f "$disc"*
    cp "$blank/disc" "$disc"
    for f in "$blank"/disc.*; do cp "$f" "$disc${f#"$blank/disc"}"; done
    sync
  }
  for _ in $(seq "$rounds"); do
    fresh_disc
    emu+=("$(seconds "$virtdrive" run --drive "virt:bd-re@$disc" -- \
      xorriso -as cdrecord dev=/dev/sr9 "$image")")
    fresh_disc
    whole+=("$(seconds env VIRTDRIVE_SHIM_SLEEP_DIVISOR=1 "$virtdrive" run --drive "virt:bd-re@$disc" -- \
      xorriso -as cdrecord dev=/dev/sr9 "$image")")
    rm -f "$work/x.out"
    sync
    file+=("$(seconds xorriso -as cdrecord dev=stdio:"$work/x.out" "$image")")
  done
  local t_emu t_whole t_file
  t_emu=$(median "${emu[@]}")
  t_whole=$(median "${whole[@]}")
  t_file=$(median "${file[@]}")
  echo "xorriso -as cdrecord, ${mib} MiB; medians of ${rounds} paired rounds (emulator: ${emu[*]}; sleeps whole: ${whole[*]}; file: ${file[*]})"
  result "dev=stdio:FILE" "$t_file" "$t_file"
  result "dev=/dev/sr9 (virtdrive run, BD-RE)" "$t_emu" "$t_file"
  result "dev=/dev/sr9, program's sleeps whole" "$t_whole" "$t_file"
  rm -f "$disc"*
  local t_format
  t_format=$(seconds "$virtdrive" run --drive "virt:bd-re@$disc" -- \
    xorriso -outdev /dev/sr9 -format full)
  printf '%-44s %8s s\n' "BD-RE full certification (xorriso -format full)" "$t_format"
}

if [ "${ONLY:-}" = xorriso ]; then
  xorriso_comparison
  exit 0
fi

image="$work/image.img"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$image"

peak_kib() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -n 1; }

# Each timing is taken ROUNDS times (default 3), the programs interleaved so that they share
# the machine's moods alike, and the median is reported: the disk and the page cache of a
# shared machine vary by a factor of two from one minute to the next.
disc="$work/bd.disc"
dd_times=(); dw_times=(); ow_times=()
for _ in $(seq "$rounds"); do
  rm -f "$work/dd.out"
  sync
  dd_times+=("$(seconds dd if="$image" of="$work/dd.out" bs=1M conv=fsync status=none)")
  rm -f "$work/dd.out" "$disc"*
  "$bin" format --drive "virt:bd-re@$disc" --quick >/dev/null 2>&1
  sync
  dw_times+=("$(seconds "$bin" write "$image" --drive "virt:bd-re@$disc" --verify none \
    --overwrite)")
  # The same image again over the written disc: every sector replaces committed data, so it
  # goes to fresh slots of the disc file's journal (written once; the commit switches the map)
  # rather than into the data file's tail.
  sync
  ow_times+=("$(seconds "$bin" write "$image" --drive "virt:bd-re@$disc" --verify none \
    --overwrite)")
done
t_dd=$(median "${dd_times[@]}")
t_dw=$(median "${dw_times[@]}")
t_ow=$(median "${ow_times[@]}")

echo "image: ${size_mib} MiB; medians of ${rounds} rounds (dd: ${dd_times[*]}; write: ${dw_times[*]}; over: ${ow_times[*]})"
result "dd bs=1M conv=fsync" "$t_dd" "$t_dd"
result "discwriter write (file-backed BD-RE)" "$t_dw" "$t_dd"
result "discwriter write over the written disc" "$t_ow" "$t_dd"
if command -v xorriso >/dev/null 2>&1; then
  sync
  t_x=$(seconds xorriso -as cdrecord -v dev=stdio:"$work/x.out" "$image")
  result "xorriso -as cdrecord dev=stdio:FILE" "$t_x" "$t_dd"
fi

# Peak memory: the engine streams through a 4 MiB fifo, and the disc file indexes runs of
# sectors, not sectors, so it does not grow with the image. The second write overwrites the
# first 64 MiB (through the journal) and appends the rest.
small="$work/small.img"
head -c $((64 * 1024 * 1024)) /dev/urandom > "$small"
rm -f "$disc"*
"$bin" format --drive "virt:bd-re@$disc" --quick >/dev/null 2>&1
m_small=$(peak_kib "$bin" write "$small" --drive "virt:bd-re@$disc" --verify none --overwrite)
m_big=$(peak_kib "$bin" write "$image" --drive "virt:bd-re@$disc" --verify none --overwrite)
echo "peak RSS: $((m_small / 1024)) MiB for 64 MiB, $((m_big / 1024)) MiB for ${size_mib} MiB"

xorriso_comparison
