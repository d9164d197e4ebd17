import { CompleteRequestHandler } from './complete-request/complete-request.handler.js';
import { CompleteRequestRoute } from './complete-request/complete-request.route.js';
import { RequestDeadlineJobs } from './deadline-jobs/request-deadline.jobs.js';
import { DownloadPackageRoute } from './download-package/download-package.route.js';
import { ExtendRequestRoute } from './extend-request/extend-request.route.js';
import { FileRequestRoute } from './file-request/file-request.route.js';
import { RefuseRequestRoute } from './refuse-request/refuse-request.route.js';
import { RequestOutputs } from './request-outputs/request-outputs.repository.js';
import { SubjectServices } from './request-outputs/subject-services.js';
import { RequestCommands } from './request-commands.service.js';
import { RequestStates } from './request-states.repository.js';
import { RequestWriteModel } from './request.write-model.js';
import { StartRequestRoute } from './start-request/start-request.route.js';
import { VerifyIdentityRoute } from './verify-identity/verify-identity.route.js';
import { ViewReceiptRoute } from './view-receipt/view-receipt.route.js';
import { ViewRequestsHandler } from './view-requests/view-requests.handler.js';
import { ViewRequestsRoute } from './view-requests/view-requests.route.js';

// The data-subject request desk, one folder per use case (`<use-case>/`: decision, route, tests).
export const REQUEST_ROUTES = [
  FileRequestRoute,
  ViewRequestsRoute,
  VerifyIdentityRoute,
  ExtendRequestRoute,
  StartRequestRoute,
  CompleteRequestRoute,
  RefuseRequestRoute,
  DownloadPackageRoute,
  ViewReceiptRoute,
];
export const REQUEST_PROVIDERS = [
  RequestStates,
  RequestWriteModel,
  RequestCommands,
  CompleteRequestHandler,
  ViewRequestsHandler,
  RequestDeadlineJobs,
  RequestOutputs,
  SubjectServices,
];
