// The restore command (docs/backup.md):
//
//   npm run restore -- --from <snapshot label|latest> [--until <time>] --into scratch|live [--force] [--keep] [--json]
//
// Restores a snapshot of the databases plus the archived WAL into a scratch PostgreSQL instance beside the live one,
// re-applies every erasure the backup cluster knows before anything reads the restored key vault, checks the
// restored event stores against the backup cluster's topics, verifies the restored audit trail against the mirrored
// signed tree heads, and prints what was restored, the RPO and the RTO. Exit status: 0 restored and verified,
// 1 restored but not verified, 2 refused or failed (a stable code on stderr; nothing live was touched).
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPlatformConfig } from '@crm/config';
import { AppError } from '@crm/http';
import { KafkaCluster } from '@crm/messaging';
import { pgBackRestSettings } from '../snapshots/snapshots.module.js';
import { PgBackRest } from '../snapshots/pgbackrest.cli.js';
import { auditVerifierPath } from './audit.check.js';
import { RestoreRunner, type LiveRebuild, type RestorePhase, type RestoreProgress, type RestoreReport } from './restore.runner.js';
import { restoredTrailVerified } from './restore-plan.decision.js';
import { postgresBin, realPath } from './scratch-cluster.js';
import { vaultBackupSettings } from '../vault/vault-backup.js';
import { dropDatabase, restoreVaultInto } from '../vault/vault-restore.js';

const USAGE = `usage: npm run restore -- --from <snapshot label|latest> [--until <ISO time>] --into scratch|live [--force] [--keep] [--json]
       npm run restore -- --vault <vault backup id|latest> --into scratch|live [--force] [--keep] [--json]
  --vault   the key vault alone, from its own sealed backup (every later erasure re-applied before a row is written)
  --from    the snapshot to start from (a label from GET /v1/backups, or latest)
  --until   point-in-time recovery: replay the archived WAL up to this moment (default: as far as it goes)
  --into    scratch: a PostgreSQL instance beside the live one (live data is never touched)
            live: the platform's own databases, and its primary Kafka topics rebuilt from the backup cluster
            (the platform's services must be stopped; npm run restore stops the mirror and starts it again)
  --force   restore into live databases that still hold events (they are replaced)
  --keep    leave the scratch instance running for inspection (default: stop it and delete its files)
  --json    print the report as JSON
`;

const PHASES: Record<RestorePhase, string> = {
  plan: 'choosing the snapshot',
  files: 'restoring files',
  recovery: 'replaying archived WAL',
  erasures: 're-applying erasures',
  events: 'replaying events past the restore point',
  audit: 'verifying the audit trail',
  kafka: 'rebuilding the primary Kafka topics',
};

/** A progress bar with an ETA on a terminal; a line per phase otherwise (logs, CI). */
function progressPrinter(stream: NodeJS.WriteStream): (progress: RestoreProgress) => void {
  let phase: RestorePhase | undefined;
  const started = Date.now();
  let phaseStarted = started;
  let lastLine = 0;
  return (progress) => {
    if (progress.phase !== phase) {
      if (phase !== undefined && stream.isTTY) stream.write('\n');
      phase = progress.phase;
      phaseStarted = Date.now();
      if (!stream.isTTY) stream.write(`» ${PHASES[phase]} (at ${((phaseStarted - started) / 1000).toFixed(1)} s)\n`);
    }
    if (!stream.isTTY) return;
    const now = Date.now();
    if (now - lastLine < 200 && progress.done !== progress.total) return;
    lastLine = now;
    const { done, total } = progress;
    if (done === undefined || total === undefined || total === 0) {
      stream.write(`\r» ${PHASES[progress.phase]} … ${Math.round((now - phaseStarted) / 1000)} s`);
      return;
    }
    const ratio = Math.min(1, done / total);
    const width = 30;
    const filled = Math.round(ratio * width);
    const elapsed = (now - phaseStarted) / 1000;
    const eta = ratio > 0 ? Math.max(0, Math.round(elapsed / ratio - elapsed)) : undefined;
    stream.write(
      `\r» ${PHASES[progress.phase].padEnd(44)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ETA ${eta === undefined ? '?' : `${eta} s`}   `,
    );
  };
}

