// Login throttling (docs/identity-security.md): account lockout, per-address budgets, no account enumeration.
export { LoginThrottle, LOGIN_FAILURES_KEY_PREFIX, type LoginThrottleDecision, type LoginThrottleRefusal } from './login.throttle.js';
export {
  DEFAULT_LOGIN_THROTTLE_LIMITS,
  loadLoginThrottleSettings,
  loginThrottleLimitsSchema,
  type LoginThrottleLimits,
  type LoginThrottleSettings,
} from './login-throttle.config.js';
export { clientAddressBucket } from './client-address.normaliser.js';
export { loginRefusedError, loginFailedError } from './login-throttle.errors.js';
