// The issuing side of authentication, for the identity service's controllers (sign-in, refresh, logout).
export { TokensModule, TOKENS_CONFIG } from './tokens.module.js';
export { loadTokensConfig, type TokensConfig } from './tokens.config.js';
export { SigningKeyStore, type SigningKey, type SigningKeyStoreOptions } from './signing-keys/signing-key.store.js';
export { AccessTokenIssuer, type AccessTokenIssuerOptions, type AccessTokenRequest } from './access-tokens/access-token.issuer.js';
export {
  RefreshTokenStore,
  type RefreshTokenStoreOptions,
  type RotatedRefreshToken,
  type SessionAuthentication,
  type StartedSession,
  type LiveSession,
} from './refresh-tokens/refresh-token.store.js';
export { SESSION_REVOCATION_REASONS, isSessionRevocationReason, type SessionRevocationReason } from './refresh-tokens/refresh-token.rules.js';
export { JwksController } from './jwks/jwks.controller.js';
