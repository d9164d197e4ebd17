// Which pidfiles under <state>/run/ belong to an infrastructure component (the supervisor in tools/platform.ts watches
// them): a component's own `<component>.pid`, and for a primary Kafka cluster of several brokers
// (CRM_KAFKA_PRIMARY_BROKERS=3, deploy/local/kafka.sh) one per further broker, `kafka-primary-2.pid`, …

const FURTHER_BROKER = /^kafka-primary-(\d+)\.pid$/;

/** The pidfile names (without `.pid`) of `component`, given the names of the files in the run directory. */
export function componentPidNames(component: string, runDirEntries: readonly string[]): string[] {
  if (component !== 'kafka-primary') return [component];
  const brokers = runDirEntries
    .flatMap((name) => {
      const match = FURTHER_BROKER.exec(name);
      return match === null ? [] : [Number(match[1])];
    })
    .sort((a, b) => a - b);
  return [component, ...brokers.map((broker) => `${component}-${broker}`)];
}
