import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120000,
    globalSetup: ['tests/setup/fixtures.ts', 'tests/setup/bigFixtures.ts'],
  },
});
