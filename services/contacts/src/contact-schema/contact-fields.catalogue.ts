// The field catalogue is part of the API (it is what a contact's `data` may hold), so it lives in @crm/api-contract,
// which documents it in the gateway's OpenAPI document; contacts validates, minimises and seals by the same table.
import { contactsApi } from '@crm/api-contract';

export const { CONTACT_FIELDS, DATA_CATEGORIES, PURPOSES, CHANNELS, LIST_LIMITS, TRANSACTION_PREFIX } = contactsApi;
export type DataCategory = contactsApi.DataCategory;
export type Purpose = contactsApi.Purpose;
export type Channel = contactsApi.Channel;
export type FieldFormat = contactsApi.FieldFormat;
export type FieldSpec = contactsApi.FieldSpec;
export type FieldPath = contactsApi.FieldPath;
