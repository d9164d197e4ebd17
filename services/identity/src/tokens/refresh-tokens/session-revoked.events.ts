import { SessionRevocationReason as Wire, SessionRevokedSchema } from '@crm/contracts';
import type { CommandPipeline } from '@crm/eventstore';
import { identityEvent, identityMetadata, recordAuthEvent } from '../../accounts/identity.events.js';
import type { RevokedSession } from './refresh-token.store.js';
import type { SessionRevocationReason } from './refresh-token.rules.js';

const TO_WIRE: Record<SessionRevocationReason, Wire> = {
  logout: Wire.LOGOUT,
  logout_everywhere: Wire.LOGOUT_EVERYWHERE,
  refresh_token_reused: Wire.REUSE_DETECTED,
  password_changed: Wire.PASSWORD_CHANGED,
  mfa_changed: Wire.MFA_CHANGED,
  roles_changed: Wire.ROLES_CHANGED,
  user_disabled: Wire.USER_DISABLED,
  administrator: Wire.ADMINISTRATIVE,
};

/** Every ended session is a `SessionRevoked` event for the audit trail, whoever or whatever ended it. */
export async function recordSessionsRevoked(pipeline: CommandPipeline, sessions: RevokedSession[], reason: SessionRevocationReason): Promise<void> {
  for (const { sessionId, userId } of sessions) {
    await recordAuthEvent(
      pipeline,
      identityEvent(SessionRevokedSchema, { userId, sessionId, reason: TO_WIRE[reason] }, userId),
      identityMetadata(userId, `session-${sessionId}`),
    );
  }
}
