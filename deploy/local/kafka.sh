# shellcheck shell=bash
# Kafka: two independent KRaft clusters (primary, backup) run from Maven Central jars on Java 17, each one node by
# default; CRM_KAFKA_PRIMARY_BROKERS=3 makes the primary three (see kafka_count). Sourced by infra.sh and
# kafka-tool.sh after lib.sh.

KAFKA_LIB="$S/kafka/lib"
KAFKA_POM="$CRM_KAFKA_DEPLOY_DIR/pom.xml"
KAFKA_LOG4J="$CRM_KAFKA_DEPLOY_DIR/log4j2.yaml"
KAFKA_RESOLVE_LOG="$S/logs/kafka-resolve.log"
KAFKA_CDS="$KAFKA_LIB/broker.jsa" # see kafka_cds_opts
# Two brokers share 2 cores with Postgres, Redis and six Node services: small heaps, G1 with short pauses. A
# three-broker primary gets smaller ones each (see kafka_heap_opts) unless CRM_KAFKA_HEAP_OPTS says otherwise.
CRM_KAFKA_HEAP_OPTS_SET=${CRM_KAFKA_HEAP_OPTS:+1}
# A single broker's heap is committed and touched at start (-Xms = -Xmx, as Kafka's operations guide advises): its
# resident memory is then what it will be under load, instead of growing by tens of MiB as G1 expands the heap (the
# soak run's memory check, docs/reliability.md).
CRM_KAFKA_HEAP_OPTS=${CRM_KAFKA_HEAP_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch}
KAFKA_MAX_BROKERS=5

kafka_cluster() { printf '%s\n' "${1#kafka-}"; } # kafka-primary -> primary

# How many brokers a cluster has. The backup: one. The primary: what its log dirs were formatted for; before that,
# CRM_KAFKA_PRIMARY_BROKERS when it is a number (3: a cluster that survives losing a broker, replication factor 3 and
# min.insync.replicas 2, see kafka_write_config), else 1. The count is fixed at the first start (the quorum's voters
# are in the formatted log dirs), so later starts, stops and the supervisor's restarts need no variable, and the
# broker list infra.env exports under the same name is never taken for a count.
kafka_count() {
  local want=${CRM_KAFKA_PRIMARY_BROKERS:-} have
  if [[ $1 != primary ]]; then
    echo 1
    return 0
  fi
  have=$(kafka_formatted_count "$1")
  if [[ -n $have ]]; then
    printf '%s\n' "$have"
  elif [[ $want =~ ^[0-9]+$ ]]; then
    printf '%s\n' "$((10#$want))"
  else
    echo 1
  fi
}

# Refuses, before anything starts, a broker count out of range or other than the one the cluster was formatted for.
kafka_count_ok() {
  local want=${CRM_KAFKA_PRIMARY_BROKERS:-} have
  [[ $want =~ ^[0-9]+$ ]] || return 0
  want=$((10#$want))
  if ((want < 1 || want > KAFKA_MAX_BROKERS)); then
    err "CRM_KAFKA_PRIMARY_BROKERS=$want: the primary cluster has 1 to $KAFKA_MAX_BROKERS brokers (3 survives losing one)"
    return 1
  fi
  have=$(kafka_formatted_count primary)
  if [[ -n $have && $have != "$want" ]]; then
    err "CRM_KAFKA_PRIMARY_BROKERS=$want, but kafka-primary in $(kafka_dir primary) was formatted for $have broker(s); unset it to keep $have, or stop the cluster and delete that directory (its topics with it) to start over"
    return 1
  fi
}

# The broker count a cluster's log dirs were formatted for: "" while unformatted, 1 for one formatted before the
# count was recorded.
kafka_formatted_count() {
  local dir
  dir=$(kafka_dir "$1")
  if [[ -s $dir/brokers ]]; then
    tr -dc '0-9' <"$dir/brokers"
    echo
  elif [[ -r $dir/data/meta.properties ]]; then
    echo 1
  fi
}

kafka_brokers() { seq 1 "$(kafka_count "$1")"; } # the broker (node) ids, 1..n

kafka_heap_opts() {
  if [[ -z $CRM_KAFKA_HEAP_OPTS_SET ]] && (($(kafka_count "$1") > 1)); then
    printf '%s\n' '-Xms128m -Xmx384m'
  else
    printf '%s\n' "$CRM_KAFKA_HEAP_OPTS"
  fi
}

# Broker i (node id i, default 1) listens on the cluster's port + 2(i-1) and its controller on the next port
# (9092/9093, then 9094/9095, 9096/9097), so one override moves them all.
kafka_port() {
  local base
  case $1 in
    primary) base=$CRM_KAFKA_PRIMARY_PORT ;;
    backup) base=$CRM_KAFKA_BACKUP_PORT ;;
    *) return 1 ;;
  esac
  printf '%s\n' "$((base + 2 * (${2:-1} - 1)))"
}

