/** The audit service's own event topic: register changes travel here and are recorded in the audit trail too. */
export const REGISTER_TOPIC = 'crm.audit.v1.events';
/** Purpose code of keeping the Art. 30 records themselves (a legal obligation of the controller). */
export const REGISTER_PURPOSE = 'records-of-processing';
