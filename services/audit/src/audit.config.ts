import { z } from 'zod';
import { loadConfig, type Env } from '@crm/config';
import { accessTopic } from '@crm/platform';
import { REGISTER_TOPIC } from './register/register.events.js';
import { TREE_HEADS_TOPIC } from './tree-heads/tree-heads.topic.js';

const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/);

export interface AuditConfig {
  /** Postgres schema of the audit store and the register (in the `audit` database). */
  schema: string;
  /** Event topics to record; matched against the cluster's topic list at start and every `discoveryIntervalMs`. */
  topicPattern: RegExp;
  discoveryIntervalMs: number;
  /** How often a new tree head is signed when the tree grew. */
  signIntervalMs: number;
  /** Whether this process consumes and signs (off: a read-only API replica, or a test that feeds the store itself). */
  ingest: boolean;
  maxBatchSize: number;
  /** Where signed tree heads are published (outside the audit database). */
  treeHeadsTopic: string;
  /** Where DPO queries are recorded as access events. */
  accessTopic: string;
  /** Where register changes are published. */
  registerTopic: string;
  /** Whether the platform drafts the register's missing built-in activities at start (`CRM_AUDIT_DRAFT_REGISTER`). */
  draftRegister: boolean;
  /** The scheduled verification against the heads mirrored on the backup cluster (cron, time zone, BullMQ prefix). */
  verifySchedule: string;
  verifyTimezone: string;
  jobsPrefix: string;
}

export function loadAuditConfig(env: Env = process.env): AuditConfig {
  const parsed = loadConfig(
    z.object({
      CRM_AUDIT_SCHEMA: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/)
        .default('audit'),
      CRM_AUDIT_TOPIC_PATTERN: z
        .string()
        .default('^crm\\.([a-z]+\\.v1\\.events|access\\.v1\\.[a-z]+)$')
        .refine((value) => {
          try {
            new RegExp(value);
            return true;
          } catch {
            return false;
          }
        }, 'must be a regular expression'),
      CRM_AUDIT_DISCOVERY_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
      CRM_AUDIT_SIGN_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
      CRM_AUDIT_INGEST: z.enum(['on', 'off']).default('on'),
      CRM_AUDIT_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).default(1_000),
      CRM_AUDIT_TREE_HEADS_TOPIC: topicName.default(TREE_HEADS_TOPIC),
      CRM_AUDIT_ACCESS_TOPIC: topicName.default(accessTopic('audit')),
      CRM_AUDIT_REGISTER_TOPIC: topicName.default(REGISTER_TOPIC),
      CRM_AUDIT_DRAFT_REGISTER: z.enum(['on', 'off']).default('on'),
      CRM_AUDIT_VERIFY_SCHEDULE: z.string().trim().min(9).max(100).default('30 4 * * *'),
      CRM_AUDIT_VERIFY_TIMEZONE: z.string().min(1).max(64).default('UTC'),
      CRM_AUDIT_JOBS_PREFIX: z.string().min(1).max(64).default('crm:audit'),
    }),
    env,
  );
  return {
    schema: parsed.CRM_AUDIT_SCHEMA,
    topicPattern: new RegExp(parsed.CRM_AUDIT_TOPIC_PATTERN),
    discoveryIntervalMs: parsed.CRM_AUDIT_DISCOVERY_INTERVAL_MS,
    signIntervalMs: parsed.CRM_AUDIT_SIGN_INTERVAL_MS,
    ingest: parsed.CRM_AUDIT_INGEST === 'on',
    maxBatchSize: parsed.CRM_AUDIT_MAX_BATCH,
    treeHeadsTopic: parsed.CRM_AUDIT_TREE_HEADS_TOPIC,
    accessTopic: parsed.CRM_AUDIT_ACCESS_TOPIC,
    registerTopic: parsed.CRM_AUDIT_REGISTER_TOPIC,
    draftRegister: parsed.CRM_AUDIT_DRAFT_REGISTER === 'on',
    verifySchedule: parsed.CRM_AUDIT_VERIFY_SCHEDULE,
    verifyTimezone: parsed.CRM_AUDIT_VERIFY_TIMEZONE,
    jobsPrefix: parsed.CRM_AUDIT_JOBS_PREFIX,
  };
}
