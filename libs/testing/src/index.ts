export { expectEventually, type EventuallyOptions } from './expect-eventually.js';
export { testEnv, testPlatformConfig, uniqueName } from './test-env.js';
export { routeGuards, routePolicies, type RouteGuardDeclaration, type RoutePolicy } from './route-policy.js';
export { migrateKeyVault, migrateScratchSchema, scratchSchema } from './pg-scratch.js';
export * from './sample-ledger/index.js';
export { filesContaining, platformFileRoots, scanPlatformFiles, type PlatformFileRoots } from './marker-scan.js';
export { totpCode } from './totp.js';
export { TestTokenIssuer, type TestTokenOptions } from './test-token.issuer.js';
export {
  adminSession,
  anonymousRequest,
  bootstrapPasswordFile,
  firstPasswordChange,
  testStateDir,
  publishedEnglishNotice,
  freshAdminSession,
  grantingAdminToken,
  stepUpSeconds,
  api,
  createStaffUser,
  gateway,
  passwordSignIn,
  renewingSession,
  request,
  secondFactor,
  signIn,
  signInAgain,
  staffSession,
  stateDir,
  strongPassword,
  type Answer,
  type Reply,
  type StaffUser,
} from './gateway-session.js';
export { givenHistory } from './given-history.js';
export { openSocketsTo } from './open-sockets.js';
export { compareWrites, type HeldEvent, type HeldWrites, type WriteAttempt } from './write-ledger.js';
export {
  auditKeyId,
  auditLeafHash,
  pinnedAuditPublicKey,
  verifyAuditInclusion,
  verifyTreeHead,
  type AuditEntryView,
  type AuditInclusionProofView,
  type AuditProofVerdict,
  type SignedTreeHeadView,
} from './audit-proof.js';
export { envelopeIn } from './envelope-in.js';
export { processAlive } from './process-alive.js';
export { brokerAnswer } from './broker-answer.js';
