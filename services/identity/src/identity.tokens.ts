export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');
/** The `PasswordHasher` of the service (argon2id, settings from the environment). */
export const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');
/** The deployment's `PasswordPolicy`, loaded once at boot. */
export const PASSWORD_POLICY = Symbol('PASSWORD_POLICY');
/** The secret by which identity believes the client address the gateway forwards (`loadGatewayForwardingSecret`). */
export const GATEWAY_FORWARDING_SECRET = Symbol('GATEWAY_FORWARDING_SECRET');
