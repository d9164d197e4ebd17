import { Injectable } from '@nestjs/common';
import { decodePayload, RoleCreatedSchema } from '@crm/contracts';
import type { EventCodec, LoadedState, StateChange, WriteModel } from '@crm/eventstore';
import type { PoolClient } from '@crm/postgres';
import { AccountsRepository } from './accounts.repository.js';
import { identityEvent, IDENTITY_SCHEMA } from './identity.events.js';
import { roleDecider, type CreateRole, type RoleCreated, type RoleState } from './role.decider.js';

const codec: EventCodec<RoleCreated> = {
  encode: async (event) => identityEvent(RoleCreatedSchema, { role: event.name, permissions: event.permissions, mfaRequired: event.mfaRequired }, ''),
  decode: async (envelope) => {
    const message = decodePayload(envelope, RoleCreatedSchema);
    return { type: 'RoleCreated', name: message.role, permissions: message.permissions, mfaRequired: message.mfaRequired };
  },
};

/** Custom roles through the command pipeline: the role's row is its state; two creations of one name cannot both win. */
@Injectable()
export class RoleWriteModel implements WriteModel<CreateRole, RoleState, RoleCreated> {
  readonly decider = roleDecider;
  readonly codec = codec;

  constructor(private readonly accounts: AccountsRepository) {}

  streamOf(command: CreateRole): string {
    return `role-${command.name}`;
  }

  async load(tx: PoolClient, command: CreateRole, streamId: string): Promise<LoadedState<RoleState>> {
    const { rows } = await tx.query<{ exists: boolean; version: string }>(
      `SELECT EXISTS (SELECT 1 FROM ${IDENTITY_SCHEMA}.roles WHERE name = $1) AS exists,
              (SELECT coalesce(max(stream_version), 0)::text FROM ${IDENTITY_SCHEMA}.events WHERE stream_id = $2) AS version`,
      [command.name, streamId],
    );
    return { state: { exists: rows[0]?.exists === true }, version: BigInt(rows[0]?.version ?? '0') };
  }

  async save(tx: PoolClient, { events }: StateChange<CreateRole, RoleState, RoleCreated>): Promise<void> {
    for (const event of events) await this.accounts.insertRole(tx, event.name, event.permissions, event.mfaRequired);
  }
}
