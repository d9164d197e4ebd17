import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { auditApi, type ResponseOf } from '@crm/api-contract';
import { CurrentAuth, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequireAnyPermission, RequirePermissions, validate } from '@crm/http';
import { RegisterService } from '../register.service.js';

const processorId = z.uuid();

@ApiTags('register')
@Controller('v1/processors')
export class ProcessorsController {
  constructor(private readonly register: RegisterService) {}

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get()
  @ApiOperation({ summary: 'Processors and sub-processors with DPA reference, location and status; needs register:manage or audit:read' })
  list(): Promise<ResponseOf<typeof auditApi.listProcessors>> {
    return this.register.processors();
  }

  @RequireAnyPermission('register:manage', 'audit:read')
  @Get(':id')
  @ApiOperation({ summary: 'One processor; needs register:manage or audit:read' })
  one(@Param('id') id: string): Promise<ResponseOf<typeof auditApi.processor>> {
    return this.register.processor(validate(processorId, id));
  }

  @RequirePermissions('register:manage')
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a processor (or, with parentProcessorId, a sub-processor)' })
  create(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<ResponseOf<typeof auditApi.registerProcessor>> {
    return this.register.registerProcessor(validate(auditApi.registerProcessor.request, body), { actorId: auth.sub, correlationId: correlationId(request) });
  }

  @RequirePermissions('register:manage')
  @Put(':id')
  @ApiOperation({ summary: 'Revise a processor (e.g. its status): the whole record plus `expectedVersion`; a stale version is 409' })
  revise(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
  ): Promise<ResponseOf<typeof auditApi.reviseProcessor>> {
    const { expectedVersion, ...document } = validate(auditApi.reviseProcessor.request, body);
    return this.register.reviseProcessor(validate(processorId, id), expectedVersion, document, { actorId: auth.sub, correlationId: correlationId(request) });
  }
}
