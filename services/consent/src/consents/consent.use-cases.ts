import { ConfirmConsentHandler } from './confirm-consent/confirm-consent.handler.js';
import { ConfirmConsentRoute } from './confirm-consent/confirm-consent.route.js';
import { GiveConsentHandler } from './give-consent/give-consent.handler.js';
import { GiveConsentRoute } from './give-consent/give-consent.route.js';
import { RecordObjectionHandler } from './record-objection/record-objection.handler.js';
import { RecordObjectionRoute } from './record-objection/record-objection.route.js';
import { ViewConsentsHandler } from './view-consents/view-consents.handler.js';
import { ViewConsentsRoute } from './view-consents/view-consents.route.js';
import { WithdrawConsentHandler } from './withdraw-consent/withdraw-consent.handler.js';
import { WithdrawConsentRoute } from './withdraw-consent/withdraw-consent.route.js';

// A contact's consents, one folder per use case (`<use-case>/`: decision, handler, route, integration test).
export const CONSENT_ROUTES = [GiveConsentRoute, ConfirmConsentRoute, WithdrawConsentRoute, RecordObjectionRoute, ViewConsentsRoute];
export const CONSENT_HANDLERS = [GiveConsentHandler, ConfirmConsentHandler, WithdrawConsentHandler, RecordObjectionHandler, ViewConsentsHandler];
