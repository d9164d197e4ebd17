export { HttpReadinessCheck } from './http-readiness.check.js';
export { runChecks, type HealthCheck, type CheckResult, type ReadinessReport } from './health-check.js';
export { HealthController, HEALTH_CHECKS } from './health.controller.js';
export { HealthModule, type HealthModuleOptions } from './health.module.js';
