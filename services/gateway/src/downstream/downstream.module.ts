import { Module, type DynamicModule } from '@nestjs/common';
import { HttpReadinessCheck } from '@crm/health';
import { loadDownstreamUrls, type DownstreamService } from './downstream.config.js';

export const downstreamCheckToken = (service: DownstreamService): symbol => Symbol.for(`crm:downstream:${service}`);

/** Readiness of the gateway includes the readiness of every service it routes to. */
@Module({})
export class DownstreamModule {
  static register(): DynamicModule {
    const urls = loadDownstreamUrls();
    const providers = Object.entries(urls).map(([service, url]) => ({
      provide: downstreamCheckToken(service as DownstreamService),
      useFactory: () => new HttpReadinessCheck(service, url),
    }));
    return { module: DownstreamModule, global: true, providers, exports: providers.map((provider) => provider.provide) };
  }

  static checkTokens(): symbol[] {
    return Object.keys(loadDownstreamUrls()).map((service) => downstreamCheckToken(service as DownstreamService));
  }
}
