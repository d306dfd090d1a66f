#!/usr/bin/env node
// The package's command. In a clone, `npm ci` compiles the TypeScript sources to
// dist/ (the `prepare` script; run `npm run build` after editing src/); a packed
// tarball carries dist/, since `npm pack` runs `prepare` too.
import { main, quietOnClosedPipes } from '../dist/cli/main.js';

quietOnClosedPipes();
process.exitCode = await main(process.argv.slice(2));
