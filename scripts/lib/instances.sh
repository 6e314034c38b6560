# Sourced by scripts/up, scripts/down, scripts/chaos and scripts/notifier-check: where each instance
# of each service lives. Instance i (1-based) of SERVICE (ingress, settlement-worker, notifier) is
# named SERVICE for i = 1 and SERVICE-i after (DESIGN.md "local run layout"), listens on the
# service's base port + REPLICA_PORT_STEP * (i - 1) (ingress 8080, 8180, 8280, ...; worker 8081,
# 8181, ...; notifier 8082, 8182, ...), has its pid in .local/run/<name>.pid and its log in
# .local/logs/<name>.log, and its Kafka clients' ids end in "-i" (nothing for i = 1).
# Environment (defaults): INGRESS_PORT (8080), WORKER_PORT (8081), NOTIFIER_PORT (8082): the base
# ports, e.g. 28080/28081/28082 for a second stack on the same machine; REPLICAS (1, 1..REPLICAS_MAX).
# Needs ROOT (the repository root).

REPLICAS_MAX=9
REPLICA_PORT_STEP=100
SERVICES=(ingress settlement-worker notifier)
INGRESS_PORT="${INGRESS_PORT:-8080}"
WORKER_PORT="${WORKER_PORT:-8081}"
NOTIFIER_PORT="${NOTIFIER_PORT:-8082}"
RUN="$ROOT/.local/run"
LOGS="$ROOT/.local/logs"

# replicas_valid N: is N a replica count scripts/up accepts?
replicas_valid() {
  [[ "$1" =~ ^[1-9][0-9]*$ ]] && [ "$1" -le "$REPLICAS_MAX" ]
}

# base_port SERVICE
base_port() {
  case "$1" in
    ingress) echo "$INGRESS_PORT" ;;
    settlement-worker) echo "$WORKER_PORT" ;;
    notifier) echo "$NOTIFIER_PORT" ;;
    *) echo "base_port: unknown service $1" >&2; return 1 ;;
  esac
}

# instance_name SERVICE I: ingress, ingress-2, ...
instance_name() {
  if [ "$2" -eq 1 ]; then echo "$1"; else echo "$1-$2"; fi
}

# module_of NAME: the service (the Maven module) an instance runs: ingress-2 -> ingress.
module_of() {
  case "$1" in
    ingress|ingress-[0-9]*) echo ingress ;;
    settlement-worker|settlement-worker-[0-9]*) echo settlement-worker ;;
    notifier|notifier-[0-9]*) echo notifier ;;
    *) echo "module_of: not an instance name: $1" >&2; return 1 ;;
  esac
}

# index_of NAME: ingress -> 1, ingress-2 -> 2.
index_of() {
  local module
  module="$(module_of "$1")" || return 1
  if [ "$1" = "$module" ]; then echo 1; else echo "${1#"$module"-}"; fi
}

# instance_port NAME
instance_port() {
  local module index base
  module="$(module_of "$1")" || return 1
  index="$(index_of "$1")"
  base="$(base_port "$module")"
  echo $((base + REPLICA_PORT_STEP * (index - 1)))
}

# client_id_suffix NAME: what the instance appends to its Kafka client ids ("" for instance 1, "-i" after).
client_id_suffix() {
  local index
  index="$(index_of "$1")" || return 1
  if [ "$index" -eq 1 ]; then echo ""; else echo "-$index"; fi
}

jar_of() { echo "$ROOT/$(module_of "$1")/target/quarkus-app/quarkus-run.jar"; }

proc_args() {
  if [ -r "/proc/$1/cmdline" ]; then tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
  else ps -ww -p "$1" -o args= 2>/dev/null || true; fi
}

# our_pid NAME: prints the instance's pid when its pid file names a live process running its jar.
our_pid() {
  local pidfile="$RUN/$1.pid" pid
  [ -s "$pidfile" ] || return 1
  pid="$(tr -dc '0-9' <"$pidfile")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  case "$(proc_args "$pid")" in *"$(jar_of "$1")"*) echo "$pid" ;; *) return 1 ;; esac
}

# recorded_instances SERVICE: every instance of SERVICE with a pid file, instance 1 first, whatever
# replica count started it.
recorded_instances() {
  local f name
  [ -e "$RUN/$1.pid" ] && echo "$1"
  for f in "$RUN/$1"-*.pid; do
    [ -e "$f" ] || continue
    name="$(basename "$f" .pid)"
    [[ "${name#"$1"-}" =~ ^[0-9]+$ ]] && echo "$name"
  done | sort -V
}

# instance_names SERVICE N: the names of instances 1..N.
instance_names() {
  local i
  for ((i = 1; i <= $2; i++)); do instance_name "$1" "$i"; done
}

# ingress_urls N HOST: the base URLs of ingress instances 1..N, comma-separated (what loadgen's --ingress takes).
ingress_urls() {
  local i urls=()
  for ((i = 1; i <= $1; i++)); do urls+=("http://$2:$(instance_port "$(instance_name ingress "$i")")"); done
  local IFS=,
  echo "${urls[*]}"
}
