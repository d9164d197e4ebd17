#!/usr/bin/env bash
# Runs any Kafka tool class on the same jars as the local brokers (Kafka's bin/*.sh scripts are not in the Maven
# artifacts, so this stands in for kafka-run-class.sh). Resolves the jars first if `infra.sh start` never has.
#
#   bash deploy/local/kafka-tool.sh org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
#   bash deploy/local/kafka-tool.sh org.apache.kafka.tools.ProducerPerformance --topic t --num-records 100000 \
#        --record-size 512 --throughput -1 --command-property bootstrap.servers=127.0.0.1:9092 acks=all
#
# Other useful classes: org.apache.kafka.tools.ConsoleProducer, org.apache.kafka.tools.consumer.ConsoleConsumer,
# org.apache.kafka.tools.ConsumerPerformance, org.apache.kafka.tools.consumer.group.ConsumerGroupCommand,
# org.apache.kafka.tools.EndToEndLatency, org.apache.kafka.tools.GetOffsetShell, org.apache.kafka.tools.DumpLogSegments.
#
# Logging goes to stderr at WARN, so stdout carries only the tool's own output. JVM flags: CRM_KAFKA_TOOL_OPTS
# (default: -Xmx512m, like Kafka's scripts give tools a small heap of their own).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=kafka.sh
source "$here/kafka.sh"

if (($# == 0)) || [[ $1 == -h || $1 == --help ]]; then
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi

kafka_require_java
kafka_ensure_lib
mapfile -t log_opts < <(kafka_tool_jvm_opts)
# shellcheck disable=SC2086 # CRM_KAFKA_TOOL_OPTS is a list of JVM flags
exec "$(java_bin)" ${CRM_KAFKA_TOOL_OPTS:--Xmx512m} "${log_opts[@]}" -cp "$KAFKA_LIB/*" "$@"
