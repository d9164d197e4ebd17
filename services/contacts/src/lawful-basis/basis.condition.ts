import { CONTACTS_SCHEMA } from '../contacts/contact.streams.js';
import type { BasisRequirement } from './basis.decision.js';

/**
 * The same rule as `decideBasis`, as a SQL condition on a contact row aliased `r` (search and export leave refused
 * contacts out in the query, so paging and the export limit count only what may be shown). `purposePlaceholder` is the
 * parameter holding the purpose code; it is typed here, so a condition without a requirement still uses it.
 */
export function basisCondition(requirement: BasisRequirement, purposePlaceholder: string): string {
  const state = (column: string) =>
    `EXISTS (SELECT 1 FROM ${CONTACTS_SCHEMA}.consent_states b WHERE b.contact_id = r.contact_id AND b.purpose = ${purposePlaceholder}::text AND b.${column})`;
  const conditions = [...(requirement.consent ? [state('consent_in_force')] : []), ...(requirement.noObjection ? [`NOT ${state('objected')}`] : [])];
  return conditions.length === 0 ? `${purposePlaceholder}::text IS NOT NULL` : conditions.join(' AND ');
}
