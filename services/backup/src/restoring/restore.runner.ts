import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PostgresSettings } from '@crm/config';
import { uuidv7 } from '@crm/eventstore';
import { KEY_VAULT_DATABASE } from '@crm/crypto';
import type { KafkaCluster } from '@crm/messaging';
import { createPool } from '@crm/postgres';
import type { PgBackRest } from '../snapshots/pgbackrest.cli.js';
import { checkRestoredAudit, type AuditCheck } from './audit.check.js';
import { reapplyErasures, type ErasuresOutcome, type ErasuresReapplied } from './erasures.reapplier.js';
import { EVENT_STORES, scanEventGap, type EventStoreLocation, type GapReport } from './event-gap.scan.js';
import { assertLiveTargetWritable, planRestore, type RestorePlan, type RestoreRequest } from './restore-plan.decision.js';
import { rebuildPrimary, resetProcessorCheckpoints, resumeMirrorAt, type TopicRebuilt } from './primary-rebuild.js';
import { ScratchCluster, scratchRoot, type ClusterTools } from './scratch-cluster.js';

export type RestorePhase = 'plan' | 'files' | 'recovery' | 'erasures' | 'events' | 'audit' | 'kafka';

/** Progress of one phase: `done`/`total` when the phase can count (bytes, records), else only the phase. */
export interface RestoreProgress {
  phase: RestorePhase;
  done?: number;
  total?: number;
}

export interface RestoreReport {
  id: string;
  snapshot: { label: string; type: string; stoppedAt: string };
  target: RestorePlan['target'];
  into: 'scratch' | 'live';
  /** Where the restored cluster is: its data directory, and its port while it runs. */
  cluster: { dataDir: string; port: number };
  erasures: ErasuresReapplied;
  events: GapReport;
  audit: AuditCheck;
  /** Newest write the backup knows minus the newest one restored (after the replay), in seconds (0 when nothing is missing). */
  rpoSeconds: number;
  /** Wall time of the whole restore, in seconds. */
  rtoSeconds: number;
}

/** A restored copy: the report, the running scratch cluster (the caller discards it), the erased subjects it checked. */
export interface RestoreOutcome {
  report: RestoreReport;
  cluster: ScratchCluster;
  erasedSubjects: ReadonlySet<string>;
}

export interface RestoreDependencies {
  pgbackrest: PgBackRest;
  tools: ClusterTools;
  stateDir: string;
  /** The live cluster's settings: the restored one has the same roles and passwords. */
  live: PostgresSettings;
  backup: KafkaCluster;
  auditVerifier: string;
  /** The event stores to check (default: the platform's); the key vault's database (default `keyvault`). */
  stores?: readonly EventStoreLocation[];
  keyVaultDatabase?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/**
 * Restores a snapshot into a scratch cluster beside the live one and proves what it got back (docs/backup.md):
 * 1. pgBackRest restores the snapshot's files, and PostgreSQL replays the archived WAL (to its end, or to --until);
 * 2. before anything reads the restored key vault, every erasure the backup cluster knows is applied again;
 * 3. the backup cluster's event topics are read to their end and checked against the restored event stores; every
 *    event past the restore point (up to --until) is replayed into them;
 * 4. the audit verifier checks the restored trail against the signed tree heads mirrored to the backup cluster.
 * The live cluster and the primary Kafka cluster are never touched.
 */
export class RestoreRunner {
  constructor(private readonly deps: RestoreDependencies) {}

