import { MultipleErrors, ProtocolError } from '@platformatic/kafka';
import { coordinatorNotReady } from './batch-consumer.js';

/** The shape a failed join has (seen on a fresh cluster): the client's retries, each a response with the broker's code. */
function failedJoin(apiId: string): Error {
  const attempt = (): Error => new MultipleErrors('Received response with error while executing API JoinGroup(v9)', [new ProtocolError(apiId)]);
  return new MultipleErrors('Failed to join the group', [attempt(), attempt(), attempt()]);
}

describe('coordinatorNotReady', () => {
  it.each(['NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE'])('given a join that failed with %s, says try again', (apiId) => {
    expect(coordinatorNotReady(failedJoin(apiId))).toBe(true);
  });

  it('given a join that failed for another reason (an unknown topic, bad credentials), says give up', () => {
    expect(coordinatorNotReady(failedJoin('UNKNOWN_TOPIC_OR_PARTITION'))).toBe(false);
    expect(coordinatorNotReady(failedJoin('SASL_AUTHENTICATION_FAILED'))).toBe(false);
    expect(coordinatorNotReady(new Error('connect ECONNREFUSED'))).toBe(false);
    expect(coordinatorNotReady('NOT_COORDINATOR')).toBe(false);
  });
});
