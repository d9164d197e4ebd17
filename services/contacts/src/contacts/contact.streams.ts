/** Where contacts live: the event-store schema (in the contacts database) and the topic analysts consume. */
export const CONTACTS_SCHEMA = 'contacts';
export const CONTACTS_TOPIC = 'crm.contacts.v1.events';

/** One stream per contact: the contact is the aggregate and the data subject. */
export function contactStream(contactId: string): string {
  return `contact-${contactId}`;
}

/** Exports and imports are one-event streams of their own: they change no contact. */
export const exportStream = (exportId: string): string => `export-${exportId}`;
export const importStream = (importId: string): string => `import-${importId}`;

/** Blind indexes the read model is searched by (HKDF-derived keys per index, see @crm/crypto). */
export const SEARCH_INDEXES = { email: 'contacts.email', phone: 'contacts.phone', name: 'contacts.name' } as const;
export const SEARCH_INDEX_NORMALISERS = { [SEARCH_INDEXES.email]: 'email', [SEARCH_INDEXES.phone]: 'phone', [SEARCH_INDEXES.name]: 'name' } as const;
export type SearchIndex = (typeof SEARCH_INDEXES)[keyof typeof SEARCH_INDEXES];
