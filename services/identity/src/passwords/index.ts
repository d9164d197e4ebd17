// Passwords (docs/identity-security.md): the policy a new password must satisfy, and how passwords are hashed.
export * from './password-policy/index.js';
export * from './hashing/index.js';
export { normalisePassword } from './password.normalisation.js';
export { generatePassword } from './generated-password.js';
