import { Module, type DynamicModule } from '@nestjs/common';
import { DownstreamModule } from './downstream/downstream.module.js';

@Module({})
export class AppModule {
  static register(): DynamicModule {
    return { module: AppModule, imports: [DownstreamModule.register()] };
  }
}
