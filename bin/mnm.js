#!/usr/bin/env node
// The package's command. The TypeScript sources are compiled to dist/ by `npm ci`
// (the `prepare` script); run `npm run build` after editing src/.
import { main, quietOnClosedPipes } from '../dist/cli/main.js';

quietOnClosedPipes();
process.exitCode = await main(process.argv.slice(2));
