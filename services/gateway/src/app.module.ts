import { Module, type DynamicModule } from '@nestjs/common';
import { DownstreamModule } from './downstream/downstream.module.js';
import { loadDownstreamUrls } from './downstream/downstream.config.js';
import { IDENTITY_URL, IdentityRoutesController } from './identity-routes/identity-routes.controller.js';

@Module({})
export class AppModule {
  static register(): DynamicModule {
    return {
      module: AppModule,
      imports: [DownstreamModule.register()],
      controllers: [IdentityRoutesController],
      providers: [{ provide: IDENTITY_URL, useFactory: () => loadDownstreamUrls().identity }],
    };
  }
}
