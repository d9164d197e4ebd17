import { errorStatuses } from './routes.controller.js';

describe('the error statuses the OpenAPI document lists for a gateway route', () => {
  it('given a public read without parameters, then only malformed, rate-limited and unavailable', () => {
    expect(errorStatuses({ method: 'GET', path: '/v1/audit/public-key', guard: { public: true } })).toEqual([400, 429, 503]);
  });

  it('given a guarded write naming a resource, then also unauthenticated, forbidden, not found, gone, conflict and too large', () => {
    expect(errorStatuses({ method: 'PATCH', path: '/v1/contacts/:id', guard: { permissions: ['contacts:write'] } })).toEqual([
      400, 401, 403, 404, 409, 410, 413, 429, 503,
    ]);
  });

  it('given a route naming its own error statuses, then they are listed too, once', () => {
    expect(errorStatuses({ method: 'POST', path: '/v1/auth/login', guard: { public: true }, errors: [401, 409] })).toEqual([400, 401, 409, 413, 429, 503]);
  });
});
