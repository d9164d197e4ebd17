/** One dependency a service needs to do its work. `check` resolves when the dependency answers, rejects otherwise. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'up' | 'down';
  checks: Record<string, CheckResult>;
}

const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check in parallel, each bounded by a timeout, so one hung dependency cannot hang the probe. */
export async function runChecks(checks: readonly HealthCheck[], timeoutMs = CHECK_TIMEOUT_MS): Promise<ReadinessReport> {
  const entries = await Promise.all(
    checks.map(async (check): Promise<[string, CheckResult]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check.check(), timeout]);
        return [check.name, { status: 'up', latencyMs: elapsed(started) }];
      } catch (error) {
        return [check.name, { status: 'down', latencyMs: elapsed(started), error: describe(error) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checksByName = Object.fromEntries(entries);
  const status = entries.every(([, result]) => result.status === 'up') ? 'up' : 'down';
  return { status, checks: checksByName };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

/** Dependency errors are about hosts and ports, never personal data; still, keep them to one short line. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.split('\n')[0]!.slice(0, 200);
}
