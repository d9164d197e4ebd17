import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { contactsApi, ResponseOf } from '@crm/api-contract';
import { CurrentAuth, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions } from '@crm/http';
import { retentionError } from './retention.decision.js';
import { RetentionJobs } from './retention.jobs.js';
import { RetentionRepository } from './retention.repository.js';
import { RetentionPolicies, type Actor } from './retention.service.js';
import { ContactsRepository } from '../read-model/contacts.repository.js';

const actor = (auth: AccessTokenClaims, request: Request): Actor => ({ actorId: auth.sub, correlationId: correlationId(request) });

/** Retention policies, the preview and sweeps: a DPO's (`retention:read`, `retention:manage` with a fresh second factor). */
@ApiTags('retention')
@Controller('v1/retention')
export class RetentionController {
  constructor(
    private readonly policies: RetentionPolicies,
    private readonly jobs: RetentionJobs,
    private readonly repository: RetentionRepository,
  ) {}

  @RequirePermissions('retention:read')
  @Get('policies')
  @ApiOperation({ summary: 'The retention policies, each at its current version' })
  async list(): Promise<ResponseOf<typeof contactsApi.listPolicies>> {
    return { items: await this.policies.list() };
  }

  @RequirePermissions('retention:read')
  @Get('policy-drafts')
  @ApiOperation({
    summary:
      "Policies drafted from the register's approved activities (their purposes and retention periods) that no policy implements yet; create one with POST as is or edited",
  })
  async drafts(): Promise<ResponseOf<typeof contactsApi.policyDrafts>> {
    return { items: await this.policies.drafts() };
  }

  @RequirePermissions('retention:manage')
  @RequireStepUp()
  @Post('policies')
  @ApiOperation({
    summary:
      'Create a retention policy: `{ name, purpose, category, kind: inactivity|consent-withdrawn|accounting-period, period (ISO 8601, P24M), action: crypto-shred|anonymise, activityId? }`',
  })
  create(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof contactsApi.createPolicy>> {
    return this.policies.create(body, actor(auth, request));
  }

  @RequirePermissions('retention:manage')
  @RequireStepUp()
  @Put('policies/:id')
  @ApiOperation({ summary: 'Revise a retention policy: the whole policy and `expectedVersion`; the next sweep applies the new version' })
  revise(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
  ): Promise<ResponseOf<typeof contactsApi.revisePolicy>> {
    return this.policies.revise(id, body, actor(auth, request));
  }

  @RequirePermissions('retention:read')
  @Get('preview')
  @ApiOperation({ summary: 'What a sweep would do now: per policy the number of contacts and sample ids, and how many a legal hold keeps' })
  preview(): Promise<ResponseOf<typeof contactsApi.retentionPreview>> {
    return this.policies.preview();
  }

  @RequirePermissions('retention:manage')
  @RequireStepUp()
  @Post('sweeps')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queue a retention sweep now (409 RETENTION_SWEEP_RUNNING while one runs); answers its run id' })
  async sweep(): Promise<ResponseOf<typeof contactsApi.startSweep>> {
    return { runId: await this.jobs.enqueue() };
  }

  @RequirePermissions('retention:read')
  @Get('sweeps/:id')
  @ApiOperation({ summary: "A sweep's run: status (running, completed), effects applied, contacts held, skips" })
  async run(@Param('id') id: string): Promise<ResponseOf<typeof contactsApi.sweepRun>> {
    const run = ContactsRepository.isContactId(id) ? await this.repository.run(id) : undefined;
    if (run === undefined) throw retentionError('RETENTION_SWEEP_NOT_FOUND', 'no such sweep (a queued one appears once it starts)');
    return {
      runId: run.run_id,
      status: run.status,
      startedAt: run.started_at.toISOString(),
      finishedAt: run.finished_at?.toISOString() ?? null,
      applied: run.applied,
      held: run.held,
      skipped: run.skipped,
    };
  }
}

/** Legal holds on a contact: every retention policy is suspended for it while one is set. */
@ApiTags('retention')
@Controller('v1/contacts')
export class LegalHoldController {
  constructor(private readonly policies: RetentionPolicies) {}

  @RequirePermissions('retention:read')
  @Get(':id/legal-hold')
  @ApiOperation({ summary: "A contact's legal hold (404 LEGAL_HOLD_NOT_FOUND when it has none)" })
  hold(@Param('id') id: string): Promise<ResponseOf<typeof contactsApi.legalHoldOf>> {
    return this.policies.hold(id);
  }

  @RequirePermissions('retention:manage')
  @RequireStepUp()
  @Put(':id/legal-hold')
  @ApiOperation({ summary: 'Put a contact on legal hold: `{ reference }` (a case reference); retention never touches it until lifted' })
  setHold(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
  ): Promise<ResponseOf<typeof contactsApi.setLegalHold>> {
    return this.policies.setHold(id, body, actor(auth, request));
  }

  @RequirePermissions('retention:manage')
  @RequireStepUp()
  @Delete(':id/legal-hold')
  @ApiOperation({ summary: "Lift a contact's legal hold: retention applies to it again" })
  liftHold(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof contactsApi.liftLegalHold>> {
    return this.policies.liftHold(id, actor(auth, request));
  }
}
