// Identity's routes: sign-in, enrolment, own account, staff accounts and roles.
import { z } from 'zod';
import type { BodyContract } from './openapi.js';

/** `POST /v1/users/:id/password-reset`: no body; the generated password, shown once. */
export const resetPassword = {
  response: z.object({
    oneTimePassword: z.string().meta({ description: 'The generated password, shown this once: it opens only the forced change at the next sign-in' }),
    sessionsEnded: z.number().int().min(0).meta({ description: 'Sessions of the account that ended' }),
  }),
} satisfies BodyContract;
