import { readFileSync } from 'node:fs';
import { traceVersion } from './format.js';

/**
 * Which mnm wrote a trace or a JSON report: the package's version and the
 * trace format's. A trace replays only on the mnm that wrote it (a new
 * version may schedule, draw or encode differently), so `mnm replay` compares
 * both before comparing lines.
 *
 * The version is read from the package's own package.json, found relative to
 * this module (dist/trace/ → ../../package.json), so it is right both in the
 * repository and in an installed copy (node_modules/mnm/package.json).
 * Kept apart from format.ts, which stays free of file access for readers
 * that only parse traces.
 */
export interface Provenance {
  /** The mnm package's version, e.g. "0.1.0". */
  readonly mnmVersion: string;
  /** The trace format's version (docs/trace.md). */
  readonly traceVersion: number;
}

let packageVersion: string | undefined;

/** The mnm package's version, read once. */
export function mnmVersion(): string {
  if (packageVersion === undefined) {
    const file = new URL('../../package.json', import.meta.url);
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    // A package.json of some other package would give a wrong provenance silently: refuse it.
    if (manifest.name !== 'mnm' || typeof manifest.version !== 'string') throw new Error(`${file.pathname} is not mnm's package.json (name ${JSON.stringify(manifest.name)})`);
    packageVersion = manifest.version;
  }
  return packageVersion;
}

/** This mnm's provenance, as every `--json` output and trace header carries it. */
export function provenance(): Provenance {
  return { mnmVersion: mnmVersion(), traceVersion };
}
