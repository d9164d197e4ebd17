import { applyDecorators, SetMetadata } from '@nestjs/common';

export const REQUIRED_PERMISSIONS = 'crm:permissions';

/**
 * States which permissions (from the catalogue, e.g. `contacts:read`) a route needs. Together with `@Public()` this
 * is how every route declares its guard; a route with neither is unreachable and fails the route-policy test.
 */
export const RequirePermissions = (...permissions: string[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_PERMISSIONS, permissions);

export const REQUIRED_ANY_PERMISSION = 'crm:any-permission';

/**
 * A route open to holders of *any one* of `permissions` (the register is read by its editors or by auditors). It
 * declares the route's guard like `@RequirePermissions`, and adds to (never replaces) what that requires.
 */
export const RequireAnyPermission = (...permissions: [string, ...string[]]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(REQUIRED_PERMISSIONS, []), SetMetadata(REQUIRED_ANY_PERMISSION, permissions));