function printLiveReport(report: RestoreReport, primary: LiveRebuild): void {
  printReport(report, undefined);
  const lines = [
    '  primary Kafka topics rebuilt from the backup cluster:',
    ...primary.topics.map(
      (topic) => `    ${topic.topic.padEnd(34)} ${topic.copied} records copied${topic.left > 0 ? `, ${topic.left} left out (after the restore point)` : ''}`,
    ),
    `  read models: ${primary.checkpointsReset} processor positions forgotten (projectors rebuild from the rebuilt topics, skipping what they applied)`,
    ...(report.events.stores.some((store) => store.replayed > 0)
      ? ['  note: events were replayed past the snapshot; the services refold the state rows of those streams when they start (docs/backup.md)']
      : []),
    `  mirror: resumes at the rebuilt ends (${primary.mirrorPositions} topic-partitions)`,
    '  next: npm start',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printReport(report: RestoreReport, kept: boolean | undefined): void {
  const lines = [
    `restore ${report.id}: ${restoredTrailVerified(report.audit) ? 'RESTORED AND VERIFIED' : 'RESTORED, NOT VERIFIED'}`,
    `  snapshot:     ${report.snapshot.label} (${report.snapshot.type}, ended ${report.snapshot.stoppedAt})`,
    `  recovered to: ${report.target.type === 'time' ? report.target.until.toISOString() : 'the end of the WAL archive'}`,
    `  erasures:     ${report.erasures.announced} announced on the backup cluster; ${report.erasures.destroyedAgain} erased again (after the snapshot), ${report.erasures.alreadyErased} already erased in it`,
    ...report.events.stores.map(
      (store) =>
        `  ${store.topic.padEnd(26)} ${store.inStore} events restored (${store.replayed} replayed from the backup cluster past the snapshot); backup holds ${store.onBackup}, ${store.missing} of them not restored (after --until or not replayable)`,
    ),
    `  audit trail:  ${report.audit.entries} entries, ${report.audit.headsChecked} signed heads checked${report.audit.latestHeadSize === undefined ? '' : ` (latest covers ${report.audit.latestHeadSize})`}`,
    ...report.audit.problems.map((problem) =>
      problem.code === 'LOG_TRUNCATED'
        ? `    · signed heads over entries after the restore point (within the RPO): ${problem.message}`
        : `    ✗ ${problem.code}: ${problem.message}`,
    ),
    `  RPO:          ${report.rpoSeconds.toFixed(1)} s (newest write on the backup cluster ${report.events.newestOnBackup?.toISOString() ?? '—'}, newest restored ${report.events.newestRestored?.toISOString() ?? '—'})`,
    `  RTO:          ${report.rtoSeconds.toFixed(1)} s`,
    kept === undefined
      ? `  databases:    restored into the live cluster (${report.cluster.dataDir}), running on port ${report.cluster.port}`
      : kept
        ? `  running:      127.0.0.1:${report.cluster.port}, data in ${report.cluster.dataDir} (stop it with pg_ctl -D ${report.cluster.dataDir} stop)`
        : '  the scratch instance was stopped and its files deleted (--keep leaves it running)',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      vault: { type: 'string' },
      until: { type: 'string' },
      into: { type: 'string' },
      force: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.vault !== undefined && values.into !== undefined && values.from === undefined) return restoreVaultOnly(values.vault, values);
  if (values.from === undefined || values.into === undefined) throw new AppError('RESTORE_ARGUMENT_INVALID', 'invalid', '--from and --into are required');
  if (values.into !== 'scratch' && values.into !== 'live') throw new AppError('RESTORE_ARGUMENT_INVALID', 'invalid', '--into must be scratch or live');
  const until = values.until === undefined ? undefined : new Date(values.until);
  // An operator's tool: a restore into live recreates every topic on the primary, which only Kafka's admin principal
  // may do (the backup service's own principal writes only its drill reports).
  const env = { CRM_LOG_LEVEL: 'silent', CRM_KAFKA_USER: 'admin', ...process.env };
  const config = loadPlatformConfig({ service: 'backup', defaultPort: 0 }, env);
  const pgSettings = pgBackRestSettings(config, env);
  const backup = new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: 'crm-restore' });
  try {
    const runner = new RestoreRunner({
      pgbackrest: new PgBackRest(pgSettings),
      tools: { pgBin: postgresBin(env), runAs: pgSettings.runAs },
      stateDir: config.stateDir,
      live: config.postgres!,
      backup,
      auditVerifier: auditVerifierPath(env),
      env,
    });
    if (values.into === 'live') {
      const primary = new KafkaCluster({ name: 'primary', brokers: config.kafka.primaryBrokers, sasl: config.kafka.sasl, clientId: 'crm-restore' });
      try {
        // Real paths: when the state dir is private (a mode-700 home or mktemp directory), the cluster lives under
        // /var/tmp linked from it, and pg_ctl runs as the postgres OS user, who cannot follow a path through the state dir.
        const live = {
          dataDir: realPath(process.env.CRM_PG_DATA ?? join(config.stateDir, 'postgres', 'data')),
          logFile: realPath(join(config.stateDir, 'logs', 'postgres.log')),
          primary,
        };
        const outcome = await runner.toLive({ from: values.from, until, force: values.force === true }, live, progressPrinter(process.stderr));
        if (process.stderr.isTTY) process.stderr.write('\n');
        if (values.json === true) process.stdout.write(`${JSON.stringify({ ...outcome.report, primary: outcome.primary }, null, 2)}\n`);
        else printLiveReport(outcome.report, outcome.primary);
        return restoredTrailVerified(outcome.report.audit) ? 0 : 1;
      } finally {
        await primary.close();
      }
    }
    const { report, cluster } = await runner.toScratch({ from: values.from, until }, progressPrinter(process.stderr));
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (values.keep !== true) await cluster.discard();
    if (values.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report, values.keep === true);
    return restoredTrailVerified(report.audit) ? 0 : 1;
  } finally {
    await backup.close();
  }
}

