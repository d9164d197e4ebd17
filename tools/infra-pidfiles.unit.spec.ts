import { componentPidNames } from './infra-pidfiles.ts';

describe('the pidfiles the supervisor watches for an infrastructure component', () => {
  it('given a single-broker primary, when listed, then only its own pidfile', () => {
    expect(componentPidNames('kafka-primary', ['kafka-primary.pid', 'kafka-backup.pid', 'postgres.pid', 'infra.lock'])).toEqual(['kafka-primary']);
  });

  it('given a three-broker primary, when listed, then every broker, in broker order', () => {
    const entries = ['kafka-primary-3.pid', 'kafka-primary.pid', 'kafka-primary-2.pid', 'kafka-mirror.pid', 'kafka-primary-2.pid.tmp'];
    expect(componentPidNames('kafka-primary', entries)).toEqual(['kafka-primary', 'kafka-primary-2', 'kafka-primary-3']);
  });

  it('given another component, when listed, then its own pidfile alone (the backup cluster is one broker)', () => {
    expect(componentPidNames('kafka-backup', ['kafka-backup.pid', 'kafka-primary-2.pid'])).toEqual(['kafka-backup']);
    expect(componentPidNames('postgres', ['postgres.pid'])).toEqual(['postgres']);
  });
});
