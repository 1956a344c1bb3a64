#!/usr/bin/env bash
# The README's test command: every test of the solution against a real RabbitMQ, a real
# PostgreSQL and a real Postfix, installed from Debian packages when absent and started as plain background processes
# under a temp folder, on free ports; stopped afterwards whatever happens. Ends with a line
# "tests: N passed, N failed". Extra arguments go to `dotnet test` (e.g. --filter-class "*Tenancy*").
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
infra="$root/deploy/scripts/infra.sh"
configuration=${CONFIGURATION:-Debug}

work=$(mktemp -d /tmp/aes-test.XXXXXX)
chmod 755 "$work"
openstack="$root/deploy/scripts/openstack.sh"
cleanup() {
  [ -n "${openstack_pid:-}" ] && wait "$openstack_pid" 2>/dev/null
  "$openstack" stop "$work/openstack" >/dev/null 2>&1 || true
  "$infra" stop-rabbitmq "$work/rabbitmq" || true
  "$infra" stop-postgres "$work/postgres" || true
  "$infra" stop-postfix "$work/postfix" || true
  rm -rf "$work"
}
trap cleanup EXIT

"$infra" install
# A real OpenStack for the facility driver's tests, started beside the build (about a minute once its packages
# are there, four and a half from a bare machine); the tests wait for its settings file, or read why it failed.
mkdir -p "$work/openstack"
openstack_base=""
for candidate in 10000 10100 10200 10300 10400 10500 10600 10700 10800 10900; do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$((candidate + 1))") 2>/dev/null; then
    openstack_base=$candidate; break
  fi
done
export AES_TEST_OPENSTACK_ENV="$work/openstack/openstack.env"
( "$openstack" start "$work/openstack" "${openstack_base:-10000}" >/dev/null 2>"$work/openstack-start.log" \
    || { tail -n 20 "$work/openstack-start.log" > "$AES_TEST_OPENSTACK_ENV.failed"; } ) &
openstack_pid=$!

rabbit_port=$("$infra" free-port)
"$infra" start-rabbitmq "$work/rabbitmq" "$rabbit_port"
postgres_port=$("$infra" free-port)
"$infra" start-postgres "$work/postgres" "$postgres_port"

# A real Postfix that notifications' messages go through; every message for @aes.test lands in one Maildir.
smtp_port=$("$infra" free-port)
"$infra" start-postfix "$work/postfix" "$smtp_port"
export AES_TEST_SMTP_PORT="$smtp_port" AES_TEST_MAILDIR="$work/postfix/mail/aes.test/all"
export AES_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$rabbit_port/"
export AES_TEST_RABBITMQ_MANAGEMENT="http://127.0.0.1:$("$infra" management-port "$rabbit_port")/"
export AES_TEST_POSTGRES="Host=127.0.0.1;Port=$postgres_port;Username=postgres"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cd "$root"
# The repository's own tools (dotnet-ef, Kiota for the generated-client test) and Redocly's OpenAPI linter.
dotnet tool restore >/dev/null
npm ci --prefix tests/openapi-lint --no-audit --no-fund --loglevel=error >/dev/null
dotnet build AesMarketplace.slnx -c "$configuration" -nologo -clp:ErrorsOnly
set +e
dotnet test --solution AesMarketplace.slnx -c "$configuration" --no-build \
  --report-trx --results-directory "$work/results" --no-progress "$@"
status=$?
set -e

# Count from the TRX reports, one per test project.
read -r passed failed < <(cat "$work"/results/*.trx 2>/dev/null \
  | grep -o '<Counters [^>]*>' \
  | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "=\""); gsub(/"/, "", kv[2]);
           if (kv[1] == "passed") p += kv[2]; if (kv[1] == "failed") f += kv[2]; if (kv[1] == "error") f += kv[2]; } }
         END { print p + 0, f + 0 }')
# Name the failures last, where a CI log's tail is read.
for report in "$work"/results/*.trx; do
  [ -e "$report" ] || continue
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$report" \
    | sed -E 's/.*testName="([^"]*)".*/failed: \1/' || true
  messages=$(awk '/<Message>/ { inside = 1 } inside { print } /<\/Message>/ { inside = 0 }' "$report" \
    | sed -E 's/.*<Message>//; s/<\/Message>.*//' | head -c 2000 || true)
  [ -z "$messages" ] || printf '%s\n' "$messages"
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # a test host that crashed reports no counters: never print a green line for it
fi
echo "tests: $passed passed, $failed failed"
exit "$status"
