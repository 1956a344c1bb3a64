#!/usr/bin/env bash
# Quota benchmark (see BENCHMARKS.md): Release build, a PostgreSQL of its own with fsync ON,
# 1,000 pools, candidates latency, claims at 1/16/64 gRPC clients, overcommit check.
#   bench/quota.sh [seconds-per-run]   (default 10)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
infra="$root/deploy/scripts/infra.sh"
work=$(mktemp -d /tmp/aes-bench.XXXXXX)
chmod 755 "$work"
trap '"$infra" stop-postgres "$work/postgres" || true; rm -rf "$work"' EXIT

"$infra" install
port=$("$infra" free-port)
# AES_BENCH_FSYNC=off runs the same with fsync off, to tell disk waits from CPU (diagnosis only).
# AES_BENCH_PG_STATS=1 loads pg_stat_statements and prints where PostgreSQL spent its time.
[ "${AES_BENCH_PG_STATS:-0}" = 1 ] && export AES_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
AES_PG_DURABLE=$([ "${AES_BENCH_FSYNC:-on}" = off ] && echo 0 || echo 1) "$infra" start-postgres "$work/postgres" "$port"
cd "$root"
dotnet build services/Quota -c Release -nologo -clp:ErrorsOnly
dotnet build bench/Aes.Quota.Bench -c Release -nologo -clp:ErrorsOnly
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); PostgreSQL fsync=on"
dotnet bench/Aes.Quota.Bench/bin/Release/net10.0/Aes.Quota.Bench.dll "Host=127.0.0.1;Port=$port;Username=postgres" "${1:-10}"
