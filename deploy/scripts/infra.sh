#!/usr/bin/env bash
# Real RabbitMQ, PostgreSQL and Postfix as plain background processes under a folder of ours: no systemd,
# no Docker. Used by the test command, by the fault tests (which restart the broker) and by the
# distributed run.
#
#   infra.sh install                    install rabbitmq-server and postgresql when absent (Debian)
#   infra.sh start-rabbitmq DIR PORT    start a RabbitMQ node in DIR on PORT (management and distribution
#                                       ports follow it, see below)
#   infra.sh stop-rabbitmq DIR          stop it
#   infra.sh start-postgres DIR PORT    make a throwaway cluster in DIR and start it on PORT
#   infra.sh stop-postgres DIR          stop it
#   infra.sh start-postfix DIR PORT     start a Postfix instance in DIR taking SMTP on 127.0.0.1:PORT, which delivers every
#                                       message for @aes.test into one Maildir, DIR/mail/aes.test/all (tests read it)
#   infra.sh stop-postfix DIR           stop it
#   infra.sh free-port                  print a free AMQP port on 127.0.0.1 whose followers are free too
#   infra.sh management-port PORT       print the management port of the node on AMQP port PORT
set -euo pipefail

RABBIT_BIN=/usr/lib/rabbitmq/bin
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

log() { echo "[infra] $*" >&2; }

# Every port lies below the kernel's ephemeral range (32768+): a port in that range can be taken
# by any outgoing connection, and a node restarted on it then fails with eaddrinuse. AMQP ports are
# 20000-22999, management +3000, Erlang distribution +6000 (up to 28999). 29000-32767 is left to
# the tests' restartable ports (Infra.FreeRestartablePort) and 13100-18004 to the embedded runs.
management_port() { echo $(($1 + 3000)); }
distribution_port() { echo $(($1 + 6000)); }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 3000))
    if ! listening "$port" && ! listening "$(management_port "$port")" && ! listening "$(distribution_port "$port")"; then
      echo "$port"; return 0
    fi
  done
  log "no free port found"; return 1
}

