import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '@crm/http';
import { inspectRequestTarget } from './request-target.js';

/**
 * Refuses a request target that is not a plain origin-form path (see request-target.ts) with 400
 * `REQUEST_TARGET_INVALID`, after rate limiting has counted it and before any guard or forwarding runs.
 */
@Injectable()
export class RequestTargetMiddleware implements NestMiddleware {
  use(request: Request, _response: Response, next: NextFunction): void {
    // `originalUrl`: inside a middleware mounted on a wildcard, `url` is relative to the mount point.
    const inspection = inspectRequestTarget(request.originalUrl);
    if (!inspection.ok) {
      next(
        new AppError('REQUEST_TARGET_INVALID', 'invalid', 'the request target is not an origin-form path of this API', {
          details: { reason: inspection.reason },
        }),
      );
      return;
    }
    next();
  }
}
