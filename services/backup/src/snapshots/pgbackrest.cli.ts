import { execFile, type ExecFileException } from 'node:child_process';
import { AppError } from '@crm/http';

/** How the service reaches pgBackRest: deploy/local/postgres.sh writes these into infra.env (CRM_PGBACKREST_*). */
export interface PgBackRestSettings {
  /** The generated pgbackrest.conf (repository path, cipher, retention, the cluster). */
  config: string;
  stanza: string;
  /** The OS user pgBackRest runs as (the cluster's owner) when the service runs as root; undefined: as the service. */
  runAs: string | undefined;
}

/** One backup in the repository, as `pgbackrest info --output=json` describes it. */
export interface RepositoryBackup {
  label: string;
  type: 'full' | 'diff' | 'incr';
  startedAt: Date;
  stoppedAt: Date;
  /** The cluster's size, and what the backup added to the repository (compressed, encrypted). */
  sizeBytes: number;
  repositoryDeltaBytes: number;
  /** The WAL range a restore of it needs. */
  walStart: string;
  walStop: string;
  error: boolean;
}

interface InfoJson {
  backup?: Array<{
    label: string;
    type: 'full' | 'diff' | 'incr';
    error?: boolean;
    timestamp: { start: number; stop: number };
    info: { size: number; repository: { delta: number } };
    archive: { start: string; stop: string };
  }>;
}

/**
 * pgBackRest's command line, run without a shell (arguments are never interpolated). Its errors become stable codes:
 * pgBackRest's own error number is kept in the message, never its whole output (it can name paths and settings).
 */
export class PgBackRest {
  constructor(private readonly settings: PgBackRestSettings) {}

  backup(type: 'full' | 'diff'): Promise<string> {
    return this.#run(['backup', `--type=${type}`], 3_600_000);
  }

  verify(): Promise<string> {
    return this.#run(['verify'], 3_600_000);
  }

  /** Checks the archive works: switches to a new WAL segment and waits until the finished one is archived. */
  check(): Promise<string> {
    return this.#run(['check'], 600_000, 'BACKUP_ARCHIVE_CHECK_FAILED');
  }

  /**
   * Restores one backup into a data directory (`pgPath`, which the OS user pgBackRest runs as can write). A scratch
   * copy gets WAL archiving off (it must never push into the repository it came from); a live restore keeps it, and
   * its new timeline goes on archiving. `overwrite` restores over what the directory holds (delta). Recovery then
   * replays the archive: to its end, or to `until` and promotes there.
   */
  restore(options: { pgPath: string; set: string; until?: Date; live?: boolean; overwrite?: boolean }): Promise<string> {
    // PostgreSQL's recovery_target_time takes '2026-12-01 11:43:03.863+00', not the ISO form with T and Z.
    const target =
      options.until === undefined
        ? []
        : ['--type=time', `--target=${options.until.toISOString().replace('T', ' ').replace('Z', '+00')}`, '--target-action=promote'];
    const mode = options.live === true ? [] : ['--archive-mode=off'];
    const overwrite = options.overwrite === true ? ['--delta', '--force'] : [];
    return this.#run(['restore', `--pg1-path=${options.pgPath}`, `--set=${options.set}`, ...mode, ...overwrite, ...target], 6 * 3_600_000, 'RESTORE_FAILED');
  }

  async info(): Promise<RepositoryBackup[]> {
    const [stanza] = JSON.parse(await this.#run(['info', '--output=json'], 120_000)) as InfoJson[];
    return (stanza?.backup ?? []).map((backup) => ({
      label: backup.label,
      type: backup.type,
      startedAt: new Date(backup.timestamp.start * 1000),
      stoppedAt: new Date(backup.timestamp.stop * 1000),
      sizeBytes: backup.info.size,
      repositoryDeltaBytes: backup.info.repository.delta,
      walStart: backup.archive.start,
      walStop: backup.archive.stop,
      error: backup.error === true,
    }));
  }

  #run(args: string[], timeoutMs: number, failureCode = 'SNAPSHOT_FAILED'): Promise<string> {
    const command = ['pgbackrest', `--config=${this.settings.config}`, `--stanza=${this.settings.stanza}`, ...args];
    const [file, ...argv] = this.settings.runAs === undefined ? command : ['runuser', '-u', this.settings.runAs, '--', ...command];
    return new Promise((resolve, reject) => {
      // cwd /: the cluster's owner may not be able to read the service's working directory.
      execFile(file!, argv, { cwd: '/', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        reject(pgBackRestError(args[0]!, error, `${stderr}\n${stdout}`, failureCode));
      });
    });
  }
}

/** pgBackRest's error numbers (its `ERROR: [nnn]:` prefix) that callers act on. */
const LOCK_ERRORS = new Set([50]); // LockAcquireError: another backup (or stanza command) holds the lock

function pgBackRestError(command: string, error: ExecFileException, output: string, failureCode: string): AppError {
  if (error.code === 'ENOENT') {
    return new AppError('SNAPSHOT_TOOL_MISSING', 'unavailable', 'pgbackrest is not installed where the backup service runs', { retriable: false });
  }
  const number = Number(/ERROR: \[(\d+)\]/.exec(output)?.[1] ?? Number.NaN);
  if (LOCK_ERRORS.has(number)) {
    return new AppError('SNAPSHOT_IN_PROGRESS', 'conflict', 'another snapshot is being taken; try again when it has finished', { retriable: true });
  }
  const why = error.killed === true ? 'it timed out' : Number.isNaN(number) ? `exit ${String(error.code)}` : `pgBackRest error ${number}`;
  return new AppError(failureCode, 'unavailable', `pgbackrest ${command} failed (${why}); see the pgBackRest log`, { retriable: true });
}
