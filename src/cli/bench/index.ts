import type { BenchSuite } from './suite.js';

/** Every benchmark suite, in the order `mnm bench all` runs them. */
export const suites: readonly BenchSuite[] = [];
