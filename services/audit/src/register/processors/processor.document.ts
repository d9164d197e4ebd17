import type { z } from 'zod';
import type { auditApi } from '@crm/api-contract';

// A processor's record is an API body (`POST /v1/processors`), so its schema lives in @crm/api-contract: the
// register validates with exactly what the gateway documents.
export type ProcessorDocument = z.output<typeof auditApi.processorDocument>;
