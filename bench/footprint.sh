#!/usr/bin/env bash
# Footprint benchmark (see BENCHMARKS.md): each service's start-up time until /health/ready answers,
# and its memory once idle, on the distributed run (each service its own process, over a RabbitMQ
# and a PostgreSQL of the benchmark's own, fsync on), from a Release build.
#   bench/footprint.sh [runs] [idle-seconds]   (defaults 5 and 20)
# The first run migrates the databases and is reported apart (cold); the others start on current schemas.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
infra="$root/deploy/scripts/infra.sh"
runs=${1:-5}
idle=${2:-20}
work=$(mktemp -d /tmp/aes-footprint.XXXXXX)
chmod 755 "$work"
launcher_pid=""
cleanup() {
  [ -n "$launcher_pid" ] && kill -TERM "$launcher_pid" 2>/dev/null && wait "$launcher_pid" 2>/dev/null || true
  "$infra" stop-rabbitmq "$work/rabbitmq" || true
  "$infra" stop-postgres "$work/postgres" || true
  rm -rf "$work"
}
trap cleanup EXIT

"$infra" install
pg_port=$("$infra" free-port)
AES_PG_DURABLE=1 "$infra" start-postgres "$work/postgres" "$pg_port"
mq_port=$("$infra" free-port)
"$infra" start-rabbitmq "$work/rabbitmq" "$mq_port"
cd "$root"
dotnet build deploy/Aes.Embedded -c Release -nologo -clp:ErrorsOnly
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); .NET $(dotnet --version)"
offset=$(( 3000 + RANDOM % 2000 ))

results="$work/results.tsv"   # run, service, seconds, rss MiB
for run in $(seq 0 "$runs"); do
  log="$work/run-$run.log"
  dotnet deploy/Aes.Embedded/bin/Release/net10.0/Aes.Embedded.dll --distributed --port-offset "$offset" \
    --rabbitmq "amqp://guest:guest@127.0.0.1:$mq_port/" --postgres "Host=127.0.0.1;Port=$pg_port;Username=postgres" \
    > "$log" 2>&1 &
  launcher_pid=$!
  for _ in $(seq 1 600); do
    grep -q "Ctrl-C" "$log" && break
    kill -0 "$launcher_pid" 2>/dev/null || { cat "$log"; echo "the launcher stopped" >&2; exit 1; }
    sleep 0.5
  done
  sleep "$idle"
  grep -E '^[a-z]+ prêt en / ready in' "$log" | while read -r service _ _ _ _ _ seconds _ _ pid; do
    pid=${pid%)}
    rss=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
    printf '%s\t%s\t%s\t%s\n' "$run" "$service" "$seconds" "$rss" >> "$results"
  done
  kill -TERM "$launcher_pid"; wait "$launcher_pid" || true; launcher_pid=""
done

echo
echo "cold start (run 0, migrating empty databases):"
awk -F'\t' '$1 == 0 { printf "  %-13s %5.2f s  %4d MiB\n", $2, $3, $4 }' "$results"
echo
echo "warm starts (runs 1..$runs): median / min / max"
printf '  %-13s %-22s %-22s\n' service "ready (s)" "idle RSS (MiB)"
for service in quota billing provisioning portal tenancy; do
  stats() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f / %.2f / %.2f", m, v[1], v[NR] }'; }
  seconds=$(awk -F'\t' -v s="$service" '$1 > 0 && $2 == s { print $3 }' "$results" | stats)
  rss=$(awk -F'\t' -v s="$service" '$1 > 0 && $2 == s { print $4 }' "$results" | stats)
  printf '  %-13s %-22s %-22s\n' "$service" "$seconds" "$rss"
done
