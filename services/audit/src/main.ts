import { runService } from '@crm/platform';
import { serviceDefinition } from './service.definition.js';

await runService(serviceDefinition);
