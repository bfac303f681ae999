#!/usr/bin/env bash
# Issue 14's peer comparisons, side by side in one session (not run by CI: needs R with
# `survey` and a Python venv with svy — see README.md in this folder).
#   PONDER=path/to/release/ponder SVY_PYTHON=path/to/venv/bin/python bash benches/peers/run.sh [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-/tmp/ponder-peers}"
ponder="${PONDER:?set PONDER to the release binary}"
py="${SVY_PYTHON:?set SVY_PYTHON to the venv python with svy}"
mkdir -p "$work"
[ -f "$work/chain/sample.csv" ] || python3 "$here/gen.py" chain "$work/chain"
[ -f "$work/r250k/sample.csv" ] || python3 "$here/gen.py" rake 250000 "$work/r250k"
[ -f "$work/r2500k/sample.csv" ] || python3 "$here/gen.py" rake 2500000 "$work/r2500k"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

echo "== 1. replicate chain, 25,000 rows, 200 bootstrap replicates, raking 6 margins, mean by region"
cd "$work/chain"
chain() {
  "$ponder" replicates -q -d design.yaml -i sample.csv -o rep.parquet -t bootstrap -R 200 --seed 1 &&
  "$ponder" calibrate -q -c calibrate.yaml -i rep.parquet -o cal.parquet -r cal.json &&
  "$ponder" estimate -q -c estimate.yaml -i cal.parquet -o est.csv
}
for i in 1 2 3; do wall chain; done | median | xargs echo "ponder chain (3 processes, default LZ4 Parquet), median s:"
python3 -c "import json;print('  ponder calibrate timings:', json.load(open('cal.json'))['timings'])"
chain_none() {
  "$ponder" --parquet-compression none replicates -q -d design.yaml -i sample.csv -o rep.parquet -t bootstrap -R 200 --seed 1 &&
  "$ponder" --parquet-compression none calibrate -q -c calibrate.yaml -i rep.parquet -o cal.parquet -r cal.json &&
  "$ponder" estimate -q -c estimate.yaml -i cal.parquet -o est.csv
}
for i in 1 2 3; do wall chain_none; done | median | xargs echo "ponder chain (3 processes, uncompressed Parquet), median s:"
python3 -c "import json;print('  ponder calibrate timings:', json.load(open('cal.json'))['timings'])"
for i in 1 2 3; do "$py" "$here/svy_chain.py" . | tail -1; done | python3 -c "
import json,sys,statistics
r=[json.loads(l) for l in sys.stdin]
print('svy chain (1 process), median s:', statistics.median(x['total'] for x in r), r[len(r)//2])"

echo "== 2. 2.5 M rows, 6 categorical margins: timings.margins + timings.solve vs svy's kernel"
cd "$work/r2500k"
for i in 1 2 3; do
  "$ponder" calibrate -q -c calibrate.yaml -i sample.csv -o out.csv -r r.json
  python3 -c "import json;t=json.load(open('r.json'))['timings'];print(t['margins'], t['checks'], t['cells'], t['solve'], t['margins']+t['checks']+t['cells']+t['solve'])"
done | sort -g -k5 | sed -n 2p | xargs echo "ponder margins, checks, cells, solve, all four (median run) s:"
"$py" "$here/svy_rake_kernel.py" . | xargs -0 echo "svy kernel:"

echo "== 3. 250,000 rows CSV -> CSV raking: ponder whole process vs R survey::calibrate alone"
cd "$work/r250k"
for i in 1 2 3; do wall "$ponder" calibrate -q -c calibrate.yaml -i sample.csv -o out.csv -r r.json; done | median | xargs echo "ponder whole process, median s:"
Rscript "$here/r_calibrate.R" . 2>&1 | tail -1 | xargs -0 echo "R:"

echo "== 4. floors: what the files alone cost on this machine (copy + fsync, as ponder's atomic write), median of 3"
floor() {
  local t0 t1
  sync
  t0=$(date +%s.%N)
  cat "$@" > "$work/floor.tmp" && sync "$work/floor.tmp"
  t1=$(date +%s.%N)
  rm -f "$work/floor.tmp"
  echo "$t1 - $t0" | bc -l
}
cd "$work/chain"
for i in 1 2 3; do floor rep.parquet; done | median | xargs echo "write rep.parquet ($(du -m rep.parquet | cut -f1) MB), s:"
for i in 1 2 3; do floor cal.parquet; done | median | xargs echo "write cal.parquet ($(du -m cal.parquet | cut -f1) MB), s:"
cd "$work/r250k"
for i in 1 2 3; do floor out.csv; done | median | xargs echo "write the 250,000-row out.csv ($(du -m out.csv | cut -f1) MB), s:"
for i in 1 2 3; do wall "$ponder" --version; done | median | xargs echo "ponder --version (process start and exit), s:"
