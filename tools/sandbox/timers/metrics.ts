// GET /metrics (Prometheus text format, no auth): prom-client's default process metrics
// (process_cpu_seconds_total, process_resident_memory_bytes, nodejs_* ...) on a private Registry — never
// the global one, so several sandboxes in one process do not share counters — and the service's own:
//   timers_created_total{namespace}, timers_fired_total{namespace}, timers_pending,
//   timer_callback_attempts_total{outcome="ok"|"reschedule"|"invalid"|"retry"}, timer_fire_drift_seconds.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class TimerMetrics {
  readonly registry = new Registry();
  private readonly createdTotal: Counter<'namespace'>;
  private readonly firedTotal: Counter<'namespace'>;
  private readonly attempts: Counter<'outcome'>;
  private readonly driftSeconds: Histogram;

  constructor(pending: () => number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.createdTotal = new Counter({
      name: 'timers_created_total',
      help: 'Timers created (creates of an existing timer included)',
      labelNames: ['namespace'],
      registers,
    });
    this.firedTotal = new Counter({ name: 'timers_fired_total', help: 'Timers whose callback answered {"ok": true}', labelNames: ['namespace'], registers });
    this.attempts = new Counter({ name: 'timer_callback_attempts_total', help: 'Callback requests sent, by outcome', labelNames: ['outcome'], registers });
    this.driftSeconds = new Histogram({
      name: 'timer_fire_drift_seconds',
      help: 'Send time of the first callback attempt minus executeAt',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    new Gauge({
      name: 'timers_pending',
      help: 'Timers not yet executed nor failed',
      registers,
      collect() {
        this.set(pending());
      },
    });
  }

  created(namespace: string): void {
    this.createdTotal.inc({ namespace });
  }

  fired(namespace: string): void {
    this.firedTotal.inc({ namespace });
  }

  attempt(outcome: string): void {
    this.attempts.inc({ outcome });
  }

  drift(ms: number): void {
    this.driftSeconds.observe(Math.max(0, ms) / 1000);
  }

  /** Zeroes the service's counters (the process metrics are read at each scrape). */
  reset(): void {
    this.createdTotal.reset();
    this.firedTotal.reset();
    this.attempts.reset();
    this.driftSeconds.reset();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
