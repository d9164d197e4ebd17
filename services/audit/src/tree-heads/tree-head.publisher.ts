import type { Clock } from '@crm/crypto';
import type { Logger } from '@crm/logging';
import type { KafkaCluster } from '@crm/messaging';
import { auditError } from '../audit.errors.js';
import { sameBytes } from './bytes.js';
import { signTreeHead, verifyTreeHeadSignature, type TreeHead } from './tree-head.codec.js';
import type { TreeHeadKey } from './tree-head.key.js';
import { ensureTreeHeadsTopic, publishTreeHead, readTreeHeads } from './tree-heads.topic.js';
import type { AuditLogView } from './log.view.js';

export interface TreeHeadPublisherOptions {
  /** How often the tree is checked for growth and, if it grew, a new head signed. */
  intervalMs: number;
  topic?: string;
  logger?: Logger;
  /** The time a head is signed at: the service's injected clock. */
  now: Clock;
}

/**
 * Signs and publishes tree heads: periodically when the tree grew, and on demand (a proof asked for an entry no
 * head covers yet). Before signing anything it checks the database against the newest head already on Kafka: a
 * database rewritten or cut short since then halts signing, because a fresh head over a rewritten log would
 * launder the rewrite for every later verifier that starts from it.
 */
export class TreeHeadPublisher {
  readonly #heads = new Map<number, TreeHead>();
  #latest: TreeHead | undefined;
  #halted: { code: string; message: string } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #signing: Promise<TreeHead> | undefined;

  constructor(
    private readonly kafka: KafkaCluster,
    private readonly view: AuditLogView,
    private readonly key: TreeHeadKey,
    readonly logId: string,
    private readonly options: TreeHeadPublisherOptions,
  ) {}

  get latest(): TreeHead | undefined {
    return this.#latest;
  }

  get halted(): { code: string; message: string } | undefined {
    return this.#halted;
  }

  /** A head this process knows of (signed or read back) with exactly that size. */
  headOfSize(size: number): TreeHead | undefined {
    return this.#heads.get(size);
  }

  async start(): Promise<void> {
    await ensureTreeHeadsTopic(this.kafka, this.options.topic);
    const { heads } = await readTreeHeads(this.kafka, { topic: this.options.topic });
    for (const head of heads) if (head.logId === this.logId && verifyTreeHeadSignature(head, this.key)) this.remember(head);
    await this.view.sync();
    this.checkAgainstLatest();
    this.#timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.options.logger?.warn({ err: error }, 'signing a tree head failed'));
    }, this.options.intervalMs);
    this.#timer.unref();
  }

  /**
   * Stops signing periodically, after a last head over whatever was recorded since the newest one: a clean shutdown
   * leaves no entry unsigned (a snapshot or a drill right after still finds every entry under a head). A log found
   * tampered with, or Kafka gone, leaves it at the last head, logged.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#signing?.catch(() => undefined);
    await this.tick().catch((error: unknown) => this.options.logger?.warn({ err: error }, 'signing the last tree head at shutdown failed'));
  }

  /** Signs the current tree unless the newest head already covers it. */
  async tick(): Promise<void> {
    await this.view.sync();
    if (this.#latest !== undefined && this.view.size <= this.#latest.treeSize) return;
    await this.signNow();
  }

  /** A head covering everything recorded so far, signed now if needed. Concurrent callers share one signature. */
  signNow(): Promise<TreeHead> {
    this.#signing ??= this.#sign().finally(() => {
      this.#signing = undefined;
    });
    return this.#signing;
  }

  async #sign(): Promise<TreeHead> {
    await this.view.sync();
    this.checkEntries();
    if (this.#halted !== undefined) throw auditError('AUDIT_LOG_INTEGRITY_FAILED', this.#halted.message);
    const size = this.view.size;
    if (this.#latest !== undefined && this.#latest.treeSize === size) return this.#latest;
    const head = signTreeHead(this.key, {
      logId: this.logId,
      treeSize: size,
      rootHash: this.view.tree.rootAt(size),
      timestamp: this.options.now(),
    });
    await publishTreeHead(this.kafka, head, this.options.topic);
    this.remember(head);
    this.options.logger?.info({ treeSize: head.treeSize, rootHash: Buffer.from(head.rootHash).toString('hex') }, 'tree head signed');
    return head;
  }

  private remember(head: TreeHead): void {
    this.#heads.set(head.treeSize, head);
    if (this.#latest === undefined || head.treeSize > this.#latest.treeSize) this.#latest = head;
  }

  /** An entry that no longer hashes to its stored leaf hash was changed in the database: nothing is signed over it. */
  private checkEntries(): void {
    const broken = this.view.broken;
    if (broken !== undefined && this.#halted === undefined) {
      this.halt('AUDIT_LOG_INTEGRITY_FAILED', `entry ${broken.leafIndex} no longer hashes to its stored leaf hash: it was changed in the database`);
    }
  }

  private checkAgainstLatest(): void {
    this.checkEntries();
    const latest = this.#latest;
    if (latest === undefined || this.#halted !== undefined) return;
    if (latest.treeSize > this.view.size) {
      this.halt('AUDIT_LOG_INTEGRITY_FAILED', `the audit database holds ${this.view.size} entries, fewer than the ${latest.treeSize} of the last signed head`);
    } else if (!sameBytes(this.view.tree.rootAt(latest.treeSize), latest.rootHash)) {
      this.halt('AUDIT_LOG_INTEGRITY_FAILED', `the audit database's first ${latest.treeSize} entries do not hash to the last signed head's root`);
    }
  }

  private halt(code: string, message: string): void {
    this.#halted = { code, message };
    this.options.logger?.error({ code }, `tree-head signing halted: ${message}`);
  }
}
