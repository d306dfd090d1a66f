#!/usr/bin/env node
// Bundles the viewer's browser code (src/web/browser/main.ts and what it imports from src/web and
// src/trace) into ONE script, dist/web/viewer.js, which `mnm view` inlines into a self-contained page
// (docs/viewer.md). Type checking is tsc's job (src/web/browser/tsconfig.json); esbuild only strips types and joins.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/web/browser/main.ts'],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  outfile: 'dist/web/viewer.js',
  logLevel: 'warning',
});
