import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import { CurrentAuth, PERMISSIONS, RequireStepUp, type AccessTokenClaims } from '@crm/auth';
import { correlationId, RequirePermissions, validate } from '@crm/http';
import { AccountsService, type AccountView } from './accounts.service.js';

const registerBody = z
  .object({
    email: z.email().max(320),
    displayName: z.string().trim().min(1).max(200),
    password: z.string().min(1).max(1024),
    roles: z.array(z.string().max(40)).min(1).max(20),
    birthDate: z.iso.date().optional(),
  })
  .strict();
const rolesBody = z.object({ roles: z.array(z.string().max(40)).min(1).max(20) }).strict();
const roleBody = z
  .object({ name: z.string().max(40), permissions: z.array(z.string().max(40)).min(1).max(50), mfaRequired: z.boolean().default(false) })
  .strict();
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), after: z.uuid().optional() }).strict();
const userId = z.uuid();

@ApiTags('users')
@Controller('v1')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @RequirePermissions('users:manage')
  @Get('users')
  @ApiOperation({ summary: 'List staff accounts (paged by id)' })
  list(@Query() query: unknown): Promise<AccountView[]> {
    const { limit, after } = validate(listQuery, query);
    return this.accounts.list(limit, after);
  }

  @RequirePermissions('users:manage')
  @Get('users/:id')
  @ApiOperation({ summary: 'One staff account, by id' })
  one(@Param('id') id: string): Promise<AccountView> {
    return this.accounts.get(validate(userId, id));
  }

  /** Self-service is bound to the token's subject, never to an id in the URL: there is no id to change. */
  @RequirePermissions()
  @Get('me')
  @ApiOperation({ summary: 'Your own account' })
  me(@CurrentAuth() auth: AccessTokenClaims): Promise<AccountView> {
    return this.accounts.get(auth.sub);
  }

  @RequirePermissions('users:manage')
  @Post('users')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a staff account; the password must satisfy the policy (each violated rule is named by its code)' })
  register(@Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<AccountView> {
    return this.accounts.register(validate(registerBody, body), auth.sub, correlationId(request));
  }

  @RequirePermissions('roles:manage')
  @Put('users/:id/roles')
  @ApiOperation({ summary: "Replace an account's roles" })
  assignRoles(@Param('id') id: string, @Body() body: unknown, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<AccountView> {
    return this.accounts.assignRoles(validate(userId, id), validate(rolesBody, body).roles, auth.sub, correlationId(request));
  }

  @RequirePermissions('users:manage')
  @RequireStepUp()
  @Delete('users/:id/mfa')
  @HttpCode(204)
  @ApiOperation({ summary: "Reset an account's second factor (it must enrol again); needs a fresh second factor of the administrator" })
  async resetMfa(@Param('id') id: string, @CurrentAuth() auth: AccessTokenClaims, @Req() request: Request): Promise<void> {
    await this.accounts.resetMfa(validate(userId, id), auth.sub, correlationId(request));
  }

  @RequirePermissions('roles:manage')
  @Get('roles')
  @ApiOperation({ summary: 'The roles: built-in and administrator-made, each with its permissions' })
  roles(): Promise<Array<{ name: string; permissions: readonly string[]; mfaRequired: boolean }>> {
    return this.accounts.roleList();
  }

  @RequirePermissions('roles:manage')
  @Post('roles')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a custom role from the permission catalogue' })
  createRole(
    @Body() body: unknown,
    @CurrentAuth() auth: AccessTokenClaims,
    @Req() request: Request,
  ): Promise<{ name: string; permissions: string[]; mfaRequired: boolean }> {
    const { name, permissions, mfaRequired } = validate(roleBody, body);
    return this.accounts.createRole(name, permissions, mfaRequired, auth.sub, correlationId(request));
  }

  @RequirePermissions('roles:manage')
  @Get('permissions')
  @ApiOperation({ summary: 'The permission catalogue' })
  permissions(): readonly string[] {
    return PERMISSIONS;
  }
}
