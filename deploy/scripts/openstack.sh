#!/usr/bin/env bash
# A real OpenStack Zed compute cloud (Keystone, Nova with its fake virt driver, Glance, Placement and
# the Neutron API) as plain background processes under a folder of ours, with its own PostgreSQL
# cluster and its own RabbitMQ node: no systemd, no Docker, no hypervisor. For the OpenStack facility
# driver's tests. What it does and why: shared/openstack/NOTES.md.
#
#   openstack.sh install              apt-get install Debian's packages when absent (quick when present)
#   openstack.sh start DIR BASEPORT   start a cloud under DIR on ports BASEPORT..BASEPORT+13 (see below);
#                                     prints KEY=VALUE lines on stdout (also saved as DIR/openstack.env)
#   openstack.sh stop DIR             stop everything started under DIR
#   openstack.sh status DIR           exit 0 when the compute API answers an authenticated call
#   openstack.sh stop-service DIR NAME    for fault injection: stop one service of the cloud under DIR
#                                     and wait until it is gone (its process group, and its port closed)
#   openstack.sh start-service DIR NAME   start it again exactly as start did (same configuration and
#                                     port) and wait until it is ready (its API answers; a conductor,
#                                     scheduler or compute listens on its RPC topic)
#     NAME: keystone, nova-api, nova-conductor, nova-scheduler, nova-compute, neutron, glance, placement.
#     Both exit 0 when the service is already in the state asked for; stop DIR stops everything after.
#
# Ports (BASEPORT = B): Keystone B, Nova B+1, Glance B+2, Placement B+3, Neutron B+4, (B+5 only named in
# VNC console URLs, nothing listens), PostgreSQL B+10, AMQP B+11, Erlang distribution B+12, epmd B+13.
# B..B+99 must stay below the kernel's ephemeral range (32768+) and off the project's ranges; e.g. 10000.
# Logs: DIR/log/*.log. State: DIR only (a path without spaces, reachable by the postgres user, e.g. under
# /tmp). Runs as root; needs no stdin. OPENSTACK_API_WORKERS=N: uwsgi processes of the Nova and Neutron
# APIs (default 1). Two clouds can run at once on two BASEPORTs (about 1.3 GiB each).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUPPORT=$HERE/openstack
PY=/usr/bin/python3 # the python3 on PATH may be pyenv's, without the OpenStack modules
RABBIT_BIN=/usr/lib/rabbitmq/bin
REGION=RegionOne
TENANT_DOMAIN=aes
TENANT_PROJECT=aes-tenant
TENANT_USER=aes-driver
# The user and project that bootstrap creates, in the Default domain.
ADMIN_USER=admin
ADMIN_PROJECT=admin
# name vcpus ram(MiB) disk(GB). The last one passes Nova's quota (which does not count disk) but can
# never be placed (the fake host has 600,000 GB): booting it gives a server in ERROR, fault "No valid host".
# The s1.* are the marketplace's own flavours (services/Provisioning/Domain/Catalogue.cs), size for size, so
# that a connection can map them by name; m1.tiny is one the marketplace does not offer.
FLAVORS=("m1.tiny 1 512 1" "s1.small 1 2048 40" "s1.medium 2 4096 80" "s1.large 4 16384 200" "s1.xlarge 8 32768 400"
  "x1.nohost 1 1024 1000000")
IMAGE_NAME=debian-12
PACKAGES=(postgresql rabbitmq-server uwsgi-plugin-python3 python3-psycopg2
  python3-keystone python3-glance glance-common python3-placement
  python3-nova nova-common nova-conductor nova-scheduler
  python3-neutron neutron-common curl jq)
# The services that stop signals (PostgreSQL is stopped with pg_ctl); each one can also be stopped and
# started alone (stop-service, start-service).
SERVICES=(nova-compute nova-scheduler nova-conductor nova-api neutron glance placement keystone)
STARTED_AT=$SECONDS
# uwsgi processes for the Nova and Neutron APIs: 1 starts fastest; 2 serve parallel tests better.
# (Keystone and Placement: one process with 4 threads.)
API_WORKERS=${OPENSTACK_API_WORKERS:-1}

log() { echo "[openstack] $*" >&2; }
since() { # T0 (an $EPOCHREALTIME): the seconds since T0, to a tenth
  local d=$(((${EPOCHREALTIME/[.,]/} - ${1/[.,]/}) / 100000))
  echo "$((d / 10)).$((d % 10))"
}
die() { log "$*"; exit 1; } # ends the (sub)shell: a step of start, or the script

usage() { awk 'NR >= 7 && /^set -euo pipefail/ { exit } NR >= 7' "$0" >&2; exit 2; }

listening() { # PORT: something accepts connections on 127.0.0.1:PORT (no fork: start polls a lot)
  local fd
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  exec {fd}>&-
}

# nap SECONDS: sleep without forking a sleep process (a read that times out on a FIFO nobody writes).
NAP_FD=""
nap() {
  if [ -z "$NAP_FD" ]; then
    local fifo
    fifo=$(mktemp -u "${TMPDIR:-/tmp}/openstack-nap.XXXXXX")
    mkfifo -m 600 "$fifo"
    exec {NAP_FD}<>"$fifo"
    rm -f "$fifo"
  fi
  read -rt "$1" -u "$NAP_FD" _ || true
}