install() {
  local missing=()
  [ -x "$RABBIT_BIN/rabbitmq-server" ] || missing+=(rabbitmq-server)
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  # deploy/scripts/token.sh (the README's way to a token from a shell) and its test need these.
  command -v curl >/dev/null || missing+=(curl)
  command -v jq >/dev/null || missing+=(jq)
  command -v openssl >/dev/null || missing+=(openssl)
  # The portal's browser tests drive Debian's chromium through Playwright (nothing is downloaded).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # The OpenAPI document's linter (tests/openapi-lint) runs on Node.js.
  command -v npm >/dev/null || missing+=(nodejs npm)
  # Notifications' mail tests deliver through a real Postfix.
  [ -x /usr/sbin/postfix ] || missing+=(postfix)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

rabbit_env() { # DIR PORT
  local dir=$1 port=$2
  export HOME=$dir RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log RABBITMQ_PID_FILE=$dir/rabbit.pid
  export RABBITMQ_NODENAME="rabbit-$port@localhost" RABBITMQ_NODE_PORT=$port RABBITMQ_CONFIG_FILE=$dir/rabbitmq
  export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins RABBITMQ_DIST_PORT=$(distribution_port "$port")
}

start_rabbitmq() { # DIR PORT
  local dir=$1 port=$2 management
  management=$(management_port "$port")
  mkdir -p "$dir/mnesia" "$dir/log"
  echo "$port" > "$dir/port"
  cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$port
management.tcp.port = $management
management.tcp.ip = 127.0.0.1
loopback_users = none
CONF
  echo "[rabbitmq_management]." > "$dir/enabled_plugins"
  rm -f "$dir/rabbit.pid"
  ( rabbit_env "$dir" "$port"; "$RABBIT_BIN/rabbitmq-server" -detached >/dev/null 2>&1 )
  # Under the full suite on two cores a second node can take over a minute to boot; a node that
  # died on the way fails at once, with the reason from its log.
  local deadline=$((SECONDS + 180)) started=""
  until listening "$port" && listening "$management"; do
    if [ -f "$dir/rabbit.pid" ] && ! kill -0 "$(cat "$dir/rabbit.pid")" 2>/dev/null; then
      log "RabbitMQ on $port died while starting: $(grep -h -m 3 -E 'reason|Slogan' "$dir"/log/*.log "$dir"/log/erl_crash.dump 2>/dev/null | tr '\n' ' ')"
      return 1
    fi
    [ $SECONDS -lt $deadline ] || { log "RabbitMQ ports $port and $management did not open in 180 s"; return 1; }
    sleep 0.2
  done
  log "RabbitMQ on 127.0.0.1:$port (management $management)"
}

stop_rabbitmq() { # DIR
  local dir=$1
  [ -f "$dir/port" ] || return 0
  local port; port=$(cat "$dir/port")
  if [ -f "$dir/rabbit.pid" ]; then
    local pid; pid=$(cat "$dir/rabbit.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # Wait until the port is really free, so that a restart on the same port succeeds.
  local closed=""
  for _ in $(seq 1 100); do
    if ! listening "$port"; then closed=yes; break; fi
    sleep 0.1
  done
  [ -n "$closed" ] || { log "RabbitMQ on $port still listens after 10 s"; return 1; }
  # The node started epmd; it exits only when no other node is registered with it.
  epmd -kill >/dev/null 2>&1 || true
  log "RabbitMQ on $port stopped"
}

start_postgres() { # DIR PORT
  local dir=$1 port=$2
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" --auth=trust --no-sync -U postgres >/dev/null
  fi
  echo "$port" > "$dir/port"
  # Tests trade durability for speed; AES_PG_DURABLE=1 (benchmarks) keeps PostgreSQL's defaults.
  # AES_PG_OPTIONS adds server options (e.g. "-c shared_preload_libraries=pg_stat_statements").
  local speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${AES_PG_DURABLE:-0}" = "1" ] && speed=""
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 $speed ${AES_PG_OPTIONS:-}" \
    start >/dev/null
  log "PostgreSQL on 127.0.0.1:$port${speed:+ (fsync off)}"
}

stop_postgres() { # DIR
  local dir=$1
  [ -f "$dir/data/PG_VERSION" ] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || true
  log "PostgreSQL in $dir stopped"
}

# A private Postfix: its own main.cf and master.cf (smtpd on PORT, no chroot), its queue and Maildir under DIR. Postfix
# takes -c DIR only when the default instance lists DIR in alternate_config_directories. Without syslog it says nothing
# when it fails to start in the background: it runs in the foreground of a process of its own, logging to DIR/postfix.log.
start_postfix() { # DIR PORT
  local dir=$1 port=$2
  dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")
  mkdir -p "$dir/queue" "$dir/data" "$dir/mail"
  chown postfix:postfix "$dir/data" "$dir/mail"
  local uid gid
  uid=$(id -u postfix) gid=$(id -g postfix)
  cat > "$dir/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = smtp.aes.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
maillog_file = /dev/stdout
virtual_mailbox_domains = aes.test
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = static:aes.test/all/
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
CONF
  sed -E "s/^smtp( +)inet( +)n( +)-( +)y/$port inet n - n/" /etc/postfix/master.cf > "$dir/master.cf"
  local alternates
  alternates=$(postconf -h alternate_config_directories)
  case " ${alternates//,/ } " in
    *" $dir "*) ;;
    *) postconf -e "alternate_config_directories = ${alternates:+$alternates, }$dir" ;;
  esac
  postfix -c "$dir" post-install create-missing >/dev/null 2>&1 || true
  setsid postfix -c "$dir" start-fg > "$dir/postfix.log" 2>&1 < /dev/null &
  for _ in $(seq 1 50); do
    listening "$port" && { log "Postfix on 127.0.0.1:$port, mail in $dir/mail/aes.test/all"; return 0; }
    sleep 0.2
  done
  log "Postfix did not start on $port:"; tail -n 20 "$dir/postfix.log" >&2 || true; return 1
}

stop_postfix() { # DIR
  local dir=$1
  [ -f "$dir/main.cf" ] || return 0
  postfix -c "$dir" stop >/dev/null 2>&1 || true
  log "Postfix in $dir stopped"
}

case "${1:-}" in
  install) install ;;
  start-rabbitmq) start_rabbitmq "$2" "$3" ;;
  stop-rabbitmq) stop_rabbitmq "$2" ;;
  start-postgres) start_postgres "$2" "$3" ;;
  stop-postgres) stop_postgres "$2" ;;
  start-postfix) start_postfix "$2" "$3" ;;
  stop-postfix) stop_postfix "$2" ;;
  free-port) free_port ;;
  management-port) management_port "$2" ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
