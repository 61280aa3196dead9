#!/usr/bin/env bash
# bench/run.sh [ROWS] [RUNS]: times the data stages of "tfxc run" on the
# taxi example over a generated taxi-like CSV of ROWS rows, beside
# bench/baseline (the same work in one goroutine, without Beam), RUNS times
# each, and prints the medians, their ratio and the peak memory of each.
# Run it from the repository's root after "make build".
set -euo pipefail
rows=${1:-1000000}
runs=${2:-3}
root=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tfxc-bench.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

go run ./examples/taxi/gendata -rows "$rows" -seed 1 -o "$work/taxi.csv"
go build -o "$work/" ./bench/baseline
# The model's stages are left out: the baseline does the data stages only
# (the trainer has its own benchmark, BenchmarkTrainEpoch).
sed -e "s|csv(\"data/taxi.csv\")|csv(\"$work/taxi.csv\")|" \
    -e "s|schema \"schema.pbtxt\"|schema \"$root/examples/taxi/schema.pbtxt\"|" \
    -e '/^model /,$d' \
    examples/taxi/taxi.tfxl > "$work/taxi.tfxl"
bin/tfxc plan --format json "$work/taxi.tfxl" > "$work/plan.json"
echo "$rows rows, $(du -h "$work/taxi.csv" | cut -f1) of CSV, $(nproc) cores, $runs runs each"

# measure NAME CMD...: appends "seconds maxrss_kB" per run to $work/NAME.
measure() {
	local name=$1
	shift
	for i in $(seq "$runs"); do
		rm -rf "$work/out"
		mkdir -p "$work/out"
		/usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2> "$work/stderr" || {
			# tfxc run exits 1 when the run breaks the pipeline's rules
			# (anomalies); a failed job has no data.json.
			if ! ls "$work"/out/taxi/*/data.json > /dev/null 2>&1 && [ "$name" = tfxc ]; then
				cat "$work/stderr"
				exit 1
			fi
		}
		cat "$work/time" >> "$work/times.$name"
	done
}
measure tfxc bin/tfxc run --out "$work/out" "$work/taxi.tfxl"
measure baseline "$work/baseline" --plan "$work/plan.json" --out "$work/out"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
t_run=$(cut -d' ' -f1 "$work/times.tfxc" | median)
t_base=$(cut -d' ' -f1 "$work/times.baseline" | median)
m_run=$(cut -d' ' -f2 "$work/times.tfxc" | sort -n | tail -1)
m_base=$(cut -d' ' -f2 "$work/times.baseline" | sort -n | tail -1)
printf 'tfxc run   median %6.2f s   peak %6d MB\n' "$t_run" $((m_run / 1024))
printf 'baseline   median %6.2f s   peak %6d MB\n' "$t_base" $((m_base / 1024))
awk -v a="$t_run" -v b="$t_base" 'BEGIN {printf "ratio      %.2f× the baseline\n", a / b}'
