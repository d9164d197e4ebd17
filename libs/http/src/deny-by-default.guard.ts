import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from './app-error.js';
import { IS_PUBLIC } from './public.decorator.js';

/**
 * Installed globally: a route is reachable only when it says so. `@Public()` opens it; authenticated routes are
 * opened by the authentication guard that replaces this one once identity is wired in.
 */
@Injectable()
export class DenyByDefaultGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic === true) return true;
    throw new AppError('UNAUTHENTICATED', 'unauthenticated', 'authentication required');
  }
}
