import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const shim = (name: string) => fileURLToPath(new URL(`./test/shims/${name}.ts`, import.meta.url));

export default defineConfig({
  test: {
    projects: [
      {
        // Pure logic, with shims standing in for the k6 modules (never a replacement for a real run).
        resolve: {
          alias: { 'k6/metrics': shim('k6-metrics'), 'k6/http': shim('k6-http'), 'k6/execution': shim('k6-execution') },
        },
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        // The real ./bin/k6 against sandbox targets on 127.0.0.1, one file at a time (2 cores).
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