kafka_controller_port() { printf '%s\n' "$(($(kafka_port "$1" "${2:-1}") + 1))"; }

kafka_port_var() { printf 'CRM_KAFKA_%s_PORT\n' "${1^^}"; }

# Broker 1 keeps a single broker's paths; broker i > 1 lives in <cluster dir>/broker-<i>, with pidfile
# run/kafka-<cluster>-<i>.pid and log logs/kafka-<cluster>-<i>.log (the platform's supervisor watches those too).
kafka_dir() { printf '%s\n' "$S/kafka/$1"; }
kafka_suffix() { if ((${1:-1} > 1)); then printf -- '-%s' "$1"; fi; }
kafka_broker_dir() { if ((${2:-1} > 1)); then printf '%s\n' "$S/kafka/$1/broker-$2"; else kafka_dir "$1"; fi; }
kafka_pidfile() { printf '%s\n' "$S/run/kafka-$1$(kafka_suffix "${2:-1}").pid"; }
kafka_log() { printf '%s\n' "$S/logs/kafka-$1$(kafka_suffix "${2:-1}").log"; }
# Every broker, comma-separated: what clients bootstrap from (infra.env's CRM_KAFKA_PRIMARY_BROKERS).
kafka_addr() {
  local i addrs=()
  for i in $(kafka_brokers "$1"); do addrs+=("127.0.0.1:$(kafka_port "$1" "$i")"); done
  (IFS=, && printf '%s\n' "${addrs[*]}")
}

# Both clusters authenticate every client (SASL/SCRAM-SHA-512 over loopback) and authorise it by ACLs
# (docs/security.md#kafka): `admin` is the super user (the broker itself, these scripts, tests and operator tools),
# each service is a principal of its own, `mirror` is MirrorMaker's, `analyst` the analysts'. Their passwords are
# generated here at first start into <state>/secrets/kafka-<principal>.password (one password per principal, the
# same on both clusters); what each may do on each cluster is tools/kafka-access.ts's (applied after every start).
# The backup cluster, which holds the mirrored history, knows only the principals that need it.
KAFKA_PRINCIPALS=(admin identity contacts consent audit backup gateway mirror analyst)
KAFKA_BACKUP_PRINCIPALS=(admin mirror backup audit)
kafka_secured() { [[ $1 == primary || $1 == backup ]]; }
kafka_principals() { if [[ $1 == backup ]]; then printf '%s\n' "${KAFKA_BACKUP_PRINCIPALS[@]}"; else printf '%s\n' "${KAFKA_PRINCIPALS[@]}"; fi; }
kafka_password_file() { printf '%s\n' "$S/secrets/kafka-$1.password"; }
kafka_password() { cat "$(kafka_password_file "$1")"; }
# Every principal's password, and the readiness probe's: `probe` is a PLAIN user of the broker listener only (see
# kafka_probe), with no ACLs, so it may see cluster metadata and nothing else.
kafka_ensure_credentials() {
  local p
  for p in "${KAFKA_PRINCIPALS[@]}" probe; do ensure_secret "$(kafka_password_file "$p")"; done
  # Client settings for Kafka's own tools (--command-config, --consumer.config), for operators and analysts.
  for p in admin analyst; do
    (umask 077 && printf '%s\n' 'security.protocol=SASL_PLAINTEXT' 'sasl.mechanism=SCRAM-SHA-512' \
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$p\" password=\"$(kafka_password "$p")\";" \
      >"$S/secrets/kafka-$p.properties")
  done
}

