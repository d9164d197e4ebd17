import { AppError, type ErrorKind } from '@crm/errors';
import { CORRELATION_HEADER } from './correlation.js';

/**
 * The platform's services and their default ports. A service is found at `CRM_<NAME>_URL` when set (another host,
 * TLS), else on loopback at `CRM_<NAME>_PORT` (what the launcher starts it on), else at its default port: the
 * gateway and any service calling another agree on one address per service.
 */
export const PLATFORM_SERVICES = {
  identity: 8081,
  contacts: 8082,
  consent: 8083,
  audit: 8084,
  backup: 8085,
} as const;

export type PlatformService = keyof typeof PLATFORM_SERVICES;

export function serviceUrl(service: PlatformService, env: NodeJS.ProcessEnv = process.env): string {
  const name = service.toUpperCase();
  const url = env[`CRM_${name}_URL`];
  if (url !== undefined && url !== '') {
    if (!URL.canParse(url)) throw new Error(`CRM_${name}_URL is not a URL`);
    return url.replace(/\/+$/, '');
  }
  const port = env[`CRM_${name}_PORT`];
  if (port !== undefined && port !== '') {
    if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) throw new Error(`CRM_${name}_PORT is not a port`);
    return `http://127.0.0.1:${Number(port)}`;
  }
  return `http://127.0.0.1:${PLATFORM_SERVICES[service]}`;
}

export function serviceUrls(env: NodeJS.ProcessEnv = process.env): Record<PlatformService, string> {
  return Object.fromEntries(Object.keys(PLATFORM_SERVICES).map((service) => [service, serviceUrl(service as PlatformService, env)])) as Record<
    PlatformService,
    string
  >;
}

export interface ServiceCall {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path and query, starting with `/`; every id in it must be validated (or encoded) by the caller. */
  path: string;
  /**
   * The caller's own access token, passed on unchanged: the called service authenticates and authorises it as it
   * would from the gateway (permissions, second factor, step-up), so a service reaches another only with what the
   * person acting may do, and the other service's audit records that person. There is no service credential that
   * bypasses a guard.
   */
  bearer: string;
  correlationId: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ServiceAnswer<T> {
  status: number;
  body: T;
}

export interface ServiceClientOptions {
  urls?: Partial<Record<PlatformService, string>>;
  timeoutMs?: number;
}

const KIND_BY_STATUS: Readonly<Record<number, ErrorKind>> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  412: 'conflict',
  429: 'rate_limited',
};

/**
 * HTTP from one service to another, in the platform's terms: JSON both ways, the caller's bearer token and
 * correlation id passed on, and the answer's error turned back into an AppError with the called service's stable
 * code and kind (so `410 CONTACT_ERASED` from contacts is `gone` here too). A service that cannot be reached, times
 * out or fails is `SERVICE_UNAVAILABLE` (503, retriable); its message names the service, never the path (which holds
 * ids) or anything it answered.
 */
export class ServiceClient {
  readonly #urls: Record<PlatformService, string>;
  readonly #timeoutMs: number;

  constructor(options: ServiceClientOptions = {}) {
    this.#urls = { ...serviceUrls(), ...options.urls };
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  async call<T>(service: PlatformService, call: ServiceCall): Promise<ServiceAnswer<T>> {
    if (!call.path.startsWith('/')) throw new Error('a service path starts with /');
    let response: Response;
    try {
      response = await fetch(`${this.#urls[service]}${call.path}`, {
        method: call.method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${call.bearer}`,
          [CORRELATION_HEADER]: call.correlationId,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...call.headers,
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'error',
      });
    } catch (cause) {
      throw new AppError('SERVICE_UNAVAILABLE', 'unavailable', `the ${service} service could not be reached`, { cause, retriable: true });
    }
    const text = await response.text();
    const body = parse(text);
    if (response.ok) return { status: response.status, body: body as T };
    const code = typeof body === 'object' && body !== null && 'code' in body && typeof body.code === 'string' ? body.code : undefined;
    const kind = KIND_BY_STATUS[response.status];
    if (code === undefined || kind === undefined) {
      throw new AppError('SERVICE_UNAVAILABLE', 'unavailable', `the ${service} service answered ${response.status}`, { retriable: true });
    }
    // Details are PII-free by contract (field names, limits; see AppErrorOptions), so they are passed on.
    const details =
      typeof body === 'object' && body !== null && 'details' in body && typeof body.details === 'object' && body.details !== null ? body.details : undefined;
    throw new AppError(code, kind, `the ${service} service refused: ${code}`, {
      retriable: false,
      ...(details === undefined ? {} : { details: details as Record<string, unknown> }),
    });
  }
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The bearer token of a request (the caller's own, to pass on), or undefined. */
export function bearerToken(request: { headers: Record<string, string | string[] | undefined> }): string | undefined {
  const header = request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(value);
  return match?.[1];
}
