import { z } from 'zod';

export const PROCESSOR_STATUSES = ['active', 'suspended', 'terminated'] as const;

/**
 * A processor (Art. 28) or, with `parentProcessorId`, a sub-processor engaged by one (Art. 28(2), (4)): each with
 * the reference of its data processing agreement, where it processes, and whether it still does.
 */
export const processorDocument = z
  .object({
    name: z.string().trim().min(1).max(200),
    dpaReference: z.string().trim().min(1).max(200),
    /** ISO 3166-1 alpha-2 country where the processing happens. */
    country: z.string().regex(/^[A-Z]{2}$/),
    location: z.string().trim().max(200).optional(),
    status: z.enum(PROCESSOR_STATUSES),
    services: z.string().trim().max(1000).optional(),
    parentProcessorId: z.uuid().optional(),
  })
  .strict();

export type ProcessorDocument = z.output<typeof processorDocument>;
export const processorUpdate = processorDocument.extend({ expectedVersion: z.number().int().min(1) }).strict();