  /**
   * `replay: false` (a drill) restores the snapshot and the archived WAL only: what the mirror holds past them is
   * counted (the RPO), not written, so the copy compared with live is what the databases' own backups give back.
   */
  async toScratch(
    request: Omit<RestoreRequest, 'into' | 'force'> & { replay?: boolean },
    onProgress: (progress: RestoreProgress) => void = () => undefined,
  ): Promise<RestoreOutcome> {
    const started = this.#now();
    const id = uuidv7();
    onProgress({ phase: 'plan' });
    const plan = planRestore({ ...request, into: 'scratch', force: false }, await this.deps.pgbackrest.info(), started);
    const root = scratchRoot(this.deps.stateDir, this.deps.tools.runAs, this.deps.env);
    const cluster = new ScratchCluster(join(root, id), this.deps.tools, this.deps.live);
    try {
      cluster.prepare();
      return await this.#restore(id, plan, cluster, started, onProgress, { replay: request.replay ?? true });
    } catch (error) {
      // CRM_RESTORE_KEEP_FAILED=1 keeps a failed restore's files (its postgres.log) for diagnosis.
      if ((this.deps.env ?? process.env).CRM_RESTORE_KEEP_FAILED === '1') await cluster.stop().catch(() => undefined);
      else await cluster.discard();
      throw error;
    }
  }

