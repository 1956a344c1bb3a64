#!/usr/bin/env bash
# Footprint benchmark (see BENCHMARKS.md): each service's start-up time until /health/ready answers,
# and its memory once idle, on the distributed run (each service its own process, over a RabbitMQ
# and a PostgreSQL of the benchmark's own, fsync on), from a Release build.
#   bench/footprint.sh [runs] [idle-seconds]   (defaults 5 and 20)
# The first run migrates the databases and is reported apart (cold); the others start on current schemas.
set -euo pipefail
runs=${1:-5}
idle=${2:-20}
source "$(dirname "${BASH_SOURCE[0]}")/distributed-run.sh"

results="$work/results.tsv"   # run, service, seconds, rss MiB, private (anonymous) MiB
for run in $(seq 0 "$runs"); do
  log="$work/run-$run.log"
  start_launcher "$log" footprint
  sleep "$idle"
  grep -E '^[a-z]+ prêt en / ready in' "$log" | while read -r service _ _ _ _ _ seconds _ _ pid; do
    pid=${pid%)}
    rss=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
    private=$(awk '/^RssAnon:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
    printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$service" "$seconds" "$rss" "$private" >> "$results"
  done
  stop_launcher
done

echo
echo "cold start (run 0, migrating empty databases):"
awk -F'\t' '$1 == 0 { printf "  %-13s %5.2f s  %4d MiB (private %d MiB)\n", $2, $3, $4, $5 }' "$results"
echo
echo "warm starts (runs 1..$runs): median / min / max"
printf '  %-13s %-22s %-22s %-22s\n' service "ready (s)" "idle RSS (MiB)" "private (MiB)"
for service in quota billing provisioning portal tenancy; do
  seconds=$(awk -F'\t' -v s="$service" '$1 > 0 && $2 == s { print $3 }' "$results" | stats 2)
  rss=$(awk -F'\t' -v s="$service" '$1 > 0 && $2 == s { print $4 }' "$results" | stats 0)
  private=$(awk -F'\t' -v s="$service" '$1 > 0 && $2 == s { print $5 }' "$results" | stats 0)
  printf '  %-13s %-22s %-22s %-22s\n' "$service" "$seconds" "$rss" "$private"
done