# A jar directory is ready when it holds its marker jar and the stamp of the pom it was resolved from.
jars_ready() { # pom lib marker-glob
  [[ -r $2/.pom.sha256 ]] && compgen -G "$2/$3" >/dev/null &&
    [[ $(<"$2/.pom.sha256") == "$(sha256sum "$1" | cut -d' ' -f1)" ]]
}

kafka_lib_ready() { jars_ready "$KAFKA_POM" "$KAFKA_LIB" 'kafka_2.13-*.jar'; }

kafka_ensure_lib() { ensure_jars "$KAFKA_POM" "$KAFKA_LIB" 'kafka_2.13-*.jar' "$KAFKA_RESOLVE_LOG"; }

# Copies the pom's runtime closure into the lib directory unless its stamp says this pom was already resolved.
# Resolves into a fresh directory and swaps it in, so a failed or interrupted download never leaves a half classpath.
ensure_jars() { # pom lib marker-glob log
  jars_ready "$1" "$2" "$3" && return 0
  mkdir -p "$S/kafka" "$S/logs"
  # Serialises with a concurrent kafka-tool.sh or infra.sh doing the same; the loser finds the stamp fresh.
  (
    flock 7
    jars_ready "$1" "$2" "$3" && exit 0
    resolve_jars "$1" "$2" "$4"
  ) 7>"$2.lock"
}

resolve_jars() { # pom lib log
  local pom=$1 lib=$2 log=$3 tmp line
  command -v mvn >/dev/null 2>&1 || { err "Maven (mvn) is needed once to fetch the Kafka jars; install it (apt-get install maven)"; return 1; }
  tmp=$(mktemp -d "$lib.new.XXXXXX")
  note "resolving the jars of ${pom#"$CRM_REPO_ROOT"/} with Maven (once per change of that pom; log: $log)"
  if ! mvn -B -U -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$log" 2>&1; then
    rm -rf "$tmp"
    err "Maven could not resolve the jars of $pom; check network access to Maven Central (or your ~/.m2/settings.xml mirror) and $log"
    # Maven's first [ERROR] line names the artifact and the repository (or the local-repository problem); the
    # rest is boilerplate. Maven 3.8 prefixes lines with colour resets even in batch mode, hence the sed.
    line=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -m1 -E '^\[ERROR\] [^ ]' || true)
    if [[ -n $line ]]; then printf '    %s\n' "$line" >&2; else log_tail "$log" 5; fi
    return 1
  fi
  sha256sum "$pom" | cut -d' ' -f1 >"$tmp/.pom.sha256"
  rm -rf "$lib"
  mv "$tmp" "$lib"
}

kafka_require_java() {
  local java major
  java=$(java_bin)
  if [[ -n ${JAVA_HOME:-} && -z $java ]]; then
    err "JAVA_HOME=$JAVA_HOME has no bin/java; point it at a Java 17+ installation or unset it"
    return 1
  fi
  if [[ -z $java ]]; then
    err "java not found; Kafka 4 needs Java 17+ (apt-get install openjdk-17-jre-headless, or set JAVA_HOME)"
    return 1
  fi
  major=$(java_major "$java")
  if [[ -z $major ]] || ((major < 17)); then
    err "$java is Java ${major:-of unknown version}; Kafka 4 needs Java 17+ (apt-get install openjdk-17-jre-headless, or set JAVA_HOME)"
    return 1
  fi
}

# Tools log WARN+ to stderr so their stdout (console consumer output, perf numbers) stays parseable. They also
# map the brokers' class archive (see kafka_cds_opts) when there is one: it halves a tool's start-up CPU.
kafka_tool_jvm_opts() {
  printf '%s\n' "-Dlog4j2.configurationFile=$KAFKA_LOG4J" -Dcrm.kafka.log.appender=Stderr -Dcrm.kafka.log.level=WARN
  if [[ -s $KAFKA_CDS ]]; then printf '%s\n' '-Xlog:cds*=error' "-XX:SharedArchiveFile=$KAFKA_CDS"; fi
}

# For the internal StorageTool run on first start: C1-only JIT and a serial GC start a JVM in about half the CPU
# time, which matters beside two booting brokers on 2 cores. `timeout` bounds a hung tool.
kafka_run_quick_tool() {
  local secs=$1 opts
  shift
  mapfile -t opts < <(kafka_tool_jvm_opts)
  timeout "$secs" "$(java_bin)" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx128m "${opts[@]}" \
    -cp "$KAFKA_LIB/*" "$@"
}

