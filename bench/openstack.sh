#!/usr/bin/env bash
# OpenStack benchmark (see BENCHMARKS.md): is the facility, not the marketplace, the bottleneck? Per run, on a
# fresh local OpenStack (deploy/scripts/openstack.sh, started by the launcher's --openstack) and the distributed
# run (RabbitMQ and PostgreSQL of the benchmark's own, fsync on, Release build), Mali's auto-approval on:
#   1. Nova alone: N servers of s1.small to ACTIVE on the raw compute API, by C concurrent clients;
#   2. the marketplace: N requests of one s1.small VM each through the portal's REST API, by C clients, placed
#      in ML-BKO-1 and built in that same Nova through the OpenStack driver, until every VM is active.
# The ratio is the second time over the first (target <= 1.10).
#   bench/openstack.sh [runs] [vms] [concurrency]   (defaults 3, 64, 16)
set -euo pipefail
runs=${1:-3}
vms=${2:-64}
concurrency=${3:-16}
source "$(dirname "${BASH_SOURCE[0]}")/distributed-run.sh"
dotnet build bench/Aes.Campaign.Bench -c Release -nologo -clp:ErrorsOnly

results="$work/results.tsv"
for run in $(seq 1 "$runs"); do
  start_launcher "$work/run-$run.log" "openstack$run" --openstack --infra-dir "$work/infra-$run" \
    --Provisioning:FacilityPollInterval=00:00:01 --Api:RateLimit:PermitsPerMinute=1000000 --Logging:LogLevel:Default=Warning
  echo "run $run: $vms servers on Nova alone, then $vms VMs through the marketplace, $concurrency clients"
  if ! dotnet bench/Aes.Campaign.Bench/bin/Release/net10.0/Aes.Campaign.Bench.dll openstack "http://127.0.0.1:$((5100 + offset))" \
      "http://127.0.0.1:$((5101 + offset))" "$work/infra-$run/openstack/openstack.env" "$work/inventaire-$run.csv" "$vms" "$concurrency" > "$work/bench-$run.out"; then
    cat "$work/bench-$run.out"; tail -50 "$work/run-$run.log"; echo "run $run did not bring every VM to active" >&2; exit 1
  fi
  cat "$work/bench-$run.out"
  grep "^openstack" "$work/bench-$run.out" | sed "s/^/$run\t/" >> "$results"
  stop_launcher
done

column() { awk -F'\t' -v c="$1" '$2 == "openstack" { print $c }' "$results"; }
echo
echo "over $runs runs, median / min / max:"
echo "  Nova alone: seconds for $vms servers     $(column 4 | stats 1)"
echo "  Nova alone: servers/s                     $(column 5 | stats 2)"
echo "  marketplace: seconds for $vms VMs        $(column 7 | stats 1)"
echo "  marketplace: VMs/s                        $(column 8 | stats 2)"
echo "  marketplace / Nova (time ratio)           $(column 9 | stats 3)   (target <= 1.10)"
