// Records what a module adds to its metrics, so unit tests can check the bookkeeping of pure logic.
export const added: Array<{ metric: string; value: number | boolean; tags?: Record<string, string> }> = [];

class Metric {
  constructor(
    readonly name: string,
    readonly isTime = false,
  ) {}
  add(value: number | boolean, tags?: Record<string, string>): void {
    added.push({ metric: this.name, value, tags });
  }
}
export class Counter extends Metric {}
export class Gauge extends Metric {}
export class Rate extends Metric {}
export class Trend extends Metric {}
