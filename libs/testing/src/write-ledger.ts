/** One write a client attempted, and whether the platform acknowledged it (a 2xx). */
export interface WriteAttempt {
  /** The stream the write goes to (a contact id). */
  stream: string;
  /** The event type a successful write records, e.g. `crm.contacts.v1.ContactRectified`. */
  kind: string;
  acknowledged: boolean;
}

/** An event as a store holds it. */
export interface HeldEvent {
  eventId: string;
  stream: string;
  kind: string;
}

/** What the stores hold for the streams written: the event store is the truth, the rest are copies of it. */
export interface HeldWrites {
  eventStore: readonly HeldEvent[];
  /** Every other place each event must reach exactly once, by name (topic, audit trail, …): the events found there. */
  copies: Readonly<Record<string, ReadonlyArray<Pick<HeldEvent, 'eventId' | 'stream'>>>>;
  /** Each stream's version in the read model (absent: the read model does not have it). */
  readModelVersions: ReadonlyMap<string, number>;
}

/**
 * Compares the writes clients attempted with what every store holds, as Kafka's replication tests compare acked
 * records with what consumers read. Per stream and event type the event store holds at least the acknowledged writes
 * (none lost) and at most the attempted ones (none applied twice; a refused or unanswered write may or may not have
 * happened); every event it holds is in each copy exactly once and no copy
 * holds one it does not; the read model is at the version the event store says. Returns the problems found, empty when there are none.
 */
export function compareWrites(attempts: readonly WriteAttempt[], held: HeldWrites): string[] {
  const problems: string[] = [];
  const streams = new Set(attempts.map((attempt) => attempt.stream));
  const key = (stream: string, kind: string) => `${stream} ${kind}`;
  const tally = new Map<string, { acknowledged: number; attempted: number; held: number }>();
  const entry = (stream: string, kind: string) => {
    const k = key(stream, kind);
    let found = tally.get(k);
    if (found === undefined) tally.set(k, (found = { acknowledged: 0, attempted: 0, held: 0 }));
    return found;
  };
  for (const attempt of attempts) {
    const found = entry(attempt.stream, attempt.kind);
    found.attempted += 1;
    if (attempt.acknowledged) found.acknowledged += 1;
  }
  const truth = held.eventStore.filter((event) => streams.has(event.stream));
  for (const event of truth) entry(event.stream, event.kind).held += 1;
  for (const [k, { acknowledged, attempted, held: count }] of tally) {
    if (count < acknowledged) problems.push(`lost: ${k}: ${acknowledged} acknowledged, ${count} in the event store`);
    if (count > attempted) problems.push(`applied twice: ${k}: ${attempted} attempted, ${count} in the event store`);
  }
  const truthIds = new Set(truth.map((event) => event.eventId));
  for (const [name, events] of Object.entries(held.copies)) {
    const counts = new Map<string, number>();
    for (const { eventId: id } of events.filter((event) => streams.has(event.stream))) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const id of truthIds) {
      const count = counts.get(id) ?? 0;
      if (count !== 1) problems.push(`${name}: event ${id} held ${count} times`);
    }
    for (const id of counts.keys()) if (!truthIds.has(id)) problems.push(`${name}: event ${id} is not in the event store`);
  }
  const perStream = new Map<string, number>();
  for (const event of truth) perStream.set(event.stream, (perStream.get(event.stream) ?? 0) + 1);
  for (const [stream, events] of perStream) {
    const version = held.readModelVersions.get(stream);
    if (version !== events) problems.push(`read model: ${stream} at version ${version ?? 'none'}, the event store has ${events} events`);
  }
  return problems;
}
