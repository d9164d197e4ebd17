// The REST API's bodies (see openapi.ts): one module per owning service, each exporting a `BodyContract` per route,
// named after the route's use case. Services validate with them; the gateway's route manifest documents them.
export { openApiSchema, type BodyContract, type RequestOf, type ResponseOf } from './openapi.js';
export * as auditApi from './audit.js';
export * as backupApi from './backup.js';
export * as consentApi from './consent.js';
export * as contactsApi from './contacts.js';
export * as identityApi from './identity.js';
