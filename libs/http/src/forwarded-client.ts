import { timingSafeEqual } from 'node:crypto';

/** Sent by the gateway to the services with the forwarding secret: proof that `X-Forwarded-For` is the gateway's. */
export const GATEWAY_PROOF_HEADER = 'x-crm-gateway-proof';

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  socket: { remoteAddress?: string | undefined };
}

/**
 * The client's address: the one the gateway forwards when the request carries the gateway's proof, otherwise the
 * socket's peer. A caller that reaches a service directly cannot choose its address with a header of its own.
 */
export function forwardedClientAddress(request: RequestLike, forwardingSecret: string): string {
  const socket = request.socket.remoteAddress ?? 'unknown';
  const proof = request.headers[GATEWAY_PROOF_HEADER];
  if (typeof proof !== 'string' || !sameSecret(proof, forwardingSecret)) return socket;
  const forwarded = request.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first !== undefined && first !== '' ? first : socket;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
