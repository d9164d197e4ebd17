import { Controller, Get, Header } from '@nestjs/common';
import { identityApi, type ResponseOf } from '@crm/api-contract';
import { Public } from '@crm/http';
import { SigningKeyStore } from '../signing-keys/signing-key.store.js';

/**
 * The public half of the signing keys (RFC 7517 §5, RFC 8414 `jwks_uri` location). Verifiers refetch it when they
 * meet an unknown `kid`, so a rotated key is picked up without configuration; the five-minute cache bounds how long
 * an intermediary may serve a set that lacks a brand-new key. Public keys only: the store never puts `d` in here.
 */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeyStore) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  async jwks(): Promise<ResponseOf<typeof identityApi.signingKeys>> {
    // jose types a JWK's members as optional; the store's keys always carry them all, and the parse proves it to the
    // compiler and to the documented contract (a handful of keys: no measurable cost).
    return identityApi.signingKeys.response.parse(await this.keys.jwks());
  }
}
