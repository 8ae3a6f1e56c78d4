// The payments family's benchmarks: the library's health and payment-confirm scripts, each against a
// bare hand-written k6 script doing the same request and check on the same sandbox and VUs.
import { payments } from '../../src/shared/families/payments.ts';
import { libraryVsBare, type BenchContext } from './common.ts';
import type { Section } from './report.ts';

export async function benchSections(ctx: BenchContext): Promise<Section[]> {
  return [
    await libraryVsBare(ctx.resultsDir, payments, { name: 'health', bare: 'test/bare/health.js', library: 'dist/health.js', result: 'health', env: {} }),
    await libraryVsBare(ctx.resultsDir, payments, {
      name: 'payment-confirm',
      bare: 'test/bare/payment-confirm.js',
      library: 'dist/payments.js',
      result: 'payment-confirm',
      env: { SCENARIO: 'payment-confirm' },
    }),
  ];
}