# Class-data sharing: an archive of the classes a broker loads cuts its start by about a third (measured: 5s ->
# 3.3s for one broker alone on 2 cores). Java 17 has no -XX:+AutoCreateSharedArchive (that is 19+), so the
# primary broker records the archive when it exits (-XX:ArchiveClassesAtExit, once) and kafka_stop promotes it;
# both clusters then map it read-only. It lives in lib/, so new jars drop it; a JVM update makes the JVM ignore
# it (with -Xshare:auto, the default, a mismatched archive is never an error).
#
# Prints the flags, one a line. Archiving logs ~100 harmless warnings (classes it skips), hence cds*=error.
kafka_cds_opts() { # cluster broker
  printf '%s\n' '-Xlog:cds*=error'
  if [[ -s $KAFKA_CDS ]]; then
    printf '%s\n' "-XX:SharedArchiveFile=$KAFKA_CDS"
  elif [[ $1 == primary && ${2:-1} == 1 ]]; then
    printf '%s\n' "-XX:ArchiveClassesAtExit=$KAFKA_CDS.new"
  fi
}

kafka_pid() { read_pidfile "$(kafka_pidfile "$1" "${2:-1}")"; }

# The server.properties path is unique per state dir, cluster and broker, so it identifies our broker in /proc.
kafka_broker_alive() { pid_matches "$(kafka_pid "$1" "$2")" "$(kafka_broker_dir "$1" "$2")/server.properties"; }

# Any broker of the cluster is running (what `stop` has to deal with).
kafka_ours_alive() {
  local i
  for i in $(kafka_brokers "$1"); do
    if kafka_broker_alive "$1" "$i"; then return 0; fi
  done
  return 1
}

kafka_broker_is_up() { kafka_broker_alive "$1" "$2" && port_owned_by "$(kafka_port "$1" "$2")" "$(kafka_pid "$1" "$2")" && kafka_probe "$1" "$2"; }

# Every broker of the cluster is up.
kafka_is_up() {
  local c i
  c=$(kafka_cluster "$1")
  for i in $(kafka_brokers "$c"); do
    if ! kafka_broker_is_up "$c" "$i"; then return 1; fi
  done
}

# Rewritten on every start so port overrides apply. The quorum is static (controller.quorum.voters), which
# needs no --standalone bootstrap at format time: every broker is also a controller (combined mode), so three
# brokers are three voters and the quorum survives losing one.
kafka_write_config() {
  local c=$1 i=$2 dir port cport n rf isr voters=() v
  dir=$(kafka_broker_dir "$c" "$i")
  port=$(kafka_port "$c" "$i")
  cport=$(kafka_controller_port "$c" "$i")
  n=$(kafka_count "$c")
  for v in $(kafka_brokers "$c"); do voters+=("$v@127.0.0.1:$(kafka_controller_port "$c" "$v")"); done
  # One node: one replica of everything. Three: every partition (internal topics too) on all three, and a write
  # acknowledged (acks=all) only once two have it, so losing any one broker loses no acknowledged record.
  rf=$((n < 3 ? n : 3))
  isr=$((n < 3 ? 1 : 2))
  # The secured cluster's file holds the admin and probe passwords: readable by its owner only.
  (umask 077 && cat >"$dir/server.properties.tmp") <<EOF
# Generated by deploy/local/kafka.sh on every start ($c cluster, broker $i of $n); edit the script, not this file.
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$(IFS=, && printf '%s' "${voters[*]}")
controller.listener.names=CONTROLLER
log.dirs=$dir/data
$(kafka_listener_config "$c" "$port" "$cport")

# Topics are created explicitly by the platform (with their retention and partitioning); a typo in a topic
# name must fail, not silently create a new topic. Their replication factor is the broker's default (-1).
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
# Tests start consumers and expect assignments at once; the default 3s delay only helps large groups.
group.initial.rebalance.delay.ms=0

# 2 cores for everything: fewer threads than the defaults (3 network, 8 I/O).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
  chmod 600 "$dir/server.properties.tmp" && mv "$dir/server.properties.tmp" "$dir/server.properties"
}

