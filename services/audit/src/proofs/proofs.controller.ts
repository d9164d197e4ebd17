import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { auditApi, ResponseOf } from '@crm/api-contract';
import { Public, RequirePermissions, validate } from '@crm/http';
import { AuditRuntime } from '../audit.runtime.js';
import { treeHeadToView } from '../tree-heads/tree-head.codec.js';
import { ProofsService } from './proofs.service.js';

const size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const inclusionQuery = z.object({ treeSize: size.optional() }).strict();
const consistencyQuery = z.object({ from: size, to: size.optional() }).strict();
const entryId = z.string().min(1).max(512);

@ApiTags('audit')
@Controller('v1/audit')
export class ProofsController {
  constructor(
    private readonly proofs: ProofsService,
    private readonly runtime: AuditRuntime,
  ) {}

  @RequirePermissions('audit:read')
  @Get('tree-head')
  @ApiOperation({ summary: 'The latest signed tree head (RFC 6962 STH, Ed25519)' })
  treeHead(): ResponseOf<typeof auditApi.latestTreeHead> {
    return treeHeadToView(this.proofs.latestHead());
  }

  @RequirePermissions('audit:read')
  @Post('tree-head')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign a head over everything recorded so far, now (idempotent when nothing is new)' })
  async signTreeHead(): Promise<ResponseOf<typeof auditApi.signTreeHead>> {
    return treeHeadToView(await this.proofs.signNow());
  }

  // The key is public by nature; a verifier should still pin it out of band rather than trust this answer alone.
  @Public()
  @Get('public-key')
  @ApiOperation({ summary: 'The Ed25519 public key that signs tree heads, and the log id' })
  publicKey(): ResponseOf<typeof auditApi.publicKey> {
    const key = this.runtime.key;
    return {
      logId: this.runtime.publisher.logId,
      keyId: key.keyId,
      algorithm: 'Ed25519',
      publicKeyPem: key.publicKeyPem,
      publicKey: Buffer.from(key.rawPublicKey).toString('hex'),
    };
  }

  @RequirePermissions('audit:read')
  @Get('entries/:id/proof')
  @ApiOperation({ summary: 'Inclusion proof of one entry (by event id or leaf index) against `treeSize` or the latest signed head' })
  inclusion(@Param('id') id: string, @Query() query: unknown): Promise<ResponseOf<typeof auditApi.inclusionProof>> {
    return this.proofs.inclusion(validate(entryId, id), validate(inclusionQuery, query).treeSize);
  }

  @RequirePermissions('audit:read')
  @Get('consistency')
  @ApiOperation({ summary: 'Consistency proof between tree sizes `from` and `to` (default: the latest signed head)' })
  consistency(@Query() query: unknown): Promise<ResponseOf<typeof auditApi.consistencyProof>> {
    const { from, to } = validate(consistencyQuery, query);
    return this.proofs.consistency(from, to);
  }
}
