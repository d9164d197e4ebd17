import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import type { AuditConfig } from '../../audit.config.js';
import { AUDIT_CONFIG } from '../../audit.tokens.js';
import { createLogger } from '@crm/logging';
import { PLATFORM_CONFIG } from '../../audit.runtime.js';
import { RegisterService } from '../register.service.js';

/**
 * At every start (unless `CRM_AUDIT_DRAFT_REGISTER=off`), drafts the register's missing built-in activities (`RegisterService.seedDrafts`: idempotent, never
 * overwriting). The drafts are events like every register change (actor `audit:register-draft`, a service), so they
 * reach the audit trail through the outbox.
 */
@Injectable()
export class DraftRegisterSeeder implements OnApplicationBootstrap {
  constructor(
    private readonly register: RegisterService,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.draftRegister) return;
    const drafted = await this.register.seedDrafts(randomUUID());
    if (drafted.length > 0)
      createLogger({ service: this.platform.service, level: this.platform.logLevel }).info(
        { drafted: drafted.length },
        'register: built-in activities drafted for review',
      );
  }
}
