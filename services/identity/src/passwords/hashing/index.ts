export { PasswordHasher } from './password.hasher.js';
export {
  OWASP_ARGON2ID_SETTINGS,
  loadPasswordHashingSettings,
  passwordHashingSettingsSchema,
  type PasswordHashingSettings,
} from './password-hashing.config.js';
