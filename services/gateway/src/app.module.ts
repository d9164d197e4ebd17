import { loadGatewayForwardingSecret } from '@crm/config';
import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { DownstreamModule } from './downstream/downstream.module.js';
import { loadDownstreamUrls } from './downstream/downstream.config.js';
import { Forwarder } from './forwarding/forwarder.js';
import { RequestTargetMiddleware } from './forwarding/request-target.middleware.js';
import { loadGatewayConfig } from './gateway.config.js';
import { loadRateLimits, RATE_LIMITS, RateLimitMiddleware } from './rate-limiting/rate-limit.middleware.js';
import { ROUTES } from './routes/route.manifest.js';
import { FORWARDER, routesController } from './routes/routes.controller.js';

@Module({})
export class AppModule implements NestModule {
  static register(): DynamicModule {
    return {
      module: AppModule,
      imports: [DownstreamModule.register()],
      controllers: [routesController(ROUTES)],
      providers: [
        {
          provide: FORWARDER,
          useFactory: () =>
            new Forwarder({ origins: loadDownstreamUrls(), timeoutMs: loadGatewayConfig().upstreamTimeoutMs, forwardingSecret: loadGatewayForwardingSecret() }),
        },
        { provide: RATE_LIMITS, useFactory: () => loadRateLimits() },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Order matters: a refused request target is still counted (in the strict bucket) before it is refused.
    consumer.apply(RateLimitMiddleware, RequestTargetMiddleware).forRoutes('*path');
  }
}
