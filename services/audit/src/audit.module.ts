import { Module, type DynamicModule } from '@nestjs/common';
import type { PlatformConfig } from '@crm/config';
import { EventStore } from '@crm/eventstore';
import { PG_POOL, type Pool } from '@crm/postgres';
import { loadAuditConfig, type AuditConfig } from './audit.config.js';
import { AuditRuntime, PLATFORM_CONFIG } from './audit.runtime.js';
import { AUDIT_CONFIG, REGISTER_EVENT_STORE, TREE_HEAD_KEY } from './audit.tokens.js';
import { AuditIngestController } from './ingesting/audit-ingest.controller.js';
import { ProofsController } from './proofs/proofs.controller.js';
import { ProofsService } from './proofs/proofs.service.js';
import { EntriesQuery } from './querying/entries.query.js';
import { QueriesController } from './querying/queries.controller.js';
import { QueryRecorder } from './querying/query.recorder.js';
import { ActivitiesController } from './register/activities/activities.controller.js';
import { DraftRegisterSeeder } from './register/drafts/draft-register.seeder.js';
import { EvidenceQuery } from './register/evidence/evidence.query.js';
import { RegisterExportController } from './register/export/register-export.controller.js';
import { ProcessorsController } from './register/processors/processors.controller.js';
import { Registers } from './register/register.registers.js';
import { RegisterService } from './register/register.service.js';
import { EntriesStore } from './trail/entries.store.js';
import { TreeHeadKey } from './tree-heads/tree-head.key.js';

/** The audit trail (ingest, tree heads, proofs, DPO queries) and the Art. 30 register. */
@Module({})
export class AuditModule {
  static register(platform: PlatformConfig, config: AuditConfig = loadAuditConfig()): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditIngestController, ProofsController, QueriesController, ActivitiesController, ProcessorsController, RegisterExportController],
      providers: [
        { provide: AUDIT_CONFIG, useValue: config },
        { provide: PLATFORM_CONFIG, useValue: platform },
        { provide: TREE_HEAD_KEY, useFactory: () => TreeHeadKey.loadOrCreate(platform.stateDir) },
        { provide: EntriesStore, inject: [PG_POOL], useFactory: (pool: Pool) => new EntriesStore(pool, config.schema) },
        {
          provide: REGISTER_EVENT_STORE,
          inject: [PG_POOL],
          useFactory: (pool: Pool) => new EventStore(pool, { schema: config.schema, topic: config.registerTopic }),
        },
        AuditRuntime,
        ProofsService,
        EntriesQuery,
        QueryRecorder,
        EvidenceQuery,
        Registers,
        RegisterService,
        DraftRegisterSeeder,
      ],
      exports: [AuditRuntime],
    };
  }
}
