import { defineConfig } from "vitest/config";

// e2e suites spawn gateways and 3-member etcd clusters; on a 2-core machine they must not
// all run at once, so test files run in a bounded pool and timeouts are generous.
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "data/**", ".tmp/**"],
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", "./vitest.summary-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
