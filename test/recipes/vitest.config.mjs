// Runs the Vitest recipe of docs/testing.md (scripts/run-recipes.mjs). `gorx` resolves to the
// package's own build through its exports map, as in a user's project.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/recipes/*.vitest.ts'],
    watch: false,
  },
});
