# Sourced by the benchmarks that run the distributed mode (campaign.sh, footprint.sh): a RabbitMQ and a
# PostgreSQL of the benchmark's own under a temp folder (fsync on unless AES_BENCH_FSYNC=off), a
# Release build of the launcher (ReadyToRun with AES_BENCH_R2R=1), and functions to start and stop it. Sets root, infra, work, pg_port,
# mq_port, rabbitmq, offset and launcher_pid.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
infra="$root/deploy/scripts/infra.sh"
work=$(mktemp -d /tmp/aes-bench-run.XXXXXX)
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
AES_PG_DURABLE=$([ "${AES_BENCH_FSYNC:-on}" = off ] && echo 0 || echo 1) "$infra" start-postgres "$work/postgres" "$pg_port"
mq_port=$("$infra" free-port)
"$infra" start-rabbitmq "$work/rabbitmq" "$mq_port"
rabbitmq="amqp://guest:guest@127.0.0.1:$mq_port/"
offset=$(( 3000 + RANDOM % 2000 ))
cd "$root"
dotnet build deploy/Aes.Embedded -c Release -nologo -clp:ErrorsOnly
launcher=deploy/Aes.Embedded/bin/Release/net10.0/Aes.Embedded.dll
# AES_BENCH_R2R=1: the launcher and every service published as ReadyToRun images, as the container images ship them.
if [ "${AES_BENCH_R2R:-0}" = 1 ]; then
  # The portal on its own too: its static files and their manifest come only with its own publish.
  for project in deploy/Aes.Embedded services/Portal; do
    dotnet publish "$project" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/publish" -nologo -clp:ErrorsOnly
  done
  launcher="$work/publish/Aes.Embedded.dll"
fi
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); .NET $(dotnet --version); PostgreSQL fsync=${AES_BENCH_FSYNC:-on}"

# start_launcher LOG DATABASE-PREFIX [service arguments…]: the distributed run, until its banner.
start_launcher() {
  local log=$1 database=$2; shift 2
  dotnet "$launcher" --distributed --port-offset "$offset" \
    --rabbitmq "$rabbitmq" --postgres "Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$database" "$@" > "$log" 2>&1 &
  launcher_pid=$!
  for _ in $(seq 1 600); do
    grep -q "Ctrl-C" "$log" && return 0
    kill -0 "$launcher_pid" 2>/dev/null || { cat "$log"; echo "the launcher stopped" >&2; exit 1; }
    sleep 0.5
  done
  echo "the launcher was not ready after 5 min" >&2; exit 1
}

stop_launcher() {
  kill -TERM "$launcher_pid"; wait "$launcher_pid" || true; launcher_pid=""
}

# median / min / max of the numbers on standard input, with DECIMALS places (default 2).
stats() {
  sort -n | awk -v d="${1:-2}" '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; f = "%." d "f / %." d "f / %." d "f"; printf f, m, v[1], v[NR] }'
}
