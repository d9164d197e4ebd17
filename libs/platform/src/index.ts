export { createServiceApp, runService, type ServiceDefinition } from './run-service.js';
export { infrastructureModules, type InfrastructureNeeds } from './infrastructure.js';
export { accessTopic, AccessEventPublisher, isAccessTopic, LEGACY_ACCESS_TOPIC } from './access-events.js';
export {
  BackboneModule,
  COMMAND_PIPELINE,
  EVENT_STORE,
  FIELD_CIPHER,
  BLIND_INDEXER,
  SUBJECT_SHREDDER,
  KEY_CACHE,
  KEY_VAULT,
  type BackboneOptions,
} from './backbone.module.js';
export { StateRowsCatchUp, STATE_ROWS_REFOLDS } from './state-rows.catch-up.js';
export { CLOCK, ClockModule, type Clock } from './clock.module.js';
export { ScheduledJobs, type JobSchedule, type ScheduleSettings, type ScheduledJobsSpec } from './scheduled-jobs.js';
