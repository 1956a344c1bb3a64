#!/usr/bin/env bash
# Repatriation campaign benchmark (issue 23, see BENCHMARKS.md): the distributed run (each service its own process, a
# RabbitMQ and a PostgreSQL of the benchmark's own, fsync on, Release build); per run, a campaign of N workloads of five
# agencies in three states imported through the REST API and planned twice, beside the reference: one placement preview
# per workload, the way a client would dry-run without campaigns, timed over a sample and scaled to N.
#   bench/repatriation.sh [runs] [workloads] [previews]   (defaults 3, 5000, 500)
set -euo pipefail
runs=${1:-3}
workloads=${2:-5000}
previews=${3:-500}
source "$(dirname "${BASH_SOURCE[0]}")/distributed-run.sh"
dotnet build bench/Aes.Campaign.Bench -c Release -nologo -clp:ErrorsOnly

results="$work/results.tsv"
for run in $(seq 1 "$runs"); do
  start_launcher "$work/run-$run.log" "repatriation$run" --Api:RateLimit:PermitsPerMinute=1000000 --Logging:LogLevel:Default=Warning
  echo "run $run: $workloads workloads imported and planned, $previews previews"
  if ! dotnet bench/Aes.Campaign.Bench/bin/Release/net10.0/Aes.Campaign.Bench.dll plan "http://127.0.0.1:$((5100 + offset))" \
      "http://127.0.0.1:$((5101 + offset))" "$workloads" "$previews" > "$work/bench-$run.out"; then
    cat "$work/bench-$run.out"; tail -50 "$work/run-$run.log"; exit 1
  fi
  cat "$work/bench-$run.out"
  cat "$work/bench-$run.out" >> "$results"
  stop_launcher
done

column() { awk -F'\t' -v c="$1" '$1 == "plan" { print $c }' "$results"; }
echo
echo "over $runs runs of $workloads workloads, median / min / max:"
echo "  import (s)                        $(column 3 | stats 2)   (target < 60)"
echo "  plan (s)                          $(column 4 | stats 2)   (target < 10)"
echo "  plan again (s)                    $(column 5 | stats 2)"
echo "  one preview (ms)                  $(column 7 | stats 2)"
echo "  reference: N previews (s)         $(column 8 | stats 1)"
echo "  plan / reference                  $(column 9 | stats 3)"
