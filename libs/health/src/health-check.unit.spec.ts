import { runChecks, type HealthCheck } from './health-check.js';

const check = (name: string, behaviour: () => Promise<void>): HealthCheck => ({ name, check: behaviour });

describe('readiness checks', () => {
  it('given every dependency answers, then the report is up', async () => {
    const report = await runChecks([check('postgres', async () => {}), check('redis', async () => {})]);

    expect(report.status).toBe('up');
    expect(Object.keys(report.checks)).toEqual(['postgres', 'redis']);
  });

  it('given one dependency fails, then the report is down and names only that one', async () => {
    const report = await runChecks([
      check('postgres', async () => {}),
      check('kafka-primary', () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9092\nstack'))),
    ]);

    expect(report.status).toBe('down');
    expect(report.checks.postgres?.status).toBe('up');
    expect(report.checks['kafka-primary']).toMatchObject({ status: 'down', error: 'connect ECONNREFUSED 127.0.0.1:9092' });
  });

  it('given a dependency that never answers, then the check times out instead of hanging the probe', async () => {
    const report = await runChecks([check('hung', () => new Promise(() => {}))], 50);

    expect(report.checks.hung).toMatchObject({ status: 'down', error: 'no answer within 50 ms' });
  });
});
