// The audit verifier as a command (docs/audit.md):
//
//   node services/audit/dist/verifying/verify-cli.js [--source db|api] [--public-key FILE|HEX] [--json]
//        [--api-url URL --token-file FILE]  [--heads-topic TOPIC] [--heads-from primary|backup]
//
// It reads every signed tree head from Kafka, checks each signature under the pinned public key, rebuilds the
// Merkle tree from the audit entries (straight from the audit database, or paged through the API with a DPO's
// token, which also checks the heads pairwise with consistency proofs) and compares every signed root.
// Exit status: 0 verified, 1 tampering or inconsistency found, 2 could not run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPlatformConfig } from '@crm/config';
import { KafkaCluster } from '@crm/messaging';
import { createPool } from '@crm/postgres';
import { loadAuditConfig } from '../audit.config.js';
import { EntriesStore } from '../trail/entries.store.js';
import { TreeHeadKey } from '../tree-heads/tree-head.key.js';
import type { Verdict } from './audit-log.verifier.js';
import { AuditApiClient } from './entry.sources.js';
import { verifyApi, verifyDatabase } from './verify.runner.js';

const USAGE = `usage: verify-cli [--source db|api] [--public-key FILE|HEX] [--api-url URL] [--token-file FILE] [--heads-topic TOPIC] [--json]
  --source db        read entries from the audit database (CRM_PG_* settings, database "audit", schema CRM_AUDIT_SCHEMA)
  --source api       page entries through the audit API with a DPO token (--token-file or CRM_AUDIT_TOKEN)
  --public-key       the tree-head public key to trust (PEM file or 64 hex); default <state>/audit/tree-head-signing.pub
  --heads-topic      default crm.audit.v1.tree-heads (CRM_AUDIT_TREE_HEADS_TOPIC)
  --heads-from       the cluster the heads are read from: primary (default) or backup (the mirrored copy; restores)
`;

function readKey(value: string): TreeHeadKey {
  return TreeHeadKey.fromPublic(/^[0-9a-fA-F]{64}$/.test(value.trim()) ? value : readFileSync(value, 'utf8'));
}

function print(verdict: Verdict, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
    return;
  }
  const lines = [
    `audit log ${verdict.logId}: ${verdict.verified ? 'VERIFIED' : 'NOT VERIFIED'}`,
    `  entries read:         ${verdict.entries}`,
    `  signed heads checked: ${verdict.headsChecked}${verdict.latestHead === undefined ? '' : ` (latest: size ${verdict.latestHead.treeSize}, ${verdict.latestHead.timestamp})`}`,
    `  not yet signed:       ${verdict.unsignedEntries} entries after the latest head`,
    ...verdict.problems.map((problem) => `  ✗ ${problem.code}: ${problem.message}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string', default: 'db' },
      'public-key': { type: 'string' },
      'api-url': { type: 'string', default: process.env.CRM_GATEWAY_URL ?? 'http://127.0.0.1:8080' },
      'token-file': { type: 'string' },
      'heads-topic': { type: 'string' },
      'heads-from': { type: 'string', default: 'primary' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const headsFrom = values['heads-from'];
  if (values.help === true || (values.source !== 'db' && values.source !== 'api') || (headsFrom !== 'primary' && headsFrom !== 'backup')) {
    process.stderr.write(USAGE);
    return values.help === true ? 0 : 2;
  }
  const env = { CRM_STATE_DIR: join(process.cwd(), '.crm'), CRM_LOG_LEVEL: 'silent', ...process.env };
  const platform = loadPlatformConfig({ service: 'audit', defaultPort: 0, postgres: values.source === 'db' }, env);
  const audit = loadAuditConfig(env);
  const key = readKey(values['public-key'] ?? TreeHeadKey.publicKeyPath(platform.stateDir));
  const topic = values['heads-topic'] ?? audit.treeHeadsTopic;
  const brokers = headsFrom === 'backup' ? platform.kafka.backupBrokers : platform.kafka.primaryBrokers;
  const kafka = new KafkaCluster({ name: headsFrom, brokers, sasl: platform.kafka.sasl, clientId: 'crm-audit-verifier' });
  try {
    let verdict: Verdict;
    if (values.source === 'db') {
      const pool = createPool(platform.postgres!, { max: 2, applicationName: 'audit-verifier' });
      try {
        verdict = await verifyDatabase(new EntriesStore(pool, audit.schema), kafka, key, { topic });
      } finally {
        await pool.end();
      }
    } else {
      const token = values['token-file'] === undefined ? process.env.CRM_AUDIT_TOKEN : readFileSync(values['token-file'], 'utf8').trim();
      if (token === undefined || token === '') throw new Error('--source api needs a DPO access token (--token-file or CRM_AUDIT_TOKEN)');
      verdict = await verifyApi(new AuditApiClient(values['api-url']!, token), kafka, key, { topic });
    }
    print(verdict, values.json === true);
    return verdict.verified ? 0 : 1;
  } finally {
    await kafka.close();
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`verify-cli: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
