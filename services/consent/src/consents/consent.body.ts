import { z } from 'zod';
import { CONSENT_CHANNELS, EVIDENCE_KINDS } from './consent.decider.js';

// The request bodies' building blocks. Purposes are plain strings here, checked against the catalogue by the
// decisions (so an unknown one gets its own code, CONSENT_PURPOSE_UNKNOWN, not the generic REQUEST_INVALID).

export const purposeCode = z.string().min(1).max(64);
export const channelSchema = z.enum(CONSENT_CHANNELS);
/** A privacy-notice version's shape (`pl-3`); whether it names a published version is the decision's to say. */
export const noticeVersionSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/);
export const evidenceSchema = z.object({ kind: z.enum(EVIDENCE_KINDS), reference: z.string().min(1).max(500) }).strict();
