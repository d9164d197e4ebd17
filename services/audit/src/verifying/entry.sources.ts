import { fromHex } from '@crm/merkle';
import type { StoredAuditEntry } from '../trail/audit-entry.model.js';
import type { EntriesStore } from '../trail/entries.store.js';
import { fromEntryView, type EntryView } from '../trail/entry.view.js';

const DB_CHUNK = 10_000;

/** Every entry of the audit database in leaf order, read in chunks so a million entries never sit in memory at once. */
export async function* databaseEntries(store: EntriesStore): AsyncGenerator<StoredAuditEntry> {
  let after = -1;
  for (;;) {
    const chunk = await store.entriesAfter(after, DB_CHUNK);
    yield* chunk;
    if (chunk.length < DB_CHUNK) return;
    after = chunk.at(-1)!.leafIndex;
  }
}

/** A client of the audit API (directly or through the gateway) with a DPO's access token. */
export class AuditApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async get<T>(path: string): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), { headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' } });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { code?: string };
      throw new Error(`GET ${path} answered ${response.status} ${body.code ?? ''}`.trim());
    }
    return (await response.json()) as T;
  }

  /** Every entry in leaf order, paging through `GET /v1/audit/entries`. */
  async *entries(): AsyncGenerator<StoredAuditEntry> {
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page: { entries: EntryView[]; nextCursor: string | null } = await this.get(`/v1/audit/entries?limit=500${query}`);
      for (const view of page.entries) yield fromEntryView(view);
      cursor = page.nextCursor;
    } while (cursor !== null);
  }

  async consistencyProof(oldSize: number, newSize: number): Promise<Uint8Array[]> {
    const answer = await this.get<{ proof: string[] }>(`/v1/audit/consistency?from=${oldSize}&to=${newSize}`);
    return answer.proof.map(fromHex);
  }

  async logId(): Promise<string> {
    return (await this.get<{ logId: string }>('/v1/audit/public-key')).logId;
  }
}
