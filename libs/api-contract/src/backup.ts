// Backup's routes: the mirror of the event backbone, the databases' snapshots and the restore drills.
import { z } from 'zod';
import type { BodyContract } from './openapi.js';

const isoInstant = z.iso.datetime().meta({ description: 'An instant, ISO 8601 in UTC' });
const offset = z.string().regex(/^\d+$/).meta({ description: 'A Kafka offset, as a decimal string (offsets are 64-bit)' });

/** A job accepted and waiting for the worker; its id is the run's id. */
const queued = z.object({ id: z.uuid(), status: z.literal('queued') });

const snapshotRun = z.object({
  id: z.uuid(),
  type: z.enum(['full', 'diff']),
  trigger: z.enum(['schedule', 'manual', 'drill']),
  requestedBy: z.string().nullable().meta({ description: 'The account that asked (null: the schedule)' }),
  status: z.enum(['running', 'completed', 'failed']),
  startedAt: isoInstant,
  finishedAt: isoInstant.nullable(),
  kafkaOffsets: z
    .record(z.string(), z.array(offset))
    .meta({ description: 'Per platform topic, the primary end offset of each partition recorded before the backup started' }),
  label: z.string().nullable().meta({ description: "pgBackRest's label: the snapshot id `npm run restore -- --from` takes" }),
  sizeBytes: z.number().int().min(0).nullable(),
  repositoryDeltaBytes: z.number().int().min(0).nullable().meta({ description: 'What the snapshot added to the repository' }),
  walStart: z.string().nullable(),
  walStop: z.string().nullable(),
  verified: z.boolean().nullable().meta({ description: "The repository's verification of the snapshot (null: not finished)" }),
  errorCode: z.string().nullable().meta({ description: 'The stable code of the failure (null unless failed)' }),
});

const drillRun = z.object({
  id: z.uuid(),
  trigger: z.enum(['schedule', 'manual']),
  requestedBy: z.string().nullable().meta({ description: 'The account that asked (null: the schedule)' }),
  status: z.enum(['running', 'passed', 'failed']),
  startedAt: isoInstant,
  finishedAt: isoInstant.nullable(),
  snapshotLabel: z.string().nullable().meta({ description: 'The snapshot it restored' }),
  failures: z.array(z.string()).meta({ description: 'The stable codes of the checks that failed' }),
  figures: z
    .object({
      rtoSeconds: z.number(),
      rpoSeconds: z.number(),
      streamsCompared: z.number().int(),
      streamsDiffering: z.number().int(),
      liveEventsNewer: z.number().int().meta({ description: 'Events the live stores hold that the restore point does not (written since)' }),
      erasedSubjectsChecked: z.number().int(),
      erasedSubjectsReadable: z.number().int().meta({ description: 'Erased subjects with a key in the restored vault (must be 0)' }),
      erasuresAppliedAgain: z.number().int(),
      auditEntries: z.number().int(),
      auditVerified: z.boolean(),
      auditProblems: z.array(z.string()),
      readModelTablesEqual: z.number().int(),
      readModelTablesDiffering: z.array(z.string()).meta({ description: 'Read-model tables whose rows differ in the copy and in live (live moved on)' }),
    })
    .nullable()
    .meta({ description: 'What the drill measured (null: it did not get that far)' }),
});

const mirrorSummary = {
  engine: z.literal('MirrorMaker 2'),
  totalLag: offset.meta({ description: 'Records on the primary not yet on the backup cluster, over every partition (decimal string)' }),
  lastProgressAt: isoInstant.nullable().meta({ description: 'When the mirror last committed progress, as seen by the service (null: not since it started)' }),
  missingOnBackup: z.array(z.string()).meta({ description: 'Platform topics on the primary that the backup cluster does not have at all' }),
};

/** `GET /v1/backups/mirror`: no body; per platform topic-partition, how far the mirror has copied the primary. */
export const mirrorStatus = {
  response: z.object({
    observedAt: isoInstant.meta({ description: 'When the primary was asked' }),
    ...mirrorSummary,
    partitions: z.array(
      z.object({
        topic: z.string(),
        partition: z.number().int().min(0),
        primaryEndOffset: offset.meta({ description: 'The next offset the primary will write' }),
        mirroredUpTo: offset.meta({ description: 'The next primary offset the mirror has not copied: everything below it is on the backup cluster' }),
        lag: offset.meta({ description: 'primaryEndOffset − mirroredUpTo' }),
      }),
    ),
  }),
} satisfies BodyContract;

/** `GET /v1/backups`: no body; the latest snapshots and drills, the mirror lag and the key vault's own backups. */
export const backupsOverview = {
  response: z.object({
    snapshots: z.array(snapshotRun).meta({ description: 'The newest snapshot runs first (at most 50)' }),
    mirror: z.object(mirrorSummary),
    drills: z.array(drillRun).meta({ description: 'The newest restore drills first (at most 10)' }),
    vaultBackups: z
      .array(
        z.object({
          id: z.string(),
          takenAt: isoInstant,
          erasures: z.object({
            ledgerSize: z.number().int().min(0).meta({ description: "Subjects erased in the backup's ledger" }),
            newestErasedAt: isoInstant.optional().meta({ description: 'The newest erasure in it (absent when none)' }),
            shreddedOffsets: z.array(offset).meta({
              description: 'End offsets of `crm.keys.v1.shredded` taken before the ledger was read: every erasure announced below them is in the backup',
            }),
          }),
          counts: z.object({ epochs: z.number().int().min(0), dataKeys: z.number().int().min(0) }),
        }),
      )
      .meta({ description: "The key vault's own backups, newest first: their clear headers" }),
  }),
} satisfies BodyContract;

/** `POST /v1/backups/snapshots`: the snapshot type (default auto); the queued run. */
export const takeSnapshot = {
  request: z.object({
    type: z
      .enum(['full', 'diff', 'auto'])
      .default('auto')
      .meta({ description: 'auto: a differential snapshot on the latest full one, or a full one when it is too old or missing' }),
  }),
  response: queued,
} satisfies BodyContract;

/** `GET /v1/backups/snapshots/:id`: no body; the run, or `queued` while it waits for the worker. */
export const viewSnapshot = { response: z.union([snapshotRun, queued]) } satisfies BodyContract;

/** `POST /v1/backups/drills`: no body; the queued drill. */
export const startDrill = { response: queued } satisfies BodyContract;

/** `GET /v1/backups/drills/:id`: no body; the drill, or `queued` while it waits for the worker. */
export const viewDrill = { response: z.union([drillRun, queued]) } satisfies BodyContract;
