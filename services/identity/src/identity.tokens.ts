export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');
/** The `PasswordHasher` of the service (argon2id, settings from the environment). */
export const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');
/** The deployment's `PasswordPolicy`, loaded once at boot. */
export const PASSWORD_POLICY = Symbol('PASSWORD_POLICY');
