import { Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AUDIT_URL, AuditRoutesController } from './audit-routes/audit-routes.controller.js';
import { DownstreamModule } from './downstream/downstream.module.js';
import { loadDownstreamUrls } from './downstream/downstream.config.js';
import { CONTACTS_URL, ContactsRoutesController } from './contacts-routes/contacts-routes.controller.js';
import { IDENTITY_URL, IdentityRoutesController } from './identity-routes/identity-routes.controller.js';
import { loadRateLimits, RATE_LIMITS, RateLimitMiddleware } from './rate-limiting/rate-limit.middleware.js';

@Module({})
export class AppModule implements NestModule {
  static register(): DynamicModule {
    return {
      module: AppModule,
      imports: [DownstreamModule.register()],
      controllers: [IdentityRoutesController, ContactsRoutesController, AuditRoutesController],
      providers: [
        { provide: IDENTITY_URL, useFactory: () => loadDownstreamUrls().identity },
        { provide: CONTACTS_URL, useFactory: () => loadDownstreamUrls().contacts },
        { provide: AUDIT_URL, useFactory: () => loadDownstreamUrls().audit },
        { provide: RATE_LIMITS, useFactory: () => loadRateLimits() },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RateLimitMiddleware).forRoutes('*path');
  }
}