  /**
   * Restores into the platform's own cluster (the platform's services must be stopped, and the mirror: the caller,
   * `npm run restore`, sees to both). Refused while the live databases hold events, unless `force`. Besides what a
   * scratch restore does, it rebuilds the primary Kafka cluster's platform topics from the backup cluster (only what
   * the restored databases hold), makes every event processor read its topics again, and moves the mirror's
   * position to the rebuilt topics' ends. The databases then run on the live port; `npm start` brings the services.
   */
  async toLive(
    request: Omit<RestoreRequest, 'into'>,
    live: { dataDir: string; logFile: string; primary: KafkaCluster },
    onProgress: (progress: RestoreProgress) => void = () => undefined,
  ): Promise<RestoreOutcome & { primary: LiveRebuild }> {
    const started = this.#now();
    const id = uuidv7();
    onProgress({ phase: 'plan' });
    const plan = planRestore({ ...request, into: 'live' }, await this.deps.pgbackrest.info(), started);
    const stores = this.deps.stores ?? EVENT_STORES;
    const cluster = ScratchCluster.live(live.dataDir, live.logFile, this.deps.tools, this.deps.live);
    assertLiveTargetWritable('live', request.force, cluster.running() && (await liveEvents(this.deps.live, stores)) > 0);
    await cluster.stop();
    cluster.prepare();
    const outcome = await this.#restore(id, plan, cluster, started, onProgress, { overwrite: readdirSync(live.dataDir).length > 0 });
    const restored = (database: string): PostgresSettings => cluster.settings(database);
    const rebuiltEnds = await this.deps.backup.endOffsetsOf((await this.deps.backup.listTopics()).filter((topic) => topic.startsWith('crm.')));
    const total = [...rebuiltEnds.values()].flat().reduce((sum, end) => sum + Number(end), 0);
    onProgress({ phase: 'kafka', done: 0, total });
    const rebuilt = await rebuildPrimary(this.deps.backup, live.primary, restored, stores, outcome.report.audit.entries, {
      groupId: `crm-restore-${id}-rebuild`,
      timeoutMs: 3_600_000,
      onProgress: (done) => onProgress({ phase: 'kafka', done, total }),
    });
    const checkpointsReset = await resetProcessorCheckpoints(restored, stores);
    const mirrorPositions = await resumeMirrorAt(this.deps.backup, rebuilt.endOffsets, `crm-restore-${id}-mirror`);
    outcome.report.rtoSeconds = (this.#now().getTime() - started.getTime()) / 1000;
    return { ...outcome, primary: { topics: rebuilt.topics, checkpointsReset, mirrorPositions } };
  }

  #now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }

  async #restore(
    id: string,
    plan: RestorePlan,
    cluster: ScratchCluster,
    started: Date,
    onProgress: (progress: RestoreProgress) => void,
    options: { overwrite?: boolean; replay?: boolean } = {},
  ): Promise<RestoreOutcome> {
    const total = plan.snapshot.sizeBytes;
    const watch = setInterval(
      () => void directoryBytes(cluster.dataDir).then((done) => onProgress({ phase: 'files', done: Math.min(done, total), total })),
      1_000,
    );
    try {
      onProgress({ phase: 'files', done: 0, total });
      await this.deps.pgbackrest.restore({
        pgPath: cluster.dataDir,
        set: plan.snapshot.label,
        until: plan.target.type === 'time' ? plan.target.until : undefined,
        live: plan.into === 'live',
        overwrite: options.overwrite === true,
      });
    } finally {
      clearInterval(watch);
    }
    onProgress({ phase: 'recovery' });
    await cluster.start();

    onProgress({ phase: 'erasures' });
    const vault = createPool(cluster.settings(this.deps.keyVaultDatabase ?? KEY_VAULT_DATABASE), { max: 2, applicationName: 'crm-restore' });
    let erasures: ErasuresOutcome;
    try {
      erasures = await reapplyErasures(this.deps.backup, vault, { groupId: `crm-restore-${id}-erasures`, timeoutMs: 600_000 });
    } finally {
      await vault.end();
    }

    const stores = this.deps.stores ?? EVENT_STORES;
    const present = new Set(await this.deps.backup.listTopics());
    const ends = await this.deps.backup.endOffsetsOf(stores.map((store) => store.topic).filter((topic) => present.has(topic)));
    const totalRecords = [...ends.values()].flat().reduce((sum, end) => sum + Number(end), 0);
    onProgress({ phase: 'events', done: 0, total: totalRecords });
    // After the erasures: the events replayed past the restore point are sealed with keys, and those of a subject
    // erased since are ciphertext under a key that is gone.
    const events = await scanEventGap(this.deps.backup, (database) => cluster.settings(database), {
      groupId: `crm-restore-${id}-events`,
      timeoutMs: 3_600_000,
      stores,
      ...(options.replay === false ? {} : { replay: plan.target.type === 'time' ? { until: plan.target.until } : {} }),
      onProgress: (done) => onProgress({ phase: 'events', done, total: totalRecords }),
    });

    onProgress({ phase: 'audit' });
    const audit = await checkRestoredAudit(this.deps.auditVerifier, cluster.settings('audit'), this.deps.env);
    const rpo =
      events.newestOnBackup !== undefined && events.newestRestored !== undefined
        ? Math.max(0, (events.newestOnBackup.getTime() - events.newestRestored.getTime()) / 1000)
        : 0;
    const report: RestoreReport = {
      id,
      snapshot: { label: plan.snapshot.label, type: plan.snapshot.type, stoppedAt: plan.snapshot.stoppedAt.toISOString() },
      target: plan.target,
      into: plan.into,
      cluster: { dataDir: cluster.dataDir, port: cluster.port },
      erasures: erasures.counts,
      events,
      audit,
      rpoSeconds: events.stores.some((store) => store.missing > 0) ? rpo : 0,
      rtoSeconds: (this.#now().getTime() - started.getTime()) / 1000,
    };
    return { report, cluster, erasedSubjects: erasures.subjects };
  }
}

/** What a live restore did to the primary Kafka cluster. */
export interface LiveRebuild {
  topics: TopicRebuilt[];
  /** Processor positions forgotten (they read their topics again). */
  checkpointsReset: number;
  /** Topic-partitions whose mirror position was moved to the rebuilt end. */
  mirrorPositions: number;
}

/** Events in the live stores; 0 when the live cluster cannot be reached (it is down or its files are gone). */
async function liveEvents(live: PostgresSettings, stores: readonly EventStoreLocation[]): Promise<number> {
  let total = 0;
  for (const store of stores) {
    const pool = createPool({ ...live, database: store.database }, { max: 1, applicationName: 'crm-restore' });
    try {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${store.schema}.events`);
      total += Number(rows[0]!.n);
    } catch {
      // Unreachable or no such store: nothing there to protect.
    } finally {
      await pool.end().catch(() => undefined);
    }
  }
  return total;
}

/** Bytes under a directory (`du`, which needs no read access to the files' contents). */
function directoryBytes(path: string): Promise<number> {
  return new Promise((resolve) => {
    execFile('du', ['-sb', path], (error, stdout) => resolve(error === null ? Number(stdout.split('\t')[0]) || 0 : 0));
  });
}