# ---------------------------------------------------------------------------------------------------
install() {
  local missing=() p installed
  installed=" $(dpkg-query -W -f='${db:Status-Status}:${Package} ' "${PACKAGES[@]}" 2>/dev/null || true) "
  for p in "${PACKAGES[@]}"; do
    [[ "$installed" == *" installed:$p "* ]] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  # nova-compute and glance-api are started from their Python modules: the nova-compute package would
  # pull in a hypervisor. No package starts a service here (policy-rc.d, no systemd).
  log "installing ${missing[*]} (about 4 minutes on a bare machine)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------------------------------------------
layout() { # DIR [BASEPORT]: paths, and the ports of the cloud
  DIR=$(realpath -m "$1")
  RUN=$DIR/run LOG=$DIR/log ETC=$DIR/etc STATE=$DIR/state
  if [ -n "${2:-}" ]; then
    BASE=$2
  elif [ -f "$DIR/baseport" ]; then
    BASE=$(cat "$DIR/baseport")
  else
    BASE=""
  fi
  [ -n "$BASE" ] || return 0
  [[ "$BASE" =~ ^[0-9]+$ ]] || die "BASEPORT must be a number"
  KEYSTONE_PORT=$BASE NOVA_PORT=$((BASE + 1)) GLANCE_PORT=$((BASE + 2)) PLACEMENT_PORT=$((BASE + 3))
  NEUTRON_PORT=$((BASE + 4)) NOVNC_PORT=$((BASE + 5))
  PG_PORT=$((BASE + 10)) AMQP_PORT=$((BASE + 11)) DIST_PORT=$((BASE + 12)) EPMD_PORT=$((BASE + 13))
  KEYSTONE_URL=http://127.0.0.1:$KEYSTONE_PORT
  NOVA_URL=http://127.0.0.1:$NOVA_PORT/v2.1
  GLANCE_URL=http://127.0.0.1:$GLANCE_PORT
  PLACEMENT_URL=http://127.0.0.1:$PLACEMENT_PORT
  NEUTRON_URL=http://127.0.0.1:$NEUTRON_PORT
  DB=postgresql+psycopg2://postgres@127.0.0.1:$PG_PORT
  TRANSPORT=rabbit://guest:guest@127.0.0.1:$AMQP_PORT/
}

check_baseport() {
  local lo=$BASE hi=$((BASE + 99)) range
  [ "$lo" -ge 1024 ] && [ "$hi" -lt 32768 ] || die "BASEPORT..BASEPORT+99 must lie in 1024-32767 (below the ephemeral range)"
  # The project's own ports: test brokers 20000-28999, restartable ports 29000-32767, embedded runs
  # 13100-18004, the portal 5100-5104 and 6101-6104, the default PostgreSQL and AMQP ports, epmd's.
  for range in 20000-32767 13100-18004 5100-5104 6101-6104 5432-5432 5672-5672 4369-4369; do
    if [ "$lo" -le "${range#*-}" ] && [ "$hi" -ge "${range%-*}" ]; then
      die "BASEPORT..BASEPORT+99 ($lo-$hi) overlaps ports the project uses ($range)"
    fi
  done
  local port
  for port in $KEYSTONE_PORT $NOVA_PORT $GLANCE_PORT $PLACEMENT_PORT $NEUTRON_PORT $PG_PORT $AMQP_PORT $DIST_PORT $EPMD_PORT; do
    if listening "$port"; then die "port $port is already taken"; fi
  done
}

# ---------------------------------------------------------------------------------------------------
# Processes. Each one runs in its own session (process group) whose leader's pid is in DIR/run/NAME.pid,
# with CLOUD_DIR=DIR in its environment: stop kills the groups, then anything still carrying the mark.
# DIR/run/NAME.logpos: where NAME's log stood when it was spawned (start-service appends to the log of
# the previous run; the waits below read only what this run wrote).
spawn() { # NAME COMMAND...
  local name=$1 pos=0; shift
  [ ! -f "$LOG/$name.log" ] || pos=$(stat -c %s "$LOG/$name.log")
  echo "$pos" >"$RUN/$name.logpos"
  if [ -n "$NAP_FD" ]; then
    setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null {NAP_FD}<&- &
  else
    setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
  fi
  echo $! >"$RUN/$name.pid"
}

pid_of() { local pid=""; [ -f "$RUN/$1.pid" ] && read -r pid <"$RUN/$1.pid"; echo "$pid"; }

new_log() { # NAME: what NAME's log got since NAME was spawned
  local pos=0
  [ ! -f "$RUN/$1.logpos" ] || read -r pos <"$RUN/$1.logpos"
  tail -c "+$((pos + 1))" "$LOG/$1.log" 2>/dev/null || true
}

alive() { # NAME
  local pid=""
  [ -f "$RUN/$1.pid" ] && read -r pid <"$RUN/$1.pid"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

wait_port() { # NAME PORT [SECONDS]: until PORT answers; fails at once if NAME died
  local name=$1 port=$2 deadline=$((SECONDS + ${3:-120}))
  until listening "$port"; do
    alive "$name" || die "$name died while starting: $(new_log "$name" | tail -n 5 | tr '\n' ' ')"
    [ $SECONDS -lt $deadline ] || die "$name did not open port $port in ${3:-120} s (see $LOG/$name.log)"
    nap 0.1
  done
  own_port "$name" "$port"
}

own_port() { # NAME PORT: the listener on PORT belongs to NAME's process group (not someone else's)
  command -v ss >/dev/null || return 0
  local pids pid
  pids=$(ss -Hltnp "sport = :$2" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
  for pid in $pids; do
    [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$(pid_of "$1")" ] && return 0
  done
  [ -z "$pids" ] && return 0
  die "port $2 is answered by another process than $1 (pids $pids)"
}

wait_http() { # NAME URL: until the application behind NAME's port answers URL (uwsgi listens before
  # it has loaded the application; a request sent meanwhile waits for it)
  local deadline=$((SECONDS + 180)) code
  local port=${2#http://127.0.0.1:}
  wait_port "$1" "${port%%/*}"
  while :; do
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$2" || true)
    [[ "$code" =~ ^[234] ]] && return 0
    alive "$1" || die "$1 died while starting: $(new_log "$1" | tail -n 5 | tr '\n' ' ')"
    # A uwsgi worker that cannot load the application dies and is respawned, again and again.
    if grep -q '^DAMN ! worker' < <(new_log "$1"); then
      die "$1 cannot load its application: $(grep -m 3 -E 'ERROR|Error|not found' < <(new_log "$1") | tr '\n' ' ' | cut -c1-400)"
    fi
    [ $SECONDS -lt $deadline ] || die "$1 does not answer $2 after 180 s (see $LOG/$1.log)"
    nap 0.2
  done
}

wait_file() { # FILE [SECONDS]: until FILE exists (markers between the parallel steps of start)
  local deadline=$((SECONDS + ${2:-240}))
  until [ -e "$1" ]; do
    [ ! -e "$RUN/failed" ] || exit 1 # another step failed, and said why
    [ $SECONDS -lt $deadline ] || die "${1##*/} not reached in ${2:-240} s"
    nap 0.1
  done
}

step() { # NAME COMMAND...: a step of start run in the background; a failure marks DIR/run/failed
  local name=$1 rc; shift
  # Not "( … ) || …": errexit would be off inside.
  set +e
  ( set -e; "$@" )
  rc=$?
  set -e
  [ $rc = 0 ] || { touch "$RUN/failed"; log "$name failed"; exit 1; }
}

uwsgi_app() { # NAME PORT WSGI-FILE PROCESSES [THREADS]: an API behind uwsgi's HTTP router with keep-alive
  # --http-socket answers HTTP/1.1 without "Connection: close" and then closes the socket, which breaks
  # pooled clients (keystoneauth inside Nova, HttpClient): use the router (--http) with --http-keepalive.
  spawn "$1" /usr/bin/uwsgi --plugins http,python3 --http "127.0.0.1:$2" --http-keepalive --http-auto-chunked \
    --socket "@openstack-$BASE-$1" --wsgi-file "$3" --master --processes "$4" --threads "${5:-1}" --lazy-apps --enable-threads \
    --die-on-term --need-app --buffer-size 65535 --disable-logging --http-timeout 300 \
    --skip-atexit-teardown --reload-mercy 3 --worker-reload-mercy 3
}

# ---------------------------------------------------------------------------------------------------
write_config() {
  mkdir -p "$ETC"/{keystone,nova,glance,placement,neutron} "$STATE"/{nova/instances,glance/images,glance/staging,locks}
  local levels="amqp=WARN,amqplib=WARN,boto=WARN,qpid=WARN,sqlalchemy=WARN,suds=INFO,oslo.messaging=INFO,oslo_messaging=INFO,oslo_messaging.rpc.client=ERROR,iso8601=WARN,requests.packages.urllib3.connectionpool=WARN,urllib3.connectionpool=WARN,websocket=WARN,requests.packages.urllib3.util.retry=WARN,urllib3.util.retry=WARN,keystonemiddleware=WARN,routes.middleware=WARN,stevedore=WARN,taskflow=WARN,keystoneauth=WARN,oslo.cache=INFO,oslo_policy=INFO,dogpile.core.dogpile=INFO,glance_store=INFO"
  authtoken() { # USER
    cat <<CONF
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL/v3
auth_url = $KEYSTONE_URL/v3
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SERVICE_PASSWORD
region_name = $REGION
memcached_servers =
CONF
  }
  client() { # SECTION: a keystoneauth client section for the nova service user
    cat <<CONF
[$1]
auth_url = $KEYSTONE_URL/v3
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $SERVICE_PASSWORD
region_name = $REGION
CONF
  }

  cat >"$ETC/keystone/keystone.conf" <<CONF
[DEFAULT]
default_log_levels = $levels
[database]
connection = $DB/keystone
[token]
provider = fernet
[fernet_tokens]
key_repository = $STATE/keystone/fernet-keys
[fernet_receipts]
key_repository = $STATE/keystone/fernet-keys
[credential]
key_repository = $STATE/keystone/credential-keys
[identity]
password_hash_rounds = 4
[cache]
# Without a cache one token validation costs Keystone ~0.6 s of CPU (hundreds of role queries); the
# in-process cache is coherent because Keystone runs as one process (threads).
enabled = true
backend = oslo_cache.dict
CONF

  # nova.conf is read by every Nova process, nova-db.conf by all but nova-compute (which otherwise
  # warns "No DB access allowed in nova-compute"). The API takes the first of its files as its paste
  # configuration: OS_NOVA_CONFIG_FILES lists api-paste.ini first.
  cp /etc/nova/api-paste.ini "$ETC/nova/api-paste.ini"
  {
    cat <<CONF
[DEFAULT]
host = fake-compute
my_ip = 127.0.0.1
transport_url = $TRANSPORT
compute_driver = fake.FakeDriver
state_path = $STATE/nova
instances_path = $STATE/nova/instances
allow_resize_to_same_host = True
graceful_shutdown_timeout = 2
# nova.service at DEBUG says when a service has started its RPC server (start waits for that line).
default_log_levels = $levels,nova.service=DEBUG
[api]
auth_strategy = keystone
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = -1
[oslo_concurrency]
lock_path = $STATE/locks
[vnc]
enabled = True
server_listen = 127.0.0.1
server_proxyclient_address = 127.0.0.1
novncproxy_base_url = http://127.0.0.1:$NOVNC_PORT/vnc_auto.html
[glance]
region_name = $REGION
[cinder]
os_region_name = $REGION
[oslo_messaging_notifications]
driver = noop
CONF
    authtoken nova
    client placement nova
    client neutron nova
    client service_user nova
  } >"$ETC/nova/nova.conf"
  cat >"$ETC/nova/nova-db.conf" <<CONF
[api_database]
connection = $DB/nova_api
[database]
connection = $DB/nova
CONF

  cp /etc/glance/glance-api-paste.ini "$ETC/glance/glance-api-paste.ini"
  {
    cat <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $GLANCE_PORT
workers = 0
graceful_shutdown_timeout = 2
default_log_levels = $levels
node_staging_uri = file://$STATE/glance/staging
[database]
connection = $DB/glance
[paste_deploy]
flavor = keystone
config_file = $ETC/glance/glance-api-paste.ini
[glance_store]
stores = file
default_store = file
filesystem_store_datadir = $STATE/glance/images
[oslo_concurrency]
lock_path = $STATE/locks
CONF
    authtoken glance
  } >"$ETC/glance/glance-api.conf"

  {
    cat <<CONF
[DEFAULT]
default_log_levels = $levels
[api]
auth_strategy = keystone
[placement_database]
connection = $DB/placement
CONF
    authtoken placement
  } >"$ETC/placement/placement.conf"

  # API only: ML2 with no agents. service_plugins = router makes the Port model complete (and gives
  # routers and floating IPs); aes_fakebind (openstack/pythonpath) binds every port.
  {
    cat <<CONF
[DEFAULT]
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = $TRANSPORT
api_paste_config = /etc/neutron/api-paste.ini
state_path = $STATE/neutron
allow_overlapping_ips = True
dhcp_agent_notification = False
notify_nova_on_port_status_changes = True
notify_nova_on_port_data_changes = True
rpc_workers = 0
graceful_shutdown_timeout = 2
default_log_levels = $levels
[database]
connection = $DB/neutron
[oslo_concurrency]
lock_path = $STATE/locks
[oslo_messaging_notifications]
driver = noop
CONF
    authtoken neutron
    client nova neutron
  } >"$ETC/neutron/neutron.conf"
  cat >"$ETC/neutron/ml2_conf.ini" <<CONF
[ml2]
type_drivers = local,flat
tenant_network_types = local
mechanism_drivers = aes_fakebind
extension_drivers = port_security
[ml2_type_flat]
flat_networks = public
CONF
}

# Fernet and credential keys: what keystone-manage fernet_setup / credential_setup write (32 random
# bytes, URL-safe base64, in files 0 and 1), without two more Python start-ups.
keystone_keys() {
  local repo
  for repo in fernet-keys credential-keys; do
    mkdir -p "$STATE/keystone/$repo"
    chmod 700 "$STATE/keystone/$repo"
    head -c 32 /dev/urandom | base64 | tr '+/' '-_' >"$STATE/keystone/$repo/0"
    head -c 32 /dev/urandom | base64 | tr '+/' '-_' >"$STATE/keystone/$repo/1"
  done
}

# ---------------------------------------------------------------------------------------------------
start_rabbitmq() { # its own epmd on its own port, then its own node; waited for by whoever needs it
  local d=$DIR/rabbitmq
  mkdir -p "$d/mnesia" "$d/home"
  cat >"$d/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
loopback_users = none
CONF
  echo "[]." >"$d/enabled_plugins"
  export ERL_EPMD_PORT=$EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1
  spawn epmd epmd -port "$EPMD_PORT"
  wait_port epmd "$EPMD_PORT" 20
  HOME=$d/home RABBITMQ_MNESIA_BASE=$d/mnesia RABBITMQ_LOG_BASE=$LOG RABBITMQ_PID_FILE=$RUN/beam.pid \
    RABBITMQ_NODENAME="rabbit-os$BASE@localhost" RABBITMQ_NODE_PORT=$AMQP_PORT RABBITMQ_DIST_PORT=$DIST_PORT \
    RABBITMQ_CONFIG_FILE=$d/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    spawn rabbitmq "$RABBIT_BIN/rabbitmq-server"
}

# ---------------------------------------------------------------------------------------------------
# Keystone's API, with curl: tokens for the seeds below, and the application credential.
http() { # METHOD URL TOKEN [BODY]: the response body; fails on any status but 2xx
  local out data=()
  [ -z "${4:-}" ] || data=(--data "$4")
  out=$(curl -sS --fail-with-body -X "$1" -H "X-Auth-Token: $3" -H 'Content-Type: application/json' \
    "${data[@]}" "$2") || die "$1 $2 failed: $out"
  printf '%s' "$out"
}

token() { # JSON-AUTH-BODY: a token id
  local headers
  headers=$(curl -sS --fail-with-body -D - -o /dev/null -H 'Content-Type: application/json' --data "$1" \
    "$KEYSTONE_URL/v3/auth/tokens") || die "authentication failed: $headers"
  printf '%s' "$headers" | tr -d '\r' | sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: //p'
}

password_auth() { # USER DOMAIN-NAME PASSWORD PROJECT
  printf '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"%s","domain":{"name":"%s"},"password":"%s"}}},"scope":{"project":{"name":"%s","domain":{"name":"%s"}}}}}' \
    "$1" "$2" "$3" "$4" "$2"
}

save() { echo "$2" >"$RUN/ids/$1"; }
id_of() { cat "$RUN/ids/$1"; }

parallel() { # run the given commands (strings) at once; fail when one fails
  local pids=() cmd pid rc=0
  for cmd in "$@"; do
    eval "$cmd" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  return $rc
}

application_credential() { # for the tenant user, scoped to the tenant project, through its own token
  local tenant_token out
  wait_file "$RUN/keystone.up"
  tenant_token=$(token "$(password_auth "$TENANT_USER" "$TENANT_DOMAIN" "$TENANT_PASSWORD" "$TENANT_PROJECT")")
  out=$(http POST "$KEYSTONE_URL/v3/users/$(id_of user.tenant)/application_credentials" "$tenant_token" \
    '{"application_credential":{"name":"aes-driver-tests","description":"the facility driver tests"}}')
  save appcred.id "$(jq -r .application_credential.id <<<"$out")"
  save appcred.secret "$(jq -r .application_credential.secret <<<"$out")"
}

# ---------------------------------------------------------------------------------------------------
# Seeds: flavours, an image, networks.
admin_token() { wait_file "$RUN/keystone.up"; ADMIN_TOKEN=$(token "$(password_auth "$ADMIN_USER" Default "$ADMIN_PASSWORD" "$ADMIN_PROJECT")"); }

flavors() {
  wait_file "$RUN/nova-api.up"
  admin_token
  local f name vcpus ram disk cmds=()
  for f in "${FLAVORS[@]}"; do
    read -r name vcpus ram disk <<<"$f"
    cmds+=("http POST $NOVA_URL/flavors $ADMIN_TOKEN '{\"flavor\":{\"name\":\"$name\",\"vcpus\":$vcpus,\"ram\":$ram,\"disk\":$disk}}' >/dev/null")
  done
  parallel "${cmds[@]}"
  # A facility's project, not a laptop's: Nova's defaults (10 servers, 20 cores) are too small for tests sharing the cloud.
  http PUT "$NOVA_URL/os-quota-sets/$(id_of project.tenant)" "$ADMIN_TOKEN" \
    '{"quota_set":{"instances":200,"cores":1000,"ram":4194304}}' >/dev/null
}

image() { # a tiny raw image: 1 MiB of zeros (the fake driver never reads it)
  wait_file "$RUN/glance.up"
  admin_token
  local out id
  out=$(http POST "$GLANCE_URL/v2/images" "$ADMIN_TOKEN" \
    "{\"name\":\"$IMAGE_NAME\",\"disk_format\":\"raw\",\"container_format\":\"bare\",\"visibility\":\"public\",\"os_distro\":\"debian\",\"os_version\":\"12\"}")
  id=$(jq -r .id <<<"$out")
  head -c 1048576 /dev/zero >"$STATE/zeros.raw"
  curl -sS --fail-with-body -X PUT -H "X-Auth-Token: $ADMIN_TOKEN" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$STATE/zeros.raw" "$GLANCE_URL/v2/images/$id/file" >/dev/null || die "image upload failed"
  rm -f "$STATE/zeros.raw"
  save image "$id"
}

networks() { # a shared network (type local, no DHCP), an external one, and a router between them
  wait_file "$RUN/neutron.up"
  admin_token
  local out
  out=$(http POST "$NEUTRON_URL/v2.0/networks" "$ADMIN_TOKEN" \
    '{"network":{"name":"shared","shared":true,"provider:network_type":"local"}}')
  save network.shared "$(jq -r .network.id <<<"$out")"
  out=$(http POST "$NEUTRON_URL/v2.0/subnets" "$ADMIN_TOKEN" \
    "{\"subnet\":{\"name\":\"shared-v4\",\"network_id\":\"$(id_of network.shared)\",\"ip_version\":4,\"cidr\":\"192.0.2.0/24\",\"gateway_ip\":\"192.0.2.1\",\"enable_dhcp\":false}}")
  save subnet.shared "$(jq -r .subnet.id <<<"$out")"
  out=$(http POST "$NEUTRON_URL/v2.0/networks" "$ADMIN_TOKEN" \
    '{"network":{"name":"public","router:external":true,"provider:network_type":"flat","provider:physical_network":"public"}}')
  save network.public "$(jq -r .network.id <<<"$out")"
  out=$(http POST "$NEUTRON_URL/v2.0/subnets" "$ADMIN_TOKEN" \
    "{\"subnet\":{\"name\":\"public-v4\",\"network_id\":\"$(id_of network.public)\",\"ip_version\":4,\"cidr\":\"198.51.100.0/24\",\"gateway_ip\":\"198.51.100.1\",\"enable_dhcp\":false}}")
  save subnet.public "$(jq -r .subnet.id <<<"$out")"
  out=$(http POST "$NEUTRON_URL/v2.0/routers" "$ADMIN_TOKEN" \
    "{\"router\":{\"name\":\"shared-router\",\"external_gateway_info\":{\"network_id\":\"$(id_of network.public)\"}}}")
  save router "$(jq -r .router.id <<<"$out")"
  http PUT "$NEUTRON_URL/v2.0/routers/$(id_of router)/add_router_interface" "$ADMIN_TOKEN" \
    "{\"subnet_id\":\"$(id_of subnet.shared)\"}" >/dev/null
}

# ---------------------------------------------------------------------------------------------------
# Each service alone: launch_NAME spawns it (its configuration is in DIR/etc, its database made),
# ready_NAME waits until it serves. start runs them within its chains below; start-service runs one.
nova_files() { echo "--config-file $ETC/nova/nova.conf --config-file $ETC/nova/nova-db.conf"; }

launch_keystone() {
  OS_KEYSTONE_CONFIG_FILES=$ETC/keystone/keystone.conf uwsgi_app keystone "$KEYSTONE_PORT" /usr/bin/keystone-wsgi-public 1 4
}
ready_keystone() { wait_http keystone "$KEYSTONE_URL/v3"; }

launch_glance() { spawn glance $PY "$SUPPORT/glance-api.py" --config-file "$ETC/glance/glance-api.conf"; }
ready_glance() { wait_http glance "$GLANCE_URL/"; }

launch_placement() {
  OS_PLACEMENT_CONFIG_DIR=$ETC/placement uwsgi_app placement "$PLACEMENT_PORT" /usr/bin/placement-api 1 4
}
ready_placement() { wait_http placement "$PLACEMENT_URL/"; }

launch_neutron() {
  PYTHONPATH=$SUPPORT/pythonpath OS_NEUTRON_CONFIG_DIR=$ETC/neutron OS_NEUTRON_CONFIG_FILES="neutron.conf;ml2_conf.ini" \
    uwsgi_app neutron "$NEUTRON_PORT" "$SUPPORT/neutron-api.py" "$API_WORKERS"
}
ready_neutron() { wait_http neutron "$NEUTRON_URL/"; }

launch_nova_api() {
  OS_NOVA_CONFIG_DIR=$ETC/nova OS_NOVA_CONFIG_FILES="api-paste.ini;nova.conf;nova-db.conf" \
    uwsgi_app nova-api "$NOVA_PORT" /usr/bin/nova-api-wsgi "$API_WORKERS"
}
ready_nova_api() { wait_http nova-api "http://127.0.0.1:$NOVA_PORT/"; }

# The Nova services import at once and run once their GO file exists (nova-launcher.py): start makes
# the files when the service can run; they stay, so that start-service runs the service at once.
launch_nova_conductor() {
  # shellcheck disable=SC2046
  spawn nova-conductor $PY "$SUPPORT/nova-launcher.py" "$RUN/go.services" nova.cmd.conductor $(nova_files)
}
ready_nova_conductor() { wait_joined nova-conductor conductor; }

launch_nova_scheduler() {
  # shellcheck disable=SC2046
  spawn nova-scheduler $PY "$SUPPORT/nova-launcher.py" "$RUN/go.services" nova.cmd.scheduler $(nova_files)
}
ready_nova_scheduler() { wait_joined nova-scheduler scheduler; }

launch_nova_compute() { # nova.conf only: nova-compute must not see the database settings
  spawn nova-compute $PY "$SUPPORT/nova-launcher.py" "$RUN/go.compute" nova.cmd.compute --config-file "$ETC/nova/nova.conf"
}
ready_nova_compute() { wait_joined nova-compute compute; } # its resource provider is in Placement too

# ---------------------------------------------------------------------------------------------------
# The services, each chain in parallel from its schema sync on.
keystone_chain() {
  # db_sync, bootstrap, then users, projects, roles and the catalog, in one interpreter.
  local services="" type name port path
  for type in compute:nova:$NOVA_PORT:/v2.1 image:glance:$GLANCE_PORT: placement:placement:$PLACEMENT_PORT: network:neutron:$NEUTRON_PORT:; do
    IFS=: read -r type name port path <<<"$type"
    services+="${services:+,}{\"type\":\"$type\",\"name\":\"$name\",\"url\":\"http://127.0.0.1:$port$path\"}"
  done
  cat >"$ETC/keystone/setup.json" <<JSON
{"admin_password": "$ADMIN_PASSWORD", "service_password": "$SERVICE_PASSWORD", "region": "$REGION",
 "identity_url": "$KEYSTONE_URL/v3", "services": [$services],
 "service_users": ["nova", "glance", "placement", "neutron"],
 "tenant": {"domain": "$TENANT_DOMAIN", "project": "$TENANT_PROJECT", "user": "$TENANT_USER", "password": "$TENANT_PASSWORD"}}
JSON
  local setup
  $PY "$SUPPORT/keystone-setup.py" "$ETC/keystone/keystone.conf" "$ETC/keystone/setup.json" "$RUN/identity.json" \
    >>"$LOG/keystone-manage.log" 2>&1 &
  setup=$!
  # The API loads (seconds) while the setup makes the users.
  until [ -e "$RUN/identity.json.schema" ]; do
    kill -0 "$setup" 2>/dev/null || die "keystone setup failed (see $LOG/keystone-manage.log)"
    nap 0.1
  done
  launch_keystone
  wait "$setup" || die "keystone setup failed (see $LOG/keystone-manage.log)"
  mkdir -p "$RUN/ids"
  local key value
  while read -r key value; do save "$key" "$value"; done < <(jq -r 'to_entries[] | "\(.key) \(.value)"' "$RUN/identity.json")
  touch "$RUN/identity.done"
  ready_keystone
  touch "$RUN/keystone.up"
  log "Keystone on $KEYSTONE_URL/v3 ($((SECONDS - STARTED_AT)) s)"
}

glance_chain() {
  $PY /usr/bin/glance-manage --config-file "$ETC/glance/glance-api.conf" db_sync >>"$LOG/glance-manage.log" 2>&1 ||
    die "glance db_sync failed (see $LOG/glance-manage.log)"
  launch_glance
  ready_glance
  touch "$RUN/glance.up"
}

placement_chain() {
  $PY /usr/bin/placement-manage --config-file "$ETC/placement/placement.conf" db sync >>"$LOG/placement-manage.log" 2>&1 ||
    die "placement db sync failed (see $LOG/placement-manage.log)"
  launch_placement
  ready_placement
  touch "$RUN/placement.up"
}

neutron_chain() {
  $PY /usr/bin/neutron-db-manage --config-file "$ETC/neutron/neutron.conf" --config-file "$ETC/neutron/ml2_conf.ini" \
    upgrade heads >>"$LOG/neutron-manage.log" 2>&1 || die "neutron-db-manage failed (see $LOG/neutron-manage.log)"
  launch_neutron
  ready_neutron
  touch "$RUN/neutron.up"
}

nova_chain() {
  # The schema syncs, cell0 and cell1; then (still running) it maps nova-compute's host once it appears.
  local setup
  # shellcheck disable=SC2046
  $PY "$SUPPORT/nova-setup.py" "$RUN/nova-db.done" $(nova_files) >>"$LOG/nova-manage.log" 2>&1 &
  setup=$!
  until [ -e "$RUN/nova-db.done" ]; do
    kill -0 "$setup" 2>/dev/null || die "nova database setup failed (see $LOG/nova-manage.log)"
    nap 0.1
  done
  launch_nova_api
  touch "$RUN/nova-api.spawned"
  # The services import now and run once they can (nova-launcher.py waits for its GO file).
  launch_nova_conductor
  launch_nova_scheduler
  launch_nova_compute
  # The conductor builds a Placement client when it starts and dies on a 401: users first.
  wait_file "$RUN/keystone.up"
  wait_rabbit
  touch "$RUN/go.services"
  # nova-compute once the conductor listens (its first RPC would be lost, then retried after 10 s).
  ready_nova_conductor
  wait_file "$RUN/placement.up"
  touch "$RUN/go.compute"
  # Joined: its resource provider is in Placement and it listens on its topic.
  ready_nova_compute
  wait "$setup" || die "cell_v2 discover_hosts failed (see $LOG/nova-manage.log)"
  ready_nova_scheduler
  touch "$RUN/compute.up"
}

nova_api() {
  wait_file "$RUN/nova-api.spawned"
  ready_nova_api
  touch "$RUN/nova-api.up"
}

wait_rabbit() {
  [ -e "$RUN/rabbitmq.up" ] && return 0
  wait_port rabbitmq "$AMQP_PORT" 120
  touch "$RUN/rabbitmq.up"
}

wait_joined() { # NAME TOPIC: until the Nova service NAME has started its RPC server (nova.service logs
  # this line at DEBUG, enabled in nova.conf, after the RPC server and the start hooks)
  local deadline=$((SECONDS + 120))
  until grep -q "Join ServiceGroup membership for this service $2" < <(new_log "$1"); do
    alive "$1" || die "$1 died while starting: $(new_log "$1" | tail -n 5 | tr '\n' ' ')"
    [ $SECONDS -lt $deadline ] || die "$1 did not start in 120 s (see $LOG/$1.log)"
    nap 0.2
  done
}

# ---------------------------------------------------------------------------------------------------
cloud_env() { # the environment of every process of the cloud
  # Every process carries the mark; state stays under DIR (no __pycache__ in the work tree either);
  # /usr/bin before pyenv's shims.
  export CLOUD_DIR=$DIR HOME=$DIR/home XDG_CACHE_HOME=$DIR/cache PYTHONDONTWRITEBYTECODE=1
  export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
  unset PYTHONPATH PYTHONHOME
}

start() { # DIR BASEPORT
  [ $# -eq 2 ] || usage
  layout "$1" "$2"
  check_baseport
  [ "$(id -u)" = 0 ] || die "start runs as root (PostgreSQL runs as the postgres user)"
  if [ -d "$RUN" ]; then
    local name
    for name in "${SERVICES[@]}" rabbitmq epmd; do
      ! alive "$name" || die "a cloud is already running under $DIR: stop it first"
    done
  fi
  install
  # A previous cloud's state under DIR (only the folders this script makes) goes.
  rm -rf "$RUN" "$LOG" "$ETC" "$STATE" "$DIR/rabbitmq" "$DIR/postgres" "$DIR/cache" "$DIR/home" "$DIR/openstack.env"
  mkdir -p "$RUN" "$LOG" "$DIR/cache" "$DIR/home"
  echo "$BASE" >"$DIR/baseport"
  echo "$API_WORKERS" >"$RUN/api-workers" # for start-service
  runuser -u postgres -- test -x "$DIR" || die "$DIR must be reachable by the postgres user (e.g. under /tmp)"
  STARTING=yes
  trap 'if [ -n "$STARTING" ]; then log "start failed; stopping what was started (logs in $LOG)"; stop_cloud >/dev/null 2>&1 || true; fi' EXIT
  nap 0 # the FIFO for nap, shared with every step
  cloud_env
  ADMIN_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  SERVICE_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  TENANT_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  log "starting a cloud in $DIR on ports $BASE-$((BASE + 13))"
  write_config
  keystone_keys
  start_rabbitmq
  "$HERE/infra.sh" start-postgres "$DIR/postgres" "$PG_PORT" 2>/dev/null
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -c 'CREATE DATABASE keystone' -c 'CREATE DATABASE glance' \
    -c 'CREATE DATABASE placement' -c 'CREATE DATABASE nova_api' -c 'CREATE DATABASE nova' \
    -c 'CREATE DATABASE nova_cell0' -c 'CREATE DATABASE neutron' >/dev/null
  log "PostgreSQL on 127.0.0.1:$PG_PORT, databases made; syncing the schemas ($((SECONDS - STARTED_AT)) s)"
  # Every step in parallel; each waits for what it needs (marker files in DIR/run).
  local pids=() pid rc=0
  step keystone keystone_chain & pids+=($!)
  step glance glance_chain & pids+=($!)
  step placement placement_chain & pids+=($!)
  step neutron neutron_chain & pids+=($!)
  step nova nova_chain & pids+=($!)
  step nova-api nova_api & pids+=($!)
  step rabbitmq wait_rabbit & pids+=($!)
  step appcred application_credential & pids+=($!)
  step flavors flavors & pids+=($!)
  step image image & pids+=($!)
  step networks networks & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  [ $rc = 0 ] || die "start failed (logs in $LOG)"
  write_env
  status_check || die "the compute API does not answer (logs in $LOG)"
  STARTING=""
  log "ready in $((SECONDS - STARTED_AT)) s; $DIR/openstack.env"
  cat "$DIR/openstack.env"
}

write_env() {
  local names="" f
  for f in "${FLAVORS[@]}"; do names+="${names:+,}${f%% *}"; done
  # Written whole, then moved in place: a reader waiting for the file never sees half of it.
  cat >"$DIR/openstack.env.tmp" <<ENV
OS_AUTH_URL=$KEYSTONE_URL/v3
OS_IDENTITY_API_VERSION=3
OS_REGION_NAME=$REGION
OS_INTERFACE=public
OS_PROJECT_NAME=$TENANT_PROJECT
OS_PROJECT_ID=$(id_of project.tenant)
OS_PROJECT_DOMAIN_NAME=$TENANT_DOMAIN
OS_PROJECT_DOMAIN_ID=$(id_of domain.tenant)
OS_USERNAME=$TENANT_USER
OS_USER_ID=$(id_of user.tenant)
OS_PASSWORD=$TENANT_PASSWORD
OS_USER_DOMAIN_NAME=$TENANT_DOMAIN
OS_USER_DOMAIN_ID=$(id_of domain.tenant)
OS_APPLICATION_CREDENTIAL_ID=$(id_of appcred.id)
OS_APPLICATION_CREDENTIAL_SECRET=$(id_of appcred.secret)
OS_ADMIN_USERNAME=$ADMIN_USER
OS_ADMIN_PASSWORD=$ADMIN_PASSWORD
OS_ADMIN_PROJECT_NAME=$ADMIN_PROJECT
OS_ADMIN_DOMAIN_NAME=Default
OS_NETWORK_ID=$(id_of network.shared)
OS_SUBNET_ID=$(id_of subnet.shared)
OS_EXTERNAL_NETWORK_ID=$(id_of network.public)
OS_ROUTER_ID=$(id_of router)
OS_IMAGE_ID=$(id_of image)
OS_IMAGE_NAME=$IMAGE_NAME
OS_FLAVORS=$names
OS_ERROR_FLAVOR=x1.nohost
OS_COMPUTE_URL=$NOVA_URL
OS_IMAGE_URL=$GLANCE_URL
OS_NETWORK_URL=$NEUTRON_URL
OS_PLACEMENT_URL=$PLACEMENT_URL
ENV
  mv "$DIR/openstack.env.tmp" "$DIR/openstack.env"
}

# ---------------------------------------------------------------------------------------------------
status_check() { # the compute API answers a call authenticated with the application credential
  local env=$DIR/openstack.env
  [ -f "$env" ] || return 1
  local id secret auth compute tok code
  id=$(sed -n 's/^OS_APPLICATION_CREDENTIAL_ID=//p' "$env")
  secret=$(sed -n 's/^OS_APPLICATION_CREDENTIAL_SECRET=//p' "$env")
  auth=$(sed -n 's/^OS_AUTH_URL=//p' "$env")
  compute=$(sed -n 's/^OS_COMPUTE_URL=//p' "$env")
  tok=$(curl -sS -m 10 -D - -o /dev/null -H 'Content-Type: application/json' \
    --data "{\"auth\":{\"identity\":{\"methods\":[\"application_credential\"],\"application_credential\":{\"id\":\"$id\",\"secret\":\"$secret\"}}}}" \
    "$auth/auth/tokens" 2>/dev/null | tr -d '\r' | sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: //p') || return 1
  [ -n "$tok" ] || return 1
  code=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -H "X-Auth-Token: $tok" "$compute/servers" 2>/dev/null) || return 1
  [ "$code" = 200 ]
}

status() { # DIR
  [ $# -eq 1 ] || usage
  layout "$1"
  if status_check; then log "the cloud under $DIR answers"; else log "the cloud under $DIR does not answer"; return 1; fi
}

# ---------------------------------------------------------------------------------------------------
stop_cloud() {
  local name pid groups=()
  for name in "${SERVICES[@]}" rabbitmq epmd; do
    if alive "$name"; then
      pid=$(cat "$RUN/$name.pid")
      groups+=("$pid")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  # PostgreSQL last but at once: its clients are going away anyway.
  [ -f "$DIR/postgres/data/PG_VERSION" ] && "$HERE/infra.sh" stop-postgres "$DIR/postgres" 2>/dev/null
  local deadline=$((SECONDS + 10)) left
  while :; do
    left=()
    for pid in "${groups[@]}"; do
      kill -0 -- "-$pid" 2>/dev/null && left+=("$pid")
    done
    [ ${#left[@]} -eq 0 ] && break
    if [ $SECONDS -ge $deadline ]; then
      log "killing what did not stop in 10 s (groups ${left[*]})"
      for pid in "${left[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
      break
    fi
    sleep 0.1
  done
  # Anything else that carries this cloud's mark (a child that left its group) goes too.
  local strays=() p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    if grep -qzxF "CLOUD_DIR=$DIR" "$p/environ" 2>/dev/null; then
      strays+=("${p#/proc/}")
    fi
  done
  if [ ${#strays[@]} -gt 0 ]; then
    # This script's own subshells carry the mark too (start's failure path): spare our ancestors.
    local keep=" $$ $BASHPID " q=$$
    while [ "$q" -gt 1 ]; do q=$(ps -o ppid= -p "$q" | tr -d ' '); keep+="$q "; done
    for pid in "${strays[@]}"; do
      [[ "$keep" == *" $pid "* ]] && continue
      [ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$$" ] && continue
      log "killing stray process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-100)"
      kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  rm -f "$RUN"/*.pid "$RUN"/*.up "$RUN/identity.done"
}

stop() { # DIR
  [ $# -eq 1 ] || usage
  layout "$1"
  [ -d "$RUN" ] || { log "nothing started under $DIR"; return 0; }
  local t0=$SECONDS
  stop_cloud
  log "the cloud under $DIR is stopped ($((SECONDS - t0)) s)"
}

# ---------------------------------------------------------------------------------------------------
# One service alone, for fault injection. Its pid file and process group are those start makes, so
# that stop DIR finds whatever runs. stop-service removes the pid file of the service it stopped.
known_service() { # NAME
  [[ " ${SERVICES[*]} " == *" $1 "* ]] || die "unknown service $1 (one of: ${SERVICES[*]})"
}

service_port() { # NAME: the port of NAME's API, none for the RPC services
  case $1 in
    keystone) echo "$KEYSTONE_PORT" ;;
    nova-api) echo "$NOVA_PORT" ;;
    glance) echo "$GLANCE_PORT" ;;
    placement) echo "$PLACEMENT_PORT" ;;
    neutron) echo "$NEUTRON_PORT" ;;
    *) echo "" ;;
  esac
}

stop_group() { # NAME: SIGTERM NAME's process group, SIGKILL after 10 s; returns once the group is gone
  local pid deadline killed=""
  pid=$(pid_of "$1")
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then
      [ -z "$killed" ] || die "$1 (process group $pid) is still there 5 s after SIGKILL"
      log "killing $1 (process group $pid): not stopped in 10 s"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      killed=yes deadline=$((SECONDS + 5))
    fi
    nap 0.1
  done
  rm -f "$RUN/$1.pid"
}

stop_service() { # DIR NAME
  [ $# -eq 2 ] || usage
  layout "$1"
  known_service "$2"
  [ -n "$BASE" ] && [ -d "$RUN" ] || die "no cloud was started under $DIR"
  local name=$2 port t0=$EPOCHREALTIME deadline
  port=$(service_port "$name")
  if alive "$name"; then
    stop_group "$name"
  else
    log "$name does not run under $DIR"
    rm -f "$RUN/$name.pid"
  fi
  if [ -n "$port" ]; then
    deadline=$((SECONDS + 10))
    while listening "$port"; do
      [ $SECONDS -lt $deadline ] || die "port $port of $name is still open with $name gone (another process's?)"
      nap 0.1
    done
  fi
  log "$name under $DIR stopped${port:+, port $port closed} ($(since "$t0") s)"
}

START_SERVICE="" # the service start-service launched and has not seen ready (stopped if start-service fails)
start_service() { # DIR NAME
  [ $# -eq 2 ] || usage
  layout "$1"
  known_service "$2"
  local name=$2 port t0=$EPOCHREALTIME
  [ -n "$BASE" ] && [ -f "$DIR/openstack.env" ] || die "no cloud was started under $DIR"
  [ "$(id -u)" = 0 ] || die "start-service runs as root"
  alive rabbitmq && listening "$PG_PORT" || die "the cloud under $DIR is stopped (start it with start DIR BASEPORT)"
  [ ! -f "$RUN/api-workers" ] || read -r API_WORKERS <"$RUN/api-workers"
  cloud_env
  if alive "$name"; then
    log "$name already runs under $DIR"
  else
    port=$(service_port "$name")
    if [ -n "$port" ] && listening "$port"; then die "port $port of $name is taken by another process"; fi
    START_SERVICE=$name
    trap 'if [ -n "$START_SERVICE" ]; then log "start-service failed; stopping $START_SERVICE (see $LOG/$START_SERVICE.log)"; stop_group "$START_SERVICE" || true; fi' EXIT
    "launch_${name//-/_}"
  fi
  "ready_${name//-/_}"
  START_SERVICE=""
  log "$name under $DIR ready ($(since "$t0") s)"
}

case "${1:-}" in
  install) install ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  status) shift; status "$@" ;;
  stop-service) shift; stop_service "$@" ;;
  start-service) shift; start_service "$@" ;;
  *) usage ;;
esac