# Listeners. Both clusters: SASL on both listeners and the StandardAuthorizer, denying whatever no ACL allows
# (kafka_secured; the plaintext branch is for a cluster that is not). Clients use SCRAM-SHA-512 (or -256), whose
# credentials live in the cluster metadata; the broker authenticates to itself as admin. The controller listener
# uses PLAIN with a static admin entry (SCRAM cannot serve it: the controller needs it before it has read the
# metadata). PLAIN on the client listener knows only the probe user, which has no ACLs (kafka_probe speaks SASL/PLAIN
# from bash; SCRAM would need HMACs there).
kafka_listener_config() {
  local c=$1 port=$2 cport=$3 admin probe scram plain migrating=""
  if ! kafka_secured "$c"; then
    cat <<EOF
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
EOF
    return 0
  fi
  admin=$(kafka_password admin)
  probe=$(kafka_password probe)
  scram="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$admin\";"
  plain="org.apache.kafka.common.security.plain.PlainLoginModule required"
  if [[ -r $(kafka_dir "$c")/data/meta.properties ]] && ! kafka_admin_has_scram "$c"; then migrating=" user_admin=\"$admin\""; fi
  cat <<EOF
listeners=SASL_PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$scram
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=$scram
listener.name.sasl_plaintext.plain.sasl.jaas.config=$plain user_probe="$probe"$migrating;
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=$plain username="admin" password="$admin" user_admin="$admin";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin
EOF
}

# Formats the log dir once, with a cluster id of our own making (same format as Kafka's Uuid: 16 random bytes,
# url-safe base64 without padding; Kafka never issues ids starting with '-', so neither do we).
# Every broker of a cluster is formatted with the same id (and the same bootstrap metadata); the id is kept in the
# cluster's directory.
kafka_format_once() {
  local c=$1 i=$2 dir bdir id log p
  local -a principals
  mapfile -t principals < <(kafka_principals "$c")
  dir=$(kafka_dir "$c")
  bdir=$(kafka_broker_dir "$c" "$i")
  log=$(kafka_log "$c" "$i")
  if [[ -r $bdir/data/meta.properties ]]; then
    # The probe compares against cluster.id; recover it if only the formatted log dir survived.
    [[ -s $dir/cluster.id ]] || sed -n 's/^cluster\.id=//p' "$bdir/data/meta.properties" >"$dir/cluster.id"
    return 0
  fi
  if [[ ! -s $dir/cluster.id ]]; then
    id=-
    while [[ $id == -* ]]; do id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); done
    printf '%s\n' "$id" >"$dir/cluster.id"
  fi
  id=$(<"$dir/cluster.id")
  mkdir -p "$bdir/data"
  # The secured cluster's SCRAM credentials are written into its first metadata (no broker round trip needed).
  local -a scram=()
  if kafka_secured "$c"; then
    for p in "${principals[@]}"; do scram+=(--add-scram "SCRAM-SHA-512=[name=$p,password=$(kafka_password "$p")]"); done
  fi
  if ! kafka_run_quick_tool 60 kafka.tools.StorageTool format --ignore-formatted -t "$id" \
      -c "$bdir/server.properties" "${scram[@]}" >>"$log" 2>&1; then
    err "formatting the kafka-$c log dir (broker $i) failed; see $log"
    log_tail "$log"
    return 1
  fi
  if kafka_secured "$c"; then printf '%s\n' "${principals[@]}" >"$dir/scram-users"; fi
}

# Each principal's SCRAM credential and what each may do: tools/kafka-access.ts, applied as admin after every
# start of either cluster (idempotent; Kafka keeps both in the cluster metadata; CRM_KAFKA_CLUSTER picks the
# grants). Node runs the platform anyway (tools/crm.sh bootstraps it). A cluster formatted before it was secured has no SCRAM users (no scram-users file):
# that once, admin may sign in with PLAIN too (see kafka_listener_config) and the script adds them all.
kafka_admin_has_scram() { grep -qx admin "$(kafka_dir "$1")/scram-users" 2>/dev/null; }

