import { SetMetadata } from '@nestjs/common';

export const REQUIRED_PERMISSIONS = 'crm:permissions';

/**
 * States which permissions (from the catalogue, e.g. `contacts:read`) a route needs. Together with `@Public()` this
 * is how every route declares its guard; a route with neither is unreachable and fails the route-policy test.
 */
export const RequirePermissions = (...permissions: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSIONS, permissions);
