import type { z } from 'zod';
import { auditApi } from '@crm/api-contract';

// An activity's declaration is an API body (`POST /v1/register/activities`), so its schema lives in
// @crm/api-contract: the register validates with exactly what the gateway documents.
export const { LEGAL_BASES, activityDocument } = auditApi;

export type ActivityDocument = z.output<typeof activityDocument>;
