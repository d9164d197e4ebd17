import type { RegisterActivity, RegisterProcessor } from '../register/register.model.js';

/** How long data of a purpose is kept, as an approved activity declares it: an ISO 8601 duration or `until-withdrawal`. */
export interface NoticeRetention {
  period: string;
  note?: string;
}

/** What the register's approved activities say of one purpose of the notice. */
export interface NoticeRegisterPurpose {
  code: string;
  /** False when no approved activity declares the purpose (the notice then says so, rather than stay silent). */
  declared: boolean;
  retention: NoticeRetention[];
  recipients: string[];
  /** Names of the active processors (and their active sub-processors) the activities rely on. */
  processors: string[];
  transfers: Array<{ country: string; recipient: string; safeguard: string }>;
}

/** The register's part of a notice: per purpose, and every processor named, with where it processes. */
export interface NoticeRegister {
  purposes: NoticeRegisterPurpose[];
  processors: Array<{ name: string; country: string; services?: string }>;
}

const unique = <T>(items: readonly T[], key: (item: T) => string): T[] => {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

/**
 * Pure: the register's part of a notice for these purposes (in their order). Only **approved** activities speak for
 * the controller — a draft is a proposal nobody has reviewed — and only **active** processors act for it (with their
 * active sub-processors, Art. 28(2)). Lists keep the order of activities by name, without repeats, so the same
 * register always gives the same notice (and content hash).
 */
export function noticeRegister(
  purposeCodes: readonly string[],
  activities: readonly RegisterActivity[],
  processors: readonly RegisterProcessor[],
): NoticeRegister {
  const approved = activities
    .filter((activity) => activity.status === 'approved')
    .sort((a, b) => a.document.name.localeCompare(b.document.name) || a.id.localeCompare(b.id));
  const active = processors.filter((processor) => processor.document.status === 'active');
  const byId = new Map(active.map((processor) => [processor.id, processor]));
  const withSubProcessors = (ids: readonly string[]): RegisterProcessor[] =>
    ids.flatMap((id) => {
      const processor = byId.get(id);
      return processor === undefined ? [] : [processor, ...active.filter((sub) => sub.document.parentProcessorId === id)];
    });
  const named: RegisterProcessor[] = [];
  const purposes = purposeCodes.map((code): NoticeRegisterPurpose => {
    const declaring = approved.filter((activity) => activity.document.purposes.includes(code));
    const used = unique(withSubProcessors(declaring.flatMap((activity) => activity.document.processorIds)), (processor) => processor.id);
    named.push(...used);
    return {
      code,
      declared: declaring.length > 0,
      retention: unique(
        declaring.map(({ document }) =>
          document.retentionNote === undefined ? { period: document.retentionPeriod } : { period: document.retentionPeriod, note: document.retentionNote },
        ),
        (retention) => `${retention.period}\u0000${retention.note ?? ''}`,
      ),
      recipients: unique(
        declaring.flatMap((activity) => activity.document.recipients),
        (recipient) => recipient,
      ),
      processors: used.map((processor) => processor.document.name),
      transfers: unique(
        declaring.flatMap((activity) =>
          activity.document.thirdCountryTransfers.map(({ country, recipient, safeguard }) => ({ country, recipient, safeguard })),
        ),
        (transfer) => `${transfer.country}\u0000${transfer.recipient}\u0000${transfer.safeguard}`,
      ),
    };
  });
  return {
    purposes,
    processors: unique(named, (processor) => processor.id)
      .sort((a, b) => a.document.name.localeCompare(b.document.name) || a.id.localeCompare(b.id))
      .map(({ document }) =>
        document.services === undefined
          ? { name: document.name, country: document.country }
          : { name: document.name, country: document.country, services: document.services },
      ),
  };
}
