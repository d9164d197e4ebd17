import { AddPurchaseHandler } from './add-purchase/add-purchase.handler.js';
import { AddPurchaseRoute } from './add-purchase/add-purchase.route.js';
import { CreateContactHandler } from './create-contact/create-contact.handler.js';
import { CreateContactRoute } from './create-contact/create-contact.route.js';
import { LiftRestrictionHandler } from './lift-restriction/lift-restriction.handler.js';
import { LiftRestrictionRoute } from './lift-restriction/lift-restriction.route.js';
import { ListPurchasesHandler } from './list-purchases/list-purchases.handler.js';
import { ListPurchasesRoute } from './list-purchases/list-purchases.route.js';
import { ReadSubjectDataRoute } from './read-subject-data/read-subject-data.route.js';
import { RectifyForSubjectRoute } from './rectify-for-subject/rectify-for-subject.route.js';
import { RectifyContactHandler } from './rectify-contact/rectify-contact.handler.js';
import { RectifyContactRoute } from './rectify-contact/rectify-contact.route.js';
import { RestrictProcessingHandler } from './restrict-processing/restrict-processing.handler.js';
import { RestrictProcessingRoute } from './restrict-processing/restrict-processing.route.js';
import { SearchContactsHandler } from './search-contacts/search-contacts.handler.js';
import { SearchContactsRoute } from './search-contacts/search-contacts.route.js';
import { ViewContactHandler } from './view-contact/view-contact.handler.js';
import { ViewContactRoute } from './view-contact/view-contact.route.js';

// The contact as a resource, one folder per use case (`<use-case>/`: decision, handler, route, integration test).
// Every request names its processing purpose: writes record it on the event, reads are minimised to it (and recorded).
// Erasure, export and import are features of their own (`erasure/`, `export/`, `import/`).

export const CONTACT_ROUTES = [
  CreateContactRoute,
  SearchContactsRoute,
  ViewContactRoute,
  ListPurchasesRoute,
  RectifyContactRoute,
  AddPurchaseRoute,
  RestrictProcessingRoute,
  LiftRestrictionRoute,
  ReadSubjectDataRoute,
  RectifyForSubjectRoute,
];

export const CONTACT_HANDLERS = [
  CreateContactHandler,
  SearchContactsHandler,
  ViewContactHandler,
  ListPurchasesHandler,
  RectifyContactHandler,
  AddPurchaseHandler,
  RestrictProcessingHandler,
  LiftRestrictionHandler,
];
