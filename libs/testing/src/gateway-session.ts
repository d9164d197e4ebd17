// Signing in through the gateway the way a frontend and an authenticator app do: shared by the end-to-end suites
// and the benchmark. The bootstrap administrator's first password comes from <state>/secrets/admin.password, as
// `npm start` prints it; the first sign-in changes it (issue 15 item 7), and identity then deletes that file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { testEnv, uniqueName } from './test-env.js';
import { totpCode } from './totp.js';

export const gateway = process.env.CRM_GATEWAY_URL ?? `http://127.0.0.1:${process.env.CRM_GATEWAY_PORT ?? 8080}`;
export const stateDir = testEnv().CRM_STATE_DIR!;
export const adminEmail = process.env.CRM_ADMIN_EMAIL ?? 'admin@crm.local';

/**
 * What the tests keep between runs against one platform, as its administrator would (the password they changed the
 * generated one to, the authenticator's secret, the last session): test-only secrets, so never in the deployment's
 * state directory but beside it (`<state dir>-test`, e.g. `.crm-test/`), or where `CRM_TEST_STATE_DIR` says.
 * Delete it together with the state directory.
 */
export const testStateDir = process.env.CRM_TEST_STATE_DIR ?? join(dirname(stateDir), `${basename(stateDir)}-test`);
/** The generated password `npm start` prints: it opens the administrator's first sign-in only. */
export const bootstrapPasswordFile = join(stateDir, 'secrets', 'admin.password');
const adminPasswordFile = join(testStateDir, 'admin.password');

function ensureTestStateDir(): void {
  mkdirSync(testStateDir, { recursive: true, mode: 0o700 });
  // Runs before this change kept the files in <state>/test-state: moved out once, so an enrolled administrator's
  // authenticator secret is not lost.
  const legacy = join(stateDir, 'test-state');
  if (!existsSync(legacy)) return;
  for (const name of readdirSync(legacy)) {
    if (!existsSync(join(testStateDir, name))) renameSync(join(legacy, name), join(testStateDir, name));
  }
  rmSync(legacy, { recursive: true, force: true });
}

/** The administrator's password: the one the tests changed it to, or, before the first sign-in, the generated one. */
function adminPassword(): string {
  ensureTestStateDir();
  // A run stopped between the change and keeping its password: the change happened when the generated file is gone.
  const next = `${adminPasswordFile}.next`;
  if (!existsSync(adminPasswordFile) && existsSync(next) && !existsSync(bootstrapPasswordFile)) renameSync(next, adminPasswordFile);
  if (existsSync(adminPasswordFile)) return readFileSync(adminPasswordFile, 'utf8').trim();
  if (!existsSync(bootstrapPasswordFile)) {
    throw new Error(`neither ${adminPasswordFile} nor ${bootstrapPasswordFile} exists: reset the state directory and ${testStateDir} together`);
  }
  return readFileSync(bootstrapPasswordFile, 'utf8').trim();
}