async function restoreVaultOnly(from: string, values: { into?: string; force?: boolean; keep?: boolean; json?: boolean }): Promise<number> {
  if (values.into !== 'scratch' && values.into !== 'live') throw new AppError('RESTORE_ARGUMENT_INVALID', 'invalid', '--into must be scratch or live');
  const env = { CRM_LOG_LEVEL: 'silent', ...process.env };
  const config = loadPlatformConfig({ service: 'backup', defaultPort: 0 }, env);
  const backup = new KafkaCluster({ name: 'backup', brokers: config.kafka.backupBrokers, sasl: config.kafka.sasl, clientId: 'crm-restore' });
  try {
    process.stderr.write('» restoring the key vault from its own backup (erasures re-applied first)\n');
    const outcome = await restoreVaultInto({
      from,
      into: values.into,
      force: values.force === true,
      live: config.postgres!,
      settings: vaultBackupSettings(config.stateDir, process.env.CRM_BACKUP_DIR, env),
      backup,
      now: () => new Date(),
    });
    if (values.into === 'scratch' && values.keep !== true) await dropDatabase(config.postgres!, outcome.database);
    const { report } = outcome;
    if (values.json === true) process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    else
      process.stdout.write(
        [
          `key vault restored from ${report.backup.id} (taken ${report.backup.takenAt}) into ${outcome.database}`,
          `  erasures:  ${report.backup.erasures.ledgerSize} in the backup's ledger; ${report.erasures.announced} announced on the backup cluster, ${outcome.liveLedger} in the live ledger`,
          `             ${report.erasures.destroyedAgain} subjects' keys not restored (erased after the backup), ${report.erasures.ledgerAdded} ledger rows added`,
          `  restored:  ${report.restored.epochs} KEK epochs, ${report.restored.dataKeys} wrapped keys, ${report.restored.ledger} erasures`,
          `  RTO:       ${outcome.rtoSeconds.toFixed(1)} s`,
          values.into === 'scratch' && values.keep !== true ? '  the scratch database was dropped (--keep leaves it)' : '',
        ]
          .filter((line) => line !== '')
          .join('\n') + '\n',
      );
    return 0;
  } finally {
    await backup.close();
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    if (process.stderr.isTTY) process.stderr.write('\n');
    const code = error instanceof AppError ? error.code : 'RESTORE_FAILED';
    const message = error instanceof AppError ? error.message : 'the restore failed';
    process.stderr.write(`restore: ${code}: ${message}\n`);
    // Unknown errors can quote what they failed on (a driver's message may hold a value): shown only when asked.
    if (!(error instanceof AppError) && process.env.CRM_RESTORE_DEBUG === '1')
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
