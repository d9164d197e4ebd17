import { Inject, Injectable, Logger } from '@nestjs/common';
import { RestoreDrillCompletedSchema, timestampFromDate } from '@crm/contracts';
import type { PostgresSettings } from '@crm/config';
import { KEY_VAULT_DATABASE } from '@crm/crypto';
import { uuidv7 } from '@crm/eventstore';
import { CLOCK, type Clock } from '@crm/platform';
import { BACKUP_EVENTS_TOPIC, BackupEvents } from '../../events/backup-events.js';
import { EVENT_STORES, type EventStoreLocation } from '../../restoring/event-gap.scan.js';
import type { RestoreRunner } from '../../restoring/restore.runner.js';
import type { PgBackRest } from '../../snapshots/pgbackrest.cli.js';
import { PGBACKREST } from '../../snapshots/take-snapshot/snapshot.runner.js';
import { DrillRuns, type DrillFigures, type DrillRunView } from '../drill-runs.store.js';
import { drillVerdict } from './drill-verdict.decision.js';
import { compareEventStreams, compareReadModels, erasedSubjectsReadable } from './live-comparison.js';

export const RESTORE_RUNNER = Symbol('RESTORE_RUNNER');
export const DRILL_SETTINGS = Symbol('DRILL_SETTINGS');

export interface DrillSettings {
  /** The live cluster (a database name is filled in per store). */
  live: PostgresSettings;
  stores?: readonly EventStoreLocation[];
  keyVaultDatabase?: string;
}

export interface DrillRequest {
  id?: string;
  trigger: DrillRunView['trigger'];
  requestedBy: string | null;
}

/**
 * A restore drill: the archive is brought up to date, the latest snapshot plus the archived WAL is restored into a
 * scratch cluster (erasures applied again), and the copy is compared with live — every restored event stream a
 * byte-identical prefix of the live one, no erased subject with a key, the audit trail verified against the mirrored
 * heads, read-model tables hashed. Live data is only read. The outcome is recorded, published as
 * `RestoreDrillCompleted`, and a failed drill is an error in the log (the alarm).
 */
@Injectable()
export class DrillRunner {
  readonly #logger = new Logger('RestoreDrills');

  constructor(
    @Inject(RESTORE_RUNNER) private readonly restore: RestoreRunner,
    @Inject(PGBACKREST) private readonly pgbackrest: PgBackRest,
    @Inject(DRILL_SETTINGS) private readonly settings: DrillSettings,
    private readonly events: BackupEvents,
    private readonly runs: DrillRuns,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(request: DrillRequest): Promise<DrillRunView> {
    const id = request.id ?? uuidv7();
    const startedAt = this.clock();
    await this.runs.started({ id, trigger: request.trigger, requestedBy: request.requestedBy, at: startedAt });
    let snapshotLabel: string | null = null;
    let figures: DrillFigures | null = null;
    let restoreError: string | undefined;
    try {
      ({ snapshotLabel, figures } = await this.#drill());
    } catch (error) {
      restoreError = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'RESTORE_FAILED';
    }
    const verdict = drillVerdict(
      figures === null
        ? { restoreError: restoreError ?? 'RESTORE_FAILED', streamsDiffering: 0, erasedSubjectsReadable: 0, auditVerified: false, auditProblems: [] }
        : { ...figures, restoreError },
    );
    const finishedAt = this.clock();
    await this.runs.finished(id, finishedAt, { passed: verdict.passed, snapshotLabel, failures: verdict.failures, figures });
    await this.#publish(id, request, { snapshotLabel, figures, ...verdict, startedAt, finishedAt });
    if (verdict.passed) this.#logger.log(`restore drill ${id} passed (snapshot ${snapshotLabel ?? '-'})`);
    else this.#logger.error(`RESTORE_DRILL_FAILED: restore drill ${id} failed: ${verdict.failures.join(', ')}`);
    return (await this.runs.byId(id))!;
  }

  async #drill(): Promise<{ snapshotLabel: string; figures: DrillFigures }> {
    const stores = this.settings.stores ?? EVENT_STORES;
    const vault = this.settings.keyVaultDatabase ?? KEY_VAULT_DATABASE;
    const live = (database: string): PostgresSettings => ({ ...this.settings.live, database });
    // The WAL written so far is archived first, so the drill restores as recent a state as the archive allows.
    await this.pgbackrest.check();
    const { report, cluster, erasedSubjects } = await this.restore.toScratch({ from: 'latest', replay: false });
    try {
      const restored = (database: string): PostgresSettings => cluster.settings(database);
      const streams = await compareEventStreams(restored, live, stores);
      const erased = await erasedSubjectsReadable(restored(vault), live(vault), erasedSubjects);
      const readModels = await compareReadModels(restored, live, stores);
      return {
        snapshotLabel: report.snapshot.label,
        figures: {
          rtoSeconds: report.rtoSeconds,
          rpoSeconds: report.rpoSeconds,
          streamsCompared: streams.streamsCompared,
          streamsDiffering: streams.streamsDiffering,
          liveEventsNewer: streams.liveEventsNewer,
          erasedSubjectsChecked: erased.checked,
          erasedSubjectsReadable: erased.readable,
          erasuresAppliedAgain: report.erasures.destroyedAgain,
          auditEntries: report.audit.entries,
          auditVerified: report.audit.verified,
          auditProblems: report.audit.problems.map((problem) => problem.code),
          readModelTablesEqual: readModels.equal,
          readModelTablesDiffering: readModels.differing,
        },
      };
    } finally {
      await cluster.discard();
    }
  }

  async #publish(
    id: string,
    request: DrillRequest,
    outcome: { snapshotLabel: string | null; figures: DrillFigures | null; passed: boolean; failures: string[]; startedAt: Date; finishedAt: Date },
  ): Promise<void> {
    const { figures } = outcome;
    const payload = {
      drillId: id,
      trigger: request.trigger,
      snapshotLabel: outcome.snapshotLabel ?? '',
      passed: outcome.passed,
      failures: outcome.failures,
      rtoMs: BigInt(Math.round((figures?.rtoSeconds ?? 0) * 1000)),
      rpoMs: BigInt(Math.round((figures?.rpoSeconds ?? 0) * 1000)),
      streamsCompared: figures?.streamsCompared ?? 0,
      streamsDiffering: figures?.streamsDiffering ?? 0,
      erasedSubjectsChecked: figures?.erasedSubjectsChecked ?? 0,
      erasedSubjectsReadable: figures?.erasedSubjectsReadable ?? 0,
      auditEntries: BigInt(figures?.auditEntries ?? 0),
      auditVerified: figures?.auditVerified ?? false,
      startedAt: timestampFromDate(outcome.startedAt),
      completedAt: timestampFromDate(outcome.finishedAt),
    };
    try {
      await this.events.publish({
        schema: RestoreDrillCompletedSchema,
        payload,
        stream: { id: `drill-${id}`, version: 1n },
        requestedBy: request.requestedBy,
        at: outcome.finishedAt,
      });
    } catch {
      // The drill's record stays in drill_runs; the event can be missing, and that is said loudly.
      this.#logger.error(`RESTORE_DRILL_UNPUBLISHED: the outcome of restore drill ${id} could not be published to ${BACKUP_EVENTS_TOPIC}`);
    }
  }
}