/** Not `expect`: the benchmark signs in too, outside Jest. */
function must(condition: boolean, what: string): void {
  if (!condition) throw new Error(`gateway session: ${what}`);
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export async function api(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const response = await fetch(`${gateway}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A reply as a test reads it: the status, the body parsed as JSON (undefined when it is not JSON), the text, the headers. */
export interface Reply {
  status: number;
  // Tests assert response bodies field by field; their shape is what is being checked.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
  headers: Headers;
}

/** An answer as the tests read it: status, the body parsed as JSON when it is JSON, the text and the headers. */
async function replyOf(response: Response): Promise<Reply> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, headers: response.headers } as Reply;
}

/** A JSON request with a bearer token, to the gateway unless `baseUrl` says otherwise (a service tested on its own). */
export async function request(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
  baseUrl = gateway,
): Promise<Reply> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return replyOf(response);
}

/** A request to the gateway without any token, as a visitor's browser (or a link in an e-mail) sends it. */
export async function anonymousRequest(method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return replyOf(await fetch(`${gateway}${path}`, { method, headers }));
}

export const now = () => Date.now() / 1000;

/**
 * The first sign-in of an account whose password someone else chose (an administrator, or the first start): sign-in
 * answers `passwordChangeRequired` and a token good for `POST /v1/me/password` only; the holder changes the password
 * there. Answers the new password (`newPassword`, or a fresh strong one).
 */
export async function firstPasswordChange(email: string, givenPassword: string, newPassword = strongPassword()): Promise<string> {
  const login = await api('POST', '/v1/auth/login', { email, password: givenPassword });
  must(
    login.status === 200 && login.body.passwordChangeRequired === true,
    `the first sign-in answered ${login.status} ${String(login.body.code)}, not passwordChangeRequired`,
  );
  const passwordChangeToken = login.body.passwordChangeToken as string;
  const changed = await api('POST', '/v1/me/password', { currentPassword: givenPassword, newPassword, passwordChangeToken });
  must(changed.status === 204, `the first password change answered ${changed.status} ${String(changed.body.code)}`);
  return newPassword;
}

/** Signs a user in all the way: password, then TOTP (enrolling first when asked), as a frontend would. */
export async function signIn(
  email: string,
  password: string,
  totp: { secret?: string; step: number },
): Promise<{ accessToken: string; refreshToken: string; secret?: string; recoveryCodes?: string[]; lastCode?: string }> {
  const login = await api('POST', '/v1/auth/login', { email, password });
  must(login.status === 200, `sign-in answered ${login.status} ${String(login.body.code)}`);
  must(login.body.passwordChangeRequired !== true, 'the password must be changed first (firstPasswordChange)');
  if (typeof login.body.accessToken === 'string') return login.body as { accessToken: string; refreshToken: string };
  let secret = totp.secret;
  let recoveryCodes: string[] | undefined;
  if (login.body.mfaEnrollmentRequired === true) {
    const enrollmentToken = login.body.enrollmentToken as string;
    const enrolment = await api('POST', '/v1/me/mfa/totp', { enrollmentToken });
    must(enrolment.status === 200, `enrolment answered ${enrolment.status}`);
    must(/^otpauth:\/\/totp\//.test(String(enrolment.body.otpauthUrl)), 'enrolment without an otpauth URI');
    must(String(enrolment.body.qrCode).startsWith('<svg'), 'enrolment without a QR code');
    secret = enrolment.body.secret as string;
    let confirmed = await api('POST', '/v1/me/mfa/totp/confirm', { enrollmentToken, code: totpCode(secret, now() - 30) });
    // The previous step's code, sent just before a step boundary, is two steps old when it arrives: once more.
    if (confirmed.status === 401 && confirmed.body.code === 'MFA_CODE_INVALID') {
      confirmed = await api('POST', '/v1/me/mfa/totp/confirm', { enrollmentToken, code: totpCode(secret, now() - 30) });
    }
    must(confirmed.status === 200, `confirmation answered ${confirmed.status} ${String(confirmed.body.code)}`);
    recoveryCodes = confirmed.body.recoveryCodes as string[];
    const again = await api('POST', '/v1/auth/login', { email, password });
    const lastCode = totpCode(secret, now() + totp.step * 30);
    return { ...(await secondFactor(again.body.mfaToken as string, lastCode)), secret, recoveryCodes, lastCode };
  }
  const lastCode = totpCode(secret!, now() + totp.step * 30);
  return { ...(await secondFactor(login.body.mfaToken as string, lastCode)), ...(secret === undefined ? {} : { secret }), lastCode };
}

/**
 * Signs an enrolled user in again for a fresh second factor. A TOTP step is accepted once per user, so the
 * neighbouring steps are tried too (the verifier accepts ±1).
 */
export async function signInAgain(email: string, password: string, secret: string): Promise<{ accessToken: string; refreshToken: string }> {
  let lastError: unknown;
  // When the three steps around now are spent (several sign-ins of one user within a minute), the next step
  // boundary brings a new code: wait for it, at most twice.
  for (let round = 0; round < 3; round += 1) {
    for (const step of [1, 0, -1]) {
      try {
        return await signIn(email, password, { step, secret });
      } catch (error) {
        lastError = error;
      }
    }
    if (!String((lastError as Error | undefined)?.message).includes('MFA_CODE_REPLAYED')) break;
    await new Promise((resolve) => setTimeout(resolve, 30_500 - ((now() * 1000) % 30_000)));
  }
  throw lastError;
}

export async function secondFactor(mfaToken: string, code: string): Promise<{ accessToken: string; refreshToken: string }> {
  const answer = await api('POST', '/v1/auth/mfa', { mfaToken, code });
  must(answer.status === 200 && answer.body.code === undefined, `second factor answered ${answer.status} ${String(answer.body.code)}`);
  return answer.body as { accessToken: string; refreshToken: string };
}

export interface StaffUser {
  id: string;
  email: string;
  password: string;
}

/**
 * A staff account with one role, made by an administrator (a fresh e-mail and a strong password every time), and
 * its password changed by its holder as the first sign-in demands: `password` is the holder's own.
 */
export async function createStaffUser(adminToken: string, role: string, label = 'staff'): Promise<StaffUser> {
  const email = `${role}-${uniqueName(label)}@example.com`;
  const password = strongPassword();
  const body = { email, displayName: `${label} ${role}`, password, roles: [role] };
  let created = await api('POST', '/v1/users', body, adminToken);
  // Creating an account grants roles, which needs a fresh second factor: a suite's older administrator session is
  // refreshed with one (kept for a while, as TOTP steps are single-use).
  if (created.status === 403 && created.body.code === 'STEP_UP_REQUIRED') created = await api('POST', '/v1/users', body, await grantingAdminToken());
  must(created.status === 201, `creating a ${role} answered ${created.status} ${String(created.body.code)}`);
  return { id: created.body.id as string, email, password: await firstPasswordChange(email, password) };
}

/**
 * A staff account with one role, signed in as its holder would be on their first day: every role that sees personal
 * data must enrol TOTP at first sign-in (issue 15), so this enrols and answers with a session that used the second
 * factor (fresh: `mfa_at` now). The secret is kept for signing in again (`signInAgain`).
 */
export async function staffSession(
  adminToken: string,
  role: string,
  label = 'staff',
): Promise<StaffUser & { accessToken: string; refreshToken: string; secret: string }> {
  const user = await createStaffUser(adminToken, role, label);
  const session = await signIn(user.email, user.password, { step: 1 });
  must(session.secret !== undefined, `the ${role} was not asked to enrol a second factor`);
  return { ...user, accessToken: session.accessToken, refreshToken: session.refreshToken, secret: session.secret! };
}

/**
 * The access token of a role that signs in with a password alone: since issue 15 only a role that sees no personal
 * data (or one exempted by `CRM_MFA_EXEMPT_ROLES`).
 */
export async function passwordSignIn(user: Pick<StaffUser, 'email' | 'password'>): Promise<string> {
  const login = await api('POST', '/v1/auth/login', { email: user.email, password: user.password });
  must(login.status === 200 && typeof login.body.accessToken === 'string', `password sign-in answered ${login.status} ${String(login.body.code)}`);
  return login.body.accessToken as string;
}

// Random only: a password sharing a token with the account's e-mail (uniqueName's timestamp) is refused, rightly.
export const strongPassword = () => `Tq9!${randomBytes(12).toString('base64url')}`;

/**
 * The bootstrap administrator changes the generated password and enrols TOTP on the first run against a state
 * directory; the tests keep the new password and the secret in the test state directory (like a person and a phone
 * keep them) so later runs on the same machine sign in with them.
 */
const adminSecretFile = join(testStateDir, 'admin-totp.secret');
const adminRefreshFile = join(testStateDir, 'admin-refresh.token');
export async function adminSession(): Promise<{ accessToken: string; refreshToken: string }> {
  ensureTestStateDir();
  const session = await adminSignIn();
  writeFileSync(adminRefreshFile, session.refreshToken, { mode: 0o600 });
  return session;
}

/** A later run within the same minute cannot reuse the TOTP steps of the last one; the kept session avoids that. */
export async function adminSignIn(): Promise<{ accessToken: string; refreshToken: string }> {
  ensureTestStateDir();
  const session = await adminSignInAsItIs();
  return existsSync(adminPasswordFile) ? session : changeOlderAdministratorsPassword(session);
}

async function adminSignInAsItIs(): Promise<{ accessToken: string; refreshToken: string }> {
  if (existsSync(adminRefreshFile)) {
    const refreshed = await api('POST', '/v1/auth/refresh', { refreshToken: readFileSync(adminRefreshFile, 'utf8').trim() });
    if (refreshed.status === 200) return refreshed.body as { accessToken: string; refreshToken: string };
  }
  let login = await api('POST', '/v1/auth/login', { email: adminEmail, password: adminPassword() });
  must(login.status === 200, `the administrator's sign-in answered ${login.status}`);
  if (login.body.passwordChangeRequired === true) {
    await changeBootstrapPassword();
    login = await api('POST', '/v1/auth/login', { email: adminEmail, password: adminPassword() });
    must(login.status === 200, `the administrator's sign-in with the changed password answered ${login.status}`);
  }
  if (login.body.mfaEnrollmentRequired === true) {
    const session = await signIn(adminEmail, adminPassword(), { step: 1 });
    writeFileSync(adminSecretFile, session.secret!, { mode: 0o600 });
    return session;
  }
  if (!existsSync(adminSecretFile)) throw new Error(`the administrator is enrolled but ${adminSecretFile} is missing: reset the state directory`);
  return signInAgain(adminEmail, adminPassword(), readFileSync(adminSecretFile, 'utf8').trim());
}

/**
 * The administrator's first sign-in: the generated password is changed to one the tests keep. The new one is written
 * beside first and moved into place only after the change succeeded, so neither is ever lost.
 */
async function changeBootstrapPassword(): Promise<void> {
  const next = `${adminPasswordFile}.next`;
  const newPassword = strongPassword();
  writeFileSync(next, newPassword, { mode: 0o600 });
  await firstPasswordChange(adminEmail, adminPassword(), newPassword);
  renameSync(next, adminPasswordFile);
}

/**
 * An administrator registered before the first change was required (a state directory older than issue 15 item 7)
 * signs in with the generated password still: the tests change it once, as its holder would, with the session, so
 * identity deletes the generated file there too. The change ends every session: signed in again with the new one.
 */
async function changeOlderAdministratorsPassword(session: { accessToken: string }): Promise<{ accessToken: string; refreshToken: string }> {
  const next = `${adminPasswordFile}.next`;
  const newPassword = strongPassword();
  writeFileSync(next, newPassword, { mode: 0o600 });
  const changed = await api('POST', '/v1/me/password', { currentPassword: adminPassword(), newPassword }, session.accessToken);
  must(changed.status === 204, `changing the administrator's generated password answered ${changed.status} ${String(changed.body.code)}`);
  renameSync(next, adminPasswordFile);
  rmSync(adminRefreshFile, { force: true });
  return signInAgain(adminEmail, newPassword, readFileSync(adminSecretFile, 'utf8').trim());
}

/** The administrator with a second factor used just now, for routes that want a fresh one (step-up). */
export async function freshAdminSession(): Promise<{ accessToken: string; refreshToken: string }> {
  ensureTestStateDir();
  // Enrols the authenticator on a new state directory, and changes the generated password if not done yet.
  if (!existsSync(adminSecretFile) || !existsSync(adminPasswordFile)) await adminSignIn();
  const session = await signInAgain(adminEmail, adminPassword(), readFileSync(adminSecretFile, 'utf8').trim());
  writeFileSync(adminRefreshFile, session.refreshToken, { mode: 0o600 });
  return session;
}

/**
 * A session whose second factor is kept fresh for step-up routes: it signs in again (password and TOTP) when the
 * last second factor is older than `maxAgeMs`. The test environment's step-up window may be short; not more often,
 * as a TOTP step is accepted once per user and only the neighbouring steps are tried.
 */
export function renewingSession(
  user: Pick<StaffUser, 'email' | 'password'>,
  enrolled: { accessToken: string; secret: string },
  maxAgeMs = 20_000,
): () => Promise<string> {
  let session = { token: enrolled.accessToken, at: Date.now() };
  return async () => {
    if (Date.now() - session.at >= maxAgeMs) session = { token: (await signInAgain(user.email, user.password, enrolled.secret)).accessToken, at: Date.now() };
    return session.token;
  };
}

/** How long the platform under test believes a second factor to be fresh (`tools/crm.sh` shortens it for `npm test`). */
export const stepUpSeconds = Number(process.env.CRM_STEP_UP_MAX_AGE_SECONDS ?? 300);

let granting: { accessToken: string; at: number } | undefined;
/**
 * The administrator's access token with a second factor fresh enough for a grant (creating an account, assigning
 * roles: issue 15 item 6). Reused while it has at least 10 seconds of the step-up window left, so a suite creating
 * many accounts does not spend a TOTP step on each (every step is accepted once).
 */
export async function grantingAdminToken(): Promise<string> {
  if (granting !== undefined && Date.now() - granting.at < (stepUpSeconds - 10) * 1_000) return granting.accessToken;
  const at = Date.now();
  granting = { accessToken: (await freshAdminSession()).accessToken, at };
  return granting.accessToken;
}

/**
 * Drafts and publishes the tests' English privacy notice (a controller name unique to the run) as a DPO whose second
 * factor is fresh (publication is a step-up route); answers the published version, which consents are given against.
 */
export async function publishedEnglishNotice(dpoToken: string): Promise<string> {
  const draft = await request('POST', '/v1/privacy-notices', dpoToken, {
    lang: 'en',
    controller: `Example Ltd, 1 Main Street, Warsaw <${uniqueName('notice')}>`,
    dpoContact: 'iod@example.com',
    retention: 'Marketing: until consent is withdrawn',
    recipients: 'Couriers',
    processors: 'Hosting provider in the EEA',
    rights: 'Access, rectification, erasure, restriction, portability, objection: write to iod@example.com',
  });
  must(draft.status === 201, `drafting the notice answered ${draft.status} ${String(draft.body?.code)}`);
  const publication = await request('POST', `/v1/privacy-notices/${String(draft.body.version)}/publication`, dpoToken);
  must(publication.status === 200, `publishing the notice answered ${publication.status} ${String(publication.body?.code)}`);
  return publication.body.version as string;
}
