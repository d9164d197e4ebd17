import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { backupApi, ResponseOf } from '@crm/api-contract';
import { RequirePermissions } from '@crm/http';
import { MirrorStatusService } from './mirror-status.service.js';

@ApiTags('backups')
@Controller('v1/backups')
export class MirrorController {
  constructor(private readonly mirror: MirrorStatusService) {}

  @RequirePermissions('backups:read')
  @Get('mirror')
  @ApiOperation({ summary: 'Per platform topic-partition: the primary end offset, how far the mirror has copied it to the backup cluster, and the lag' })
  status(): Promise<ResponseOf<typeof backupApi.mirrorStatus>> {
    return this.mirror.status();
  }
}
