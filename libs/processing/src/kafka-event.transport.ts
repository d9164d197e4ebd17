import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Pool, PoolClient } from 'pg';
import { isObservable, lastValueFrom } from 'rxjs';
import type { Logger } from '@crm/logging';
import type { KafkaCluster } from '@crm/messaging';
import { EventProcessor } from './event-processor.js';
import { PROCESSOR_EXTRAS, type ProcessorExtras, type Resolve } from './processor.decorators.js';
import type { ProcessorInvocation, ProcessorOptions, ProcessorRole } from './processor.types.js';

export const KAFKA_EVENT_TRANSPORT = Symbol('crm-kafka-events');

/** `@Ctx()` of a processor handler. */
export class ProcessorContext extends BaseRpcContext<[ProcessorInvocation]> {
  get processor(): string {
    return this.args[0].processor;
  }

  get role(): ProcessorRole {
    return this.args[0].role;
  }

  /** The projector's transaction; it commits with the checkpoint. */
  get tx(): PoolClient {
    const tx = this.args[0].tx;
    if (tx === undefined) throw new Error(`processor ${this.processor} is a reactor: it has no transaction`);
    return tx;
  }

  afterCommit(callback: () => void): void {
    this.args[0].afterCommit(callback);
  }
}

export interface KafkaEventTransportOptions {
  kafka: KafkaCluster;
  /** Projectors and `record` reactors keep their progress here. */
  pool?: Pool;
  logger?: Logger;
  /** For options computed at start; see `Declaration`. */
  resolve?: Resolve;
}

/**
 * A Nest custom transport over the platform's Kafka client: on `listen` it starts one `EventProcessor` per
 * `@Projector`/`@Reactor` (i.e. `@EventPattern` with processor extras) handler, each consuming its topics in batches
 * and dispatching them to the handler under its role; on `close` it stops them gracefully. Hosted with
 * `app.connectMicroservice({ strategy })` and `app.startAllMicroservices()` (see `createServiceApp`).
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = KAFKA_EVENT_TRANSPORT;
  readonly #processors = new Map<string, EventProcessor>();

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
  }

  /** A running processor by name (rebuilds, readiness, tests). */
  processor(name: string): EventProcessor {
    const processor = this.#processors.get(name);
    if (processor === undefined) throw new Error(`no event processor named ${name}`);
    return processor;
  }

  get processors(): readonly EventProcessor[] {
    return [...this.#processors.values()];
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        const extras = (handler.extras as Record<string, unknown> | undefined)?.[PROCESSOR_EXTRAS] as ProcessorExtras | undefined;
        if (extras === undefined) {
          this.options.logger?.warn({ pattern }, 'event handler without a processor role (@Projector or @Reactor): not subscribed');
          continue;
        }
        const options = await this.resolveOptions(pattern, extras);
        if (options === null) continue;
        if (this.#processors.has(options.name)) throw new Error(`two event processors are named ${options.name}`);
        const processor = new EventProcessor(this.options.pool, this.options.kafka, (batch, invocation) => this.dispatch(handler, batch, invocation), options, {
          ...(this.options.logger === undefined ? {} : { logger: this.options.logger }),
        });
        this.#processors.set(options.name, processor);
      }
      for (const processor of this.#processors.values()) await processor.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#processors.values()].map((processor) => processor.stop()));
    this.#processors.clear();
  }

  on(): never {
    throw new Error('KafkaEventTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.options.kafka as T;
  }

  private async resolveOptions(pattern: string, extras: ProcessorExtras): Promise<ProcessorOptions | null> {
    const { declaration } = extras;
    const declared =
      typeof declaration === 'function'
        ? await declaration(
            this.options.resolve ??
              (() => {
                throw new Error(`processor ${pattern} resolves providers but the transport has no resolver`);
              }),
          )
        : declaration;
    if (declared === null) return null;
    const topics = declared.topics === undefined && declared.topicPattern === undefined ? { topics: [pattern] } : {};
    return { name: pattern, ...topics, ...declared, role: extras.role } as ProcessorOptions;
  }

  private async dispatch(handler: MessageHandler, batch: unknown, invocation: ProcessorInvocation): Promise<void> {
    const result: unknown = await handler(batch, new ProcessorContext([invocation]));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }
}
