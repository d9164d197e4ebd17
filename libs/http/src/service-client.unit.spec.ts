import { serviceUrl, serviceUrls } from './service-client.js';

describe('where a service is found', () => {
  it('given CRM_<NAME>_URL, then that URL (without a trailing slash)', () => {
    expect(serviceUrl('contacts', { CRM_CONTACTS_URL: 'https://contacts.internal:9443/', CRM_CONTACTS_PORT: '8182' })).toBe('https://contacts.internal:9443');
  });

  it('given only CRM_<NAME>_PORT, then loopback at that port: the port the launcher started it on', () => {
    expect(serviceUrl('audit', { CRM_AUDIT_PORT: '8184' })).toBe('http://127.0.0.1:8184');
  });

  it('given neither, then the default port of each service', () => {
    expect(serviceUrls({})).toEqual({
      identity: 'http://127.0.0.1:8081',
      contacts: 'http://127.0.0.1:8082',
      consent: 'http://127.0.0.1:8083',
      audit: 'http://127.0.0.1:8084',
      backup: 'http://127.0.0.1:8085',
    });
  });

  it('given a malformed value, then the variable is named, not guessed around', () => {
    expect(() => serviceUrl('identity', { CRM_IDENTITY_PORT: '80a' })).toThrow(/CRM_IDENTITY_PORT/);
    expect(() => serviceUrl('identity', { CRM_IDENTITY_URL: 'not a url' })).toThrow(/CRM_IDENTITY_URL/);
  });
});
