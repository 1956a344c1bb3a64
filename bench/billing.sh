#!/usr/bin/env bash
# Billing benchmark (see BENCHMARKS.md): Release build, a PostgreSQL of its own with fsync ON,
# one month of 10,000 VMs (a tenth resized mid-month) rated, invoiced, issued, settled and audited.
#   bench/billing.sh [vms]   (default 10000)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
infra="$root/deploy/scripts/infra.sh"
work=$(mktemp -d /tmp/aes-bench.XXXXXX)
chmod 755 "$work"
trap '"$infra" stop-postgres "$work/postgres" || true; rm -rf "$work"' EXIT

"$infra" install
port=$("$infra" free-port)
AES_PG_DURABLE=1 "$infra" start-postgres "$work/postgres" "$port"
cd "$root"
dotnet build services/Billing -c Release -nologo -clp:ErrorsOnly
dotnet build bench/Aes.Billing.Bench -c Release -nologo -clp:ErrorsOnly
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); PostgreSQL fsync=on"
dotnet bench/Aes.Billing.Bench/bin/Release/net10.0/Aes.Billing.Bench.dll "Host=127.0.0.1;Port=$port;Username=postgres" "${1:-10000}"
