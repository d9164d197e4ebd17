import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'crm:public';

/**
 * The only way to open a route to unauthenticated callers. Routes without it are denied by default, so
 * forgetting an authorisation decorator fails closed.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
