// Runs one of a service's commands (a script of its dist/) with the environment the platform starts that service
// with: its own Postgres role and Kafka principal, only its own secrets (tools/service-env.ts, docs/security.md).
//   node tools/service-run.ts <service> <script> [arguments…]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { serviceEnvironment } from './service-env.ts';

const [service, script, ...args] = process.argv.slice(2);
if (service === undefined || script === undefined) {
  process.stderr.write('usage: node tools/service-run.ts <service> <script> [arguments…]\n');
  process.exit(2);
}
const stateDir = process.env.CRM_STATE_DIR ?? join(import.meta.dirname, '..', '.crm');
const run = spawnSync(process.execPath, ['--enable-source-maps', script, ...args], {
  env: serviceEnvironment(service, process.env, stateDir),
  stdio: 'inherit',
});
process.exit(run.status ?? 2);
