// The analytics command (docs/analytics.md), run by `npm run analytics -- <command>`:
//
//   backfill     republish every subject's record on crm.analytics.v1.contacts from the contacts database
//   rotate-key   a new analytics key: every subject republished under its new pseudonym, a tombstone under the old
//                one, then the new key replaces the old in its file (the contacts service must be stopped)
//
// Progress and an ETA go to stderr; the outcome to stdout. Exit status 0 done, 2 refused or failed (a stable code).
import { NestFactory } from '@nestjs/core';
import { loadPlatformConfig } from '@crm/config';
import { AppError } from '@crm/errors';
import { analyticsKeyFile, beginAnalyticsKeyRotation } from '../analytics-key.js';
import { AnalyticsBackfill, type BackfillProgress } from './analytics-backfill.js';
import { AnalyticsToolModule } from './analytics-tool.module.js';

const USAGE = 'usage: npm run analytics -- backfill | rotate-key\n';

function progressPrinter(stream: NodeJS.WriteStream): (progress: BackfillProgress) => void {
  const started = new Map<string, number>();
  let last = 0;
  return ({ step, done, total }) => {
    const now = Date.now();
    if (!started.has(step)) started.set(step, now);
    if (now - last < 500 && done !== total) return;
    last = now;
    const elapsed = (now - started.get(step)!) / 1000;
    const eta = done > 0 && total > done ? `, ETA ${Math.round((elapsed / done) * (total - done))} s` : '';
    const label = step === 'republish' ? 'republishing subjects' : 'tombstones under the retired key';
    stream.write(
      `${stream.isTTY ? '\r' : ''}» ${label}: ${done}/${total} (${total === 0 ? 100 : Math.floor((done / total) * 100)}%${eta})${stream.isTTY ? '   ' : '\n'}`,
    );
  };
}

async function main(command: string | undefined): Promise<number> {
  if (command !== 'backfill' && command !== 'rotate-key') {
    process.stderr.write(USAGE);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  const config = loadPlatformConfig({ service: 'contacts', defaultPort: 0, postgres: true }, { CRM_LOG_LEVEL: 'silent', ...process.env });
  const app = await NestFactory.createApplicationContext(AnalyticsToolModule.register(config), { logger: false });
  try {
    const backfill = app.get(AnalyticsBackfill);
    const progress = progressPrinter(process.stderr);
    const outcome =
      command === 'backfill'
        ? await backfill.backfill(progress)
        : await backfill.rotate(await beginAnalyticsKeyRotation(analyticsKeyFile(config.stateDir)), progress);
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stdout.write(
      `${command === 'backfill' ? 'analytics streams rebuilt' : 'analytics key rotated'}: ${outcome.subjects} subjects, ${outcome.published} records published` +
        (command === 'rotate-key' ? `, ${outcome.retired} tombstones under the retired key (start the platform to use the new key)` : '') +
        '\n',
    );
    return 0;
  } finally {
    await app.close();
  }
}

main(process.argv[2]).then(
  (status) => process.exit(status),
  (error: unknown) => {
    const code = error instanceof AppError ? error.code : 'ANALYTICS_COMMAND_FAILED';
    // Unknown errors can quote what they failed on: only the code is shown.
    process.stderr.write(`analytics: ${code}${error instanceof AppError ? `: ${error.message}` : ''}\n`);
    process.exit(2);
  },
);
