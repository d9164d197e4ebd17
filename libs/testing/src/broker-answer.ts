/**
 * The broker's error codes (`TOPIC_AUTHORIZATION_FAILED`, …) inside whatever the Kafka client and KafkaCluster wrapped
 * them in, or 'allowed' when the attempt worked: what an ACL spec compares.
 */
export async function brokerAnswer(attempt: Promise<unknown>): Promise<string[] | 'allowed'> {
  const codes = (error: unknown): string[] => {
    if (typeof error !== 'object' || error === null) return [];
    const { apiId, errors, cause } = error as { apiId?: unknown; errors?: unknown; cause?: unknown };
    return [...(typeof apiId === 'string' ? [apiId] : []), ...(Array.isArray(errors) ? errors.flatMap(codes) : []), ...codes(cause)];
  };
  return attempt.then(
    () => 'allowed',
    (error: unknown) => [...new Set(codes(error))],
  );
}
