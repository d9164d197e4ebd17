import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { PostgresSettings } from '@crm/config';
import { AppError } from '@crm/http';
import { createPool } from '@crm/postgres';

/** Where the cluster's tools are and which OS user runs them (the cluster's owner when the caller is root). */
export interface ClusterTools {
  /** PostgreSQL's bin directory (pg_ctl); infra.env's CRM_PG_BIN. */
  pgBin: string;
  runAs: string | undefined;
}

/** The PostgreSQL bin directory: CRM_PG_BIN (infra.env), else the newest /usr/lib/postgresql/<n>/bin. */
export function postgresBin(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CRM_PG_BIN !== undefined && env.CRM_PG_BIN !== '') return env.CRM_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new AppError('RESTORE_TOOL_MISSING', 'unavailable', 'PostgreSQL is not installed where the restore runs (set CRM_PG_BIN)');
  return join(root, newest, 'bin');
}

/**
 * The directory scratch restores go to: private (mode 700) and, as root, owned by the cluster's OS user, who runs
 * pgBackRest and the scratch postgres. As root it is under /var/tmp (that user may not traverse the state dir), made
 * without following a planted symbolic link; otherwise inside the state directory.
 */
export function scratchRoot(stateDir: string, runAs: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const root =
    env.CRM_RESTORE_DIR ??
    (runAs === undefined ? join(stateDir, 'restore') : `/var/tmp/crm-restore-${createHash('sha256').update(stateDir).digest('hex').slice(0, 12)}`);
  if (!existsSync(root)) mkdirSync(root, { mode: 0o700, recursive: runAs === undefined });
  const stat = lstatSync(root);
  if (!stat.isDirectory() || stat.isSymbolicLink())
    throw new AppError('RESTORE_DIR_UNSAFE', 'conflict', 'the scratch restore directory is not a plain directory');
  if (runAs !== undefined) {
    const uid = Number(execFileSync('id', ['-u', runAs], { encoding: 'utf8' }).trim());
    if (stat.uid !== uid && stat.uid !== 0) throw new AppError('RESTORE_DIR_UNSAFE', 'conflict', 'the scratch restore directory belongs to someone else');
    chownSync(root, uid, Number(execFileSync('id', ['-g', runAs], { encoding: 'utf8' }).trim()));
  }
  return root;
}

/**
 * `path` with every symbolic link resolved (a file that does not exist yet: its directory's), for the cluster's OS
 * user, who may not traverse the directory a link lives in.
 */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A PostgreSQL instance on a restored data directory. A scratch one runs beside the live one: its own port on
 * 127.0.0.1, its own socket directory, WAL archiving off; nothing of the platform connects to it, the restore and the
 * drill do, with the roles and passwords the snapshot holds. The live one (`ScratchCluster.live`) is the platform's own
 * data directory, started with its own configuration once the restore has replaced its files.
 */
export class ScratchCluster {
  readonly dataDir: string;
  readonly #logFile: string;
  readonly #livePort: number | undefined;
  #port: number | undefined;

  constructor(
    readonly home: string,
    private readonly tools: ClusterTools,
    private readonly live: PostgresSettings,
    options: { dataDir?: string; logFile?: string; live?: boolean } = {},
  ) {
    this.dataDir = options.dataDir ?? join(home, 'data');
    this.#logFile = options.logFile ?? join(home, 'postgres.log');
    this.#livePort = options.live === true ? live.port : undefined;
  }

  /** The platform's own cluster: its data directory (infra.env's CRM_PG_DATA), its port and configuration. */
  static live(dataDir: string, logFile: string, tools: ClusterTools, live: PostgresSettings): ScratchCluster {
    return new ScratchCluster(dirname(dataDir), tools, live, { dataDir, logFile, live: true });
  }

  get port(): number {
    if (this.#port === undefined) throw new Error('the cluster is not running');
    return this.#port;
  }

  /** Makes `home` and an empty data directory for pgBackRest to restore into. */
  prepare(): void {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    mkdirSync(join(this.home, 'run'), { recursive: true, mode: 0o700 });
    if (this.tools.runAs !== undefined) execFileSync('chown', ['-R', `${this.tools.runAs}:`, this.home]);
  }

  /** Starts postgres on the restored directory; it replays the archive, then promotes (or stops at the target). */
  async start(): Promise<void> {
    if (this.#livePort !== undefined) {
      // Its own configuration (port, socket directory, archiving) came back with the files.
      await this.#pgCtl(['start', '-w', '-t', '3600', '-s', '-l', this.#logFile]);
      this.#port = this.#livePort;
      return this.#awaitPromoted();
    }
    const port = await freePort();
    const options = [
      `-c port=${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${join(this.home, 'run')}'`,
      '-c archive_mode=off',
      '-c shared_buffers=32MB',
    ].join(' ');
    await this.#pgCtl(['start', '-w', '-t', '3600', '-s', '-l', this.#logFile, '-o', options]);
    this.#port = port;
    await this.#awaitPromoted();
  }

  /** Settings for a database of the restored cluster, with the live roles' credentials (restored with it). */
  settings(database: string): PostgresSettings {
    return { ...this.live, host: this.#livePort === undefined ? '127.0.0.1' : this.live.host, port: this.port, database };
  }

  /** Whether a postmaster runs on the data directory (its pid file is there). */
  running(): boolean {
    return existsSync(join(this.dataDir, 'postmaster.pid'));
  }

  async stop(): Promise<void> {
    if (!this.running()) return;
    await this.#pgCtl(['stop', '-m', 'fast', '-w', '-t', '120', '-s']);
  }

  /** Stops it and deletes every file of it. */
  async discard(): Promise<void> {
    if (this.#livePort !== undefined) throw new Error('the live cluster is never discarded');
    await this.stop().catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }

  async #awaitPromoted(): Promise<void> {
    const pool = createPool(this.settings('postgres'), { max: 1, applicationName: 'crm-restore' });
    try {
      for (;;) {
        const { rows } = await pool.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering').catch(() => ({ rows: [{ recovering: true }] }));
        if (rows[0]?.recovering === false) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await pool.end();
    }
  }

  #pgCtl(args: string[]): Promise<void> {
    const command = [join(this.tools.pgBin, 'pg_ctl'), '-D', this.dataDir, ...args];
    const [file, ...argv] = this.tools.runAs === undefined ? command : ['runuser', '-u', this.tools.runAs, '--', ...command];
    return new Promise((resolve, reject) => {
      execFile(file!, argv, { cwd: '/', timeout: 4 * 3_600_000 }, (error) =>
        error === null
          ? resolve()
          : reject(new AppError('RESTORE_FAILED', 'unavailable', `pg_ctl ${args[0]} on the restored cluster failed; see ${this.#logFile}`)),
      );
    });
  }
}
