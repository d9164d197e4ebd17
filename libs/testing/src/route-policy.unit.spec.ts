import 'reflect-metadata';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Public, RequirePermissions } from '@crm/http';
import { routePolicies } from './route-policy.js';

@Controller('things')
class ThingsController {
  @Public()
  @Get()
  list(): string[] {
    return [];
  }

  @RequirePermissions('things:write')
  @Post()
  create(): void {}

  @Post('forgotten')
  forgotten(): void {}
}

@Module({ controllers: [ThingsController] })
class FixtureModule {}

describe('route policies', () => {
  it('given routes with and without a declared guard, when listed, then each one shows the policy it declares', async () => {
    const app = await NestFactory.create(FixtureModule, { logger: false });
    await app.init();

    const policies = routePolicies(app);

    expect(policies).toEqual([
      { route: 'GET /things', policy: 'public' },
      { route: 'POST /things', policy: 'permissions' },
      { route: 'POST /things/forgotten', policy: 'none' },
    ]);
    await app.close();
  });
});
