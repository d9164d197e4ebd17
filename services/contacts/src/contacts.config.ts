import { z } from 'zod';
import { loadConfig, type Env } from '@crm/config';

export const CONTACTS_CONFIG = Symbol('CONTACTS_CONFIG');

export interface ContactsConfig {
  /** GDPR Art. 9 data (the catalogue's `special` category) is refused unless the deployment turns this on. */
  allowSpecialCategories: boolean;
  /** Exports one user may start per hour (bulk export is the breach-shaped operation). */
  exportsPerHour: number;
  /** Largest export, in contacts. */
  maxExportRows: number;
  /** KEK rotation: erasures are complete (every copy unreadable) within `days` (+1 day for the daily check). */
  kekRotation: { days: number; schedule: string; timezone: string };
  /** The retention sweep: when it runs, how long a silent run keeps its lease, how many contacts per batch. */
  retention: { schedule: string; timezone: string; leaseSeconds: number; batchSize: number };
  /**
   * Import jobs: rows created per transaction, and how long a worker holds a job without renewing its lock (a process
   * that dies mid-import leaves the job to another worker once the lock has lapsed).
   */
  imports: { batchSize: number; lockSeconds: number };
}

export function loadContactsConfig(env: Env = process.env): ContactsConfig {
  const parsed = loadConfig(
    z.object({
      CRM_CONTACTS_SPECIAL_CATEGORIES: z.enum(['enabled', 'disabled']).default('disabled'),
      CRM_CONTACTS_EXPORTS_PER_HOUR: z.coerce.number().int().min(1).max(1_000).default(10),
      CRM_CONTACTS_MAX_EXPORT_ROWS: z.coerce.number().int().min(1).max(100_000).default(10_000),
      CRM_KEK_ROTATION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
      CRM_KEK_ROTATION_SCHEDULE: z.string().min(9).default('30 3 * * *'),
      CRM_KEK_ROTATION_TIMEZONE: z.string().min(1).default('UTC'),
      CRM_RETENTION_SCHEDULE: z.string().min(9).default('0 2 * * *'),
      CRM_RETENTION_TIMEZONE: z.string().min(1).default('UTC'),
      CRM_RETENTION_LEASE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
      CRM_RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(200),
      CRM_CONTACTS_IMPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(100),
      CRM_CONTACTS_IMPORT_LOCK_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
    }),
    env,
  );
  return {
    allowSpecialCategories: parsed.CRM_CONTACTS_SPECIAL_CATEGORIES === 'enabled',
    exportsPerHour: parsed.CRM_CONTACTS_EXPORTS_PER_HOUR,
    maxExportRows: parsed.CRM_CONTACTS_MAX_EXPORT_ROWS,
    kekRotation: { days: parsed.CRM_KEK_ROTATION_DAYS, schedule: parsed.CRM_KEK_ROTATION_SCHEDULE, timezone: parsed.CRM_KEK_ROTATION_TIMEZONE },
    retention: {
      schedule: parsed.CRM_RETENTION_SCHEDULE,
      timezone: parsed.CRM_RETENTION_TIMEZONE,
      leaseSeconds: parsed.CRM_RETENTION_LEASE_SECONDS,
      batchSize: parsed.CRM_RETENTION_BATCH_SIZE,
    },
    imports: { batchSize: parsed.CRM_CONTACTS_IMPORT_BATCH_SIZE, lockSeconds: parsed.CRM_CONTACTS_IMPORT_LOCK_SECONDS },
  };
}
