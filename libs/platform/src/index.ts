export { createServiceApp, runService, type ServiceDefinition } from './run-service.js';
export { infrastructureModules, type InfrastructureNeeds } from './infrastructure.js';
