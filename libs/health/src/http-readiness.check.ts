import type { HealthCheck } from './health-check.js';

/** Readiness of a downstream service, as that service itself reports it (its /health/ready). */
export class HttpReadinessCheck implements HealthCheck {
  constructor(
    readonly name: string,
    private readonly baseUrl: string,
  ) {}

  async check(): Promise<void> {
    const response = await fetch(new URL('/health/ready', this.baseUrl), { signal: AbortSignal.timeout(1_500) });
    await response.body?.cancel();
    if (response.status !== 200) throw new Error(`${this.name} is not ready (HTTP ${response.status})`);
  }
}
