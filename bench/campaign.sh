#!/usr/bin/env bash
# Campaign benchmark (see BENCHMARKS.md): the distributed run (each service its own process, a
# RabbitMQ and a PostgreSQL of the benchmark's own, fsync on, Release build), the simulated facility
# at zero latency and Mali's auto-approval on; per run, the broker ceiling then a repatriation
# campaign of N requests through the portal's REST API, on fresh databases.
#   bench/campaign.sh [runs] [requests] [concurrency]   (defaults 3, 2000, 16)
# AES_BENCH_FSYNC=off runs the same with fsync off, to tell disk waits from CPU (diagnosis only).
set -euo pipefail
runs=${1:-3}
requests=${2:-2000}
concurrency=${3:-16}
source "$(dirname "${BASH_SOURCE[0]}")/distributed-run.sh"
dotnet build bench/Aes.Campaign.Bench -c Release -nologo -clp:ErrorsOnly

results="$work/results.tsv"
for run in $(seq 1 "$runs"); do
  start_launcher "$work/run-$run.log" "campaign$run" \
    --Simulator:MinCreateLatency=00:00:00 --Simulator:MaxCreateLatency=00:00:00 --Simulator:DeleteLatency=00:00:00 \
    --Api:RateLimit:PermitsPerMinute=1000000 --Logging:LogLevel:Default=Warning
  echo "run $run: broker ceiling, then $requests requests with $concurrency clients"
  if ! dotnet bench/Aes.Campaign.Bench/bin/Release/net10.0/Aes.Campaign.Bench.dll "http://127.0.0.1:$((5100 + offset))" \
      "http://127.0.0.1:$((5101 + offset))" "$rabbitmq" "$work/inventaire-$run.csv" "$requests" "$concurrency" > "$work/bench-$run.out"; then
    cat "$work/bench-$run.out"; tail -50 "$work/run-$run.log"; echo "run $run did not bring every request to active" >&2; exit 1
  fi
  cat "$work/bench-$run.out"
  sed "s/^/$run\t/" "$work/bench-$run.out" >> "$results"
  stop_launcher
done

column() { awk -F'\t' -v kind="$1" -v c="$2" '$2 == kind { print $c }' "$results"; }
echo
echo "over $runs runs, median / min / max:"
echo "  broker ceiling (msg/s)        $(column ceiling 3 | stats 0)"
echo "  campaign requests/s           $(column campaign 7 | stats 1)   (target >= 100)"
echo "  submission to active p50 (s)  $(column campaign 8 | stats 3)"
echo "  submission to active p95 (s)  $(column campaign 9 | stats 3)   (target <= 2)"
echo "  submission to active p99 (s)  $(column campaign 10 | stats 3)"
echo "  campaign / ceiling (%)        $(column campaign 12 | stats 2)"
