import { ActorType, LegalBasis } from '@crm/contracts';
import type { EventMetadata } from './store/event.types.js';

/** Metadata of a staff member acting for customer service under contract; what most test events carry. */
export const sampleMetadata = (correlationId = 'corr-test'): EventMetadata => ({
  actor: { id: 'user-42', type: ActorType.USER },
  purpose: 'customer-service',
  legalBasis: LegalBasis.CONTRACT,
  correlationId,
});
