#!/usr/bin/env bash
# Side-by-side timings in one run (issue 4): writing an image to a file-backed virtual BD-RE
# with `discwriter write`, against `dd bs=1M conv=fsync` of the same image and, when xorriso
# is installed, `xorriso -as cdrecord dev=stdio:FILE`; and discwriter's peak memory for two
# image sizes. Prints each time and its ratio to dd.
#
#   benches/compare.sh [MIB]      (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release -q
bin=target/release/discwriter

image="$work/image.img"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$image"

seconds() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -n 1; }
peak_kib() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -n 1; }

# Each timing is taken ROUNDS times (default 3), the programs interleaved so that they share
# the machine's moods alike, and the median is reported: the disk and the page cache of a
# shared machine vary by a factor of two from one minute to the next.
rounds="${ROUNDS:-3}"
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
  # goes through the disc file's redo journal (written twice) rather than straight into the
  # file.
  sync
  ow_times+=("$(seconds "$bin" write "$image" --drive "virt:bd-re@$disc" --verify none \
    --overwrite)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
t_dd=$(median "${dd_times[@]}")
t_dw=$(median "${dw_times[@]}")
t_ow=$(median "${ow_times[@]}")

echo "image: ${size_mib} MiB; medians of ${rounds} rounds (dd: ${dd_times[*]}; write: ${dw_times[*]}; over: ${ow_times[*]})"
printf '%-44s %8s s  ratio %s\n' "dd bs=1M conv=fsync" "$t_dd" "1.00"
printf '%-44s %8s s  ratio %.2f\n' "discwriter write (file-backed BD-RE)" "$t_dw" \
  "$(echo "$t_dw / $t_dd" | bc -l)"
printf '%-44s %8s s  ratio %.2f\n' "discwriter write over the written disc" "$t_ow" \
  "$(echo "$t_ow / $t_dd" | bc -l)"
if command -v xorriso >/dev/null 2>&1; then
  sync
  t_x=$(seconds xorriso -as cdrecord -v dev=stdio:"$work/x.out" "$image")
  printf '%-44s %8s s  ratio %.2f\n' "xorriso -as cdrecord dev=stdio:FILE" "$t_x" \
    "$(echo "$t_x / $t_dd" | bc -l)"
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
