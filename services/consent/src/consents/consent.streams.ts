/** Where consents live: the event-store schema (in the consent database) and the topic analysts consume. */
export const CONSENT_SCHEMA = 'consent';
export const CONSENT_TOPIC = 'crm.consent.v1.events';

/** One stream per contact: the contact's consents and objections are one aggregate, and the contact is the subject. */
export function consentStream(contactId: string): string {
  return `consent-${contactId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Contact ids are UUIDs (contacts makes them); anything else can name no contact. */
export const isContactId = (value: string): boolean => UUID.test(value);
