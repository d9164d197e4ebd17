// Signing in through the gateway the way a frontend and an authenticator app do: shared by the end-to-end suites
// and the benchmark. The bootstrap administrator comes from <state>/secrets/admin.password, as `npm start` prints it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { testEnv, uniqueName } from './test-env.js';
import { totpCode } from './totp.js';

export const gateway = process.env.CRM_GATEWAY_URL ?? `http://127.0.0.1:${process.env.CRM_GATEWAY_PORT ?? 8080}`;
export const stateDir = testEnv().CRM_STATE_DIR!;
export const adminEmail = process.env.CRM_ADMIN_EMAIL ?? 'admin@crm.local';
const adminPassword = (): string => readFileSync(join(stateDir, 'secrets', 'admin.password'), 'utf8').trim();

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

/** Signs a user in all the way: password, then TOTP (enrolling first when asked), as a frontend would. */
export async function signIn(
  email: string,
  password: string,
  totp: { secret?: string; step: number },
): Promise<{ accessToken: string; refreshToken: string; secret?: string; recoveryCodes?: string[]; lastCode?: string }> {
  const login = await api('POST', '/v1/auth/login', { email, password });
  must(login.status === 200, `sign-in answered ${login.status} ${String(login.body.code)}`);
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
    const confirmed = await api('POST', '/v1/me/mfa/totp/confirm', { enrollmentToken, code: totpCode(secret, now() - 30) });
    must(confirmed.status === 200, `confirmation answered ${confirmed.status}`);
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

/** A staff account with one role, made by an administrator (a fresh e-mail and a strong password every time). */
export async function createStaffUser(adminToken: string, role: string, label = 'staff'): Promise<StaffUser> {
  const email = `${role}-${uniqueName(label)}@example.com`;
  const password = strongPassword();
  const body = { email, displayName: `${label} ${role}`, password, roles: [role] };
  let created = await api('POST', '/v1/users', body, adminToken);
  // Creating an account grants roles, which needs a fresh second factor: a suite's older administrator session is
  // refreshed with one (kept for a while, as TOTP steps are single-use).
  if (created.status === 403 && created.body.code === 'STEP_UP_REQUIRED') created = await api('POST', '/v1/users', body, await grantingAdminToken());
  must(created.status === 201, `creating a ${role} answered ${created.status} ${String(created.body.code)}`);
  return { id: created.body.id as string, email, password };
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
 * The bootstrap administrator enrols TOTP on the first run against a state directory; the test keeps the secret in
 * that state directory (like a phone keeps it) so later runs on the same machine sign in with it.
 */
const adminSecretFile = join(stateDir, 'test-state', 'admin-totp.secret');
const adminRefreshFile = join(stateDir, 'test-state', 'admin-refresh.token');
export async function adminSession(): Promise<{ accessToken: string; refreshToken: string }> {
  const session = await adminSignIn();
  writeFileSync(adminRefreshFile, session.refreshToken, { mode: 0o600 });
  return session;
}

/** A later run within the same minute cannot reuse the TOTP steps of the last one; the kept session avoids that. */
export async function adminSignIn(): Promise<{ accessToken: string; refreshToken: string }> {
  if (existsSync(adminRefreshFile)) {
    const refreshed = await api('POST', '/v1/auth/refresh', { refreshToken: readFileSync(adminRefreshFile, 'utf8').trim() });
    if (refreshed.status === 200) return refreshed.body as { accessToken: string; refreshToken: string };
  }
  const login = await api('POST', '/v1/auth/login', { email: adminEmail, password: adminPassword() });
  must(login.status === 200, `the administrator's sign-in answered ${login.status}`);
  mkdirSync(join(stateDir, 'test-state'), { recursive: true, mode: 0o700 });
  if (login.body.mfaEnrollmentRequired === true) {
    const session = await signIn(adminEmail, adminPassword(), { step: 1 });
    writeFileSync(adminSecretFile, session.secret!, { mode: 0o600 });
    return session;
  }
  if (!existsSync(adminSecretFile)) throw new Error(`the administrator is enrolled but ${adminSecretFile} is missing: reset the state directory`);
  return signInAgain(adminEmail, adminPassword(), readFileSync(adminSecretFile, 'utf8').trim());
}

/** The administrator with a second factor used just now, for routes that want a fresh one (step-up). */
export async function freshAdminSession(): Promise<{ accessToken: string; refreshToken: string }> {
  if (!existsSync(adminSecretFile)) await adminSignIn(); // enrols the authenticator on a new state directory
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
