import { Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { KafkaCluster, KafkaHealthCheck, type KafkaSasl } from './kafka-cluster.js';

export const KAFKA_PRIMARY = Symbol('KAFKA_PRIMARY');
export const KAFKA_BACKUP = Symbol('KAFKA_BACKUP');
export const KAFKA_PRIMARY_HEALTH = Symbol('KAFKA_PRIMARY_HEALTH');
export const KAFKA_BACKUP_HEALTH = Symbol('KAFKA_BACKUP_HEALTH');
const KAFKA_CLOSER = Symbol('KAFKA_CLOSER');

export interface KafkaModuleOptions {
  clientId: string;
  primaryBrokers: string[];
  /** The service's own principal, on both clusters (each authenticates; its password is the same on both). */
  sasl?: KafkaSasl | undefined;
  /** Only the backup service talks to the backup cluster. */
  backupBrokers?: string[];
}

function clusterProviders(name: 'primary' | 'backup', token: symbol, healthToken: symbol, brokers: string[], clientId: string, sasl?: KafkaSasl): Provider[] {
  return [
    { provide: token, useFactory: () => new KafkaCluster({ name, brokers, clientId, sasl }) },
    { provide: healthToken, inject: [token], useFactory: (cluster: KafkaCluster) => new KafkaHealthCheck(cluster) },
  ];
}

@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    const clusters = [KAFKA_PRIMARY];
    const providers = clusterProviders('primary', KAFKA_PRIMARY, KAFKA_PRIMARY_HEALTH, options.primaryBrokers, options.clientId, options.sasl);
    const exports: symbol[] = [KAFKA_PRIMARY, KAFKA_PRIMARY_HEALTH];
    if (options.backupBrokers !== undefined) {
      clusters.push(KAFKA_BACKUP);
      providers.push(...clusterProviders('backup', KAFKA_BACKUP, KAFKA_BACKUP_HEALTH, options.backupBrokers, options.clientId, options.sasl));
      exports.push(KAFKA_BACKUP, KAFKA_BACKUP_HEALTH);
    }
    providers.push({
      provide: KAFKA_CLOSER,
      inject: clusters,
      useFactory: (...opened: KafkaCluster[]): OnApplicationShutdown => ({
        onApplicationShutdown: async () => {
          await Promise.all(opened.map((cluster) => cluster.close()));
        },
      }),
    });
    return { module: KafkaModule, global: true, providers, exports };
  }
}
