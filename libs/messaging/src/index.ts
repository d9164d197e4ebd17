export {
  KafkaCluster,
  KafkaHealthCheck,
  clientSasl,
  type KafkaSasl,
  type KafkaClusterOptions,
  type TopicSpec,
  type OutgoingMessage,
  type IncomingMessage,
} from './kafka-cluster.js';
export { KafkaModule, KAFKA_PRIMARY, KAFKA_BACKUP, KAFKA_PRIMARY_HEALTH, KAFKA_BACKUP_HEALTH, type KafkaModuleOptions } from './kafka.module.js';
export { consumeBatches, type BatchConsumerOptions, type Subscription } from './batch-consumer.js';