kafka_apply_access() {
  local c=$1 log mechanism=SCRAM-SHA-512
  local -a principals
  mapfile -t principals < <(kafka_principals "$c")
  log=$(kafka_log "$c")
  kafka_admin_has_scram "$c" || mechanism=PLAIN
  command -v node >/dev/null 2>&1 || { err "node (22.6+) is needed to apply the Kafka ACLs; npm start bootstraps it"; return 1; }
  # After a restart of one broker of several, the credentials and ACLs are already in the cluster's metadata; applying
  # them again is harmless.
  if ! CRM_STATE_DIR=$S CRM_KAFKA_CLUSTER=$c CRM_KAFKA_ADMIN_MECHANISM=$mechanism timeout 120 node "$CRM_REPO_ROOT/tools/kafka-access.ts" \
      "$(kafka_addr "$c")" "${principals[@]}" >>"$log" 2>&1; then
    err "kafka-$c: applying credentials and ACLs (tools/kafka-access.ts) failed; see $log"
    log_tail "$log" 8
    return 1
  fi
  printf '%s\n' "${principals[@]}" >"$(kafka_dir "$c")/scram-users"
}

# Readiness is a real Metadata request, spoken directly over /dev/tcp: a probe JVM costs ~1s of CPU, and up to 7s
# of wall time when the brokers boot next to a busy test run on 2 cores. The answer must list broker 1 on our
# port (only unfenced brokers are listed, and a fenced one would refuse to host new partitions, so `start`
# returning means topics can be created at once) and carry the cluster id we formatted the log dir with (so an
# impostor on the port is not mistaken for ours).
#
# Wire format (kafka.apache.org/protocol): Metadata v8, the newest non-flexible version, in request header v1:
#   int32 size=26 | int16 api_key=3 | int16 api_version=8 | int32 correlation_id=1 | string client_id "crm-probe"
#   | topics: int32 count=0 (an empty array means "no topics", null would mean all)
#   | bool allow_auto_topic_creation | bool include_cluster_authorized_operations | bool include_topic_...
# The response (header v0) starts: int32 correlation_id | int32 throttle_time_ms
#   | brokers: int32 count, each { int32 node_id | string host | int32 port | nullable string rack }
#   | nullable string cluster_id | ...
#
# On the secured cluster the Metadata request follows a SASL/PLAIN exchange as the probe user (no ACLs; cluster
# metadata needs none): SaslHandshake v1 (api 17, "PLAIN") and SaslAuthenticate v1 (api 36, bytes
# "\0probe\0<password>"), each answer's error code (the int16 after the correlation id) must be 0.
kafka_probe() { # cluster broker
  local c=$1 i=${2:-1} port hex user="" password=""
  port=$(kafka_port "$c" "$i")
  if kafka_secured "$c"; then
    [[ -r $(kafka_password_file probe) ]] || return 1
    user=probe password=$(kafka_password probe)
  fi
  # head -c reads no more than it is asked for, so the size prefix and the body can be read separately.
  # shellcheck disable=SC2016 # the inner script expands its own arguments
  hex=$(timeout 5 "$BASH" -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    answer() { local size; size=$(head -c 4 <&3 | od -An -tu4 --endian=big | tr -d " "); [[ -n $size ]] && head -c "$size" <&3 | od -An -v -tx1; }
    be32() { local f; f=$(printf "\\\\x%02x" $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255))); printf "$f"; }
    ok() { local -a b; read -r -a b <<<"$(tr "\n" " " <<<"$1")"; [[ ${b[4]:-x}${b[5]:-x} == 0000 ]]; }
    if [[ -n $2 ]]; then
      printf "\x00\x00\x00\x1a\x00\x11\x00\x01\x00\x00\x00\x0b\x00\x09crm-probe\x00\x05PLAIN" >&3
      ok "$(answer)" || exit 1
      token_len=$((1 + ${#2} + 1 + ${#3}))
      { be32 $((2 + 2 + 4 + 11 + 4 + token_len)); printf "\x00\x24\x00\x01\x00\x00\x00\x0c\x00\x09crm-probe"
        be32 "$token_len"; printf "\x00%s\x00%s" "$2" "$3"; } >&3
      ok "$(answer)" || exit 1
    fi
    printf "\x00\x00\x00\x1a\x00\x03\x00\x08\x00\x00\x00\x01\x00\x09crm-probe\x00\x00\x00\x00\x00\x00\x00" >&3
    answer
  ' kafka-probe "$port" "$user" "$password" 2>/dev/null) || return 1
  kafka_metadata_lists_us "$hex" "$port" "$(<"$(kafka_dir "$c")/cluster.id")" "$i"
}

# Walks the hex dump of a Metadata v8 response (see kafka_probe); true when broker $4 (default 1) is listed on $2
# and the cluster id is $3.
kafka_metadata_lists_us() {
  local port=$2 want=$3 me=${4:-1} i=0 n j node bport found=0 len id
  local -a b
  read -r -a b <<<"${1//$'\n'/ }"
  # Reads a big-endian unsigned int of $1 bytes at offset i into R and advances i.
  _rd() { local k v=""; for ((k = 0; k < $1; k++)); do v+=${b[i + k]:-}; done; i=$((i + $1)); R=$((16#${v:-0})); }
  _rd 4; ((R == 1)) || return 1           # correlation id
  _rd 4                                   # throttle time
  _rd 4; n=$R                             # broker count
  for ((j = 0; j < n; j++)); do
    _rd 4; node=$R
    _rd 2; i=$((i + R))                   # host
    _rd 4; bport=$R
    _rd 2; ((R == 65535)) || i=$((i + R)) # rack (-1 = null)
    if ((node == me && bport == port)); then found=1; fi
  done
  ((found)) || return 1
  _rd 2; len=$R
  ((len != 65535 && i + len <= ${#b[@]})) || return 1
  id=$(printf '\\x%s' "${b[@]:i:len}")
  [[ $(printf '%b' "$id") == "$want" ]]
}

# The exception behind a broker's "Exiting Kafka due to fatal exception" (or the JVM's own complaint), as one line.
kafka_crash_reason() {
  local reason
  reason=$(tail -c "+$2" "$1" | grep -m1 -E '^([a-z][a-zA-Z0-9_$]*\.)+[A-Z][a-zA-Z0-9_$]*(Exception|Error)(: |$)|^Error: ' || true)
  [[ -n $reason ]] || reason=$(tail -c "+$2" "$1" | grep -m1 ' ERROR ' | sed 's/^\[[^]]*\] ERROR //' || true)
  printf '%s\n' "${reason:-no error logged}" | cut -c1-300
}

# Starts the brokers of the cluster that are not running, all at once (several brokers need each other: a quorum of
# controllers before any is ready), and waits until every broker of the cluster answers. A broker of several that is
# still running (one was killed, the others were not) is left as it is and waited for with the rest.
kafka_start() {
  local c dir n i java deadline ready waiting log
  local -a cds_opts
  local -A pids=() log_from=()
  c=$(kafka_cluster "$1")
  dir=$(kafka_dir "$c")
  n=$(kafka_count "$c")
  java=$(java_bin)
  mkdir -p "$dir"
  for i in $(kafka_brokers "$c"); do
    if kafka_broker_alive "$c" "$i"; then
      if ((n == 1)); then
        err "kafka-$c (pid $(kafka_pid "$c")) is running but not listening on $(kafka_port "$c"); run: bash deploy/local/infra.sh stop kafka-$c"
        return 1
      fi
      pids[$i]=$(kafka_pid "$c" "$i")
      continue
    fi
    rm -f "$(kafka_pidfile "$c" "$i")"
    require_free_port "$(kafka_port "$c" "$i")" "kafka-$c$(kafka_suffix "$i")" "$(kafka_port_var "$c")"
    require_free_port "$(kafka_controller_port "$c" "$i")" "kafka-$c$(kafka_suffix "$i") controller" \
      "$(kafka_port_var "$c") (the controller uses the broker's port + 1)"
  done
  if kafka_secured "$c"; then kafka_ensure_credentials; fi
  # Recorded before any log dir is formatted: from then on the count is the formatted one (kafka_count).
  printf '%s\n' "$n" >"$dir/brokers"
  for i in $(kafka_brokers "$c"); do
    [[ -z ${pids[$i]:-} ]] || continue
    mkdir -p "$(kafka_broker_dir "$c" "$i")"
    kafka_write_config "$c" "$i"
    kafka_format_once "$c" "$i"
  done
  for i in $(kafka_brokers "$c"); do
    [[ -z ${pids[$i]:-} ]] || continue
    log=$(kafka_log "$c" "$i")
    printf '\n===== %s starting kafka-%s (broker %s of %s) =====\n' "$(date -Is)" "$c" "$i" "$n" >>"$log"
    log_from[$i]=$(($(log_size "$log") + 1))
    mapfile -t cds_opts < <(kafka_cds_opts "$c" "$i")
    # setsid: the broker must not share our process group, or a Ctrl-C on `infra.sh start` (or on whatever
    # later runs in this terminal's foreground) would hit it too. stdout/stderr catch what log4j cannot (JVM
    # errors, an OutOfMemoryError). $! is java's own pid: setsid execs in place as we are not a group leader.
    # shellcheck disable=SC2046 # the heap options are a list of JVM flags
    setsid "$java" $(kafka_heap_opts "$c") -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true "${cds_opts[@]}" \
      "-Dlog4j2.configurationFile=$KAFKA_LOG4J" "-Dcrm.kafka.log.file=$log" \
      -cp "$KAFKA_LIB/*" kafka.Kafka "$(kafka_broker_dir "$c" "$i")/server.properties" </dev/null >>"$log" 2>&1 8>&- 9>&- &
    pids[$i]=$!
    printf '%s\n' "$!" >"$(kafka_pidfile "$c" "$i")"
  done

  # A broker recovering many partitions after an unclean stop on a busy machine can need longer than the default;
  # giving up (and killing it mid-recovery) only makes the next start recover again.
  local start_timeout=${CRM_KAFKA_START_TIMEOUT_SECONDS:-120}
  deadline=$(($(now) + start_timeout))
  while :; do
    ready=1
    waiting=
    for i in $(kafka_brokers "$c"); do
      if ! pid_alive "${pids[$i]}"; then
        log=$(kafka_log "$c" "$i")
        err "kafka-$c$(kafka_suffix "$i") exited during start-up: $(kafka_crash_reason "$log" "${log_from[$i]:-1}"); see $log"
        log_tail "$log" 12 "${log_from[$i]:-1}"
        return 1
      fi
      if ! { port_owned_by "$(kafka_port "$c" "$i")" "${pids[$i]}" && kafka_probe "$c" "$i"; }; then
        ready=0
        waiting=$i
      fi
    done
    if ((ready)); then
      if kafka_secured "$c"; then
        kafka_apply_access "$c"
      fi
      return 0
    fi
    if (($(now) >= deadline)); then
      log=$(kafka_log "$c" "$waiting")
      err "kafka-$c$(kafka_suffix "$waiting") did not become ready on 127.0.0.1:$(kafka_port "$c" "$waiting") within ${start_timeout}s (CRM_KAFKA_START_TIMEOUT_SECONDS); see $log"
      log_tail "$log" 15 "${log_from[$waiting]:-1}"
      return 1
    fi
    sleep 0.2
  done
}

# Stops every broker of the cluster at once (a broker of several waits for the controller quorum in its controlled
# shutdown: stopped one by one, the last ones would wait for a quorum that is gone).
kafka_stop() {
  local c i pid deadline was_ready=0 left
  local -a pids=()
  c=$(kafka_cluster "$1")
  # A class archive recorded by a broker that never finished starting would be a poor one, kept for good.
  if kafka_is_up "$c"; then was_ready=1; fi
  for i in $(kafka_brokers "$c"); do
    if kafka_broker_alive "$c" "$i"; then
      pid=$(kafka_pid "$c" "$i")
      # SIGTERM runs the broker's controlled shutdown (flushes logs, writes the clean-shutdown marker, so the next
      # start skips log recovery). SIGKILL only if it hangs.
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  deadline=$(($(now) + 30))
  while (($(now) < deadline)); do
    left=0
    for pid in "${pids[@]}"; do if pid_alive "$pid"; then left=1; fi; done
    ((left)) || break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do
    if pid_alive "$pid"; then
      note "kafka-$c (pid $pid) did not stop within 30s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      was_ready=0 # the archive may be cut short
    fi
  done
  if [[ $c == primary && -e $KAFKA_CDS.new ]]; then
    if ((was_ready)) && [[ -s $KAFKA_CDS.new ]]; then mv -f "$KAFKA_CDS.new" "$KAFKA_CDS"; else rm -f "$KAFKA_CDS.new"; fi
  fi
  for i in $(kafka_brokers "$c"); do rm -f "$(kafka_pidfile "$c" "$i")"; done
}
