import { createHash, type Hash } from 'node:crypto';
import type { TraceEvent, TraceHeader, TraceSink } from './format.js';

/** Receives a trace's text in order, in chunks of many lines (e.g. appends them to a file). */
export type TraceOutput = (chunk: string) => void;

/**
 * Serialises a trace: every line is hashed (SHA-256 over the lines, each
 * ending in a newline, i.e. over the file's bytes) and either kept for
 * writing out (`keep` true), or handed to an output as it goes (`keep` a
 * TraceOutput: a long run's trace then streams to its file and memory stays
 * bounded), or only hashed (`keep` false). Key order is the order in which
 * events are built, so the same run gives byte-identical lines.
 */
export class TraceRecorder implements TraceSink {
  private readonly hash: Hash = createHash('sha256');
  private readonly lines: string[] = [];
  private readonly keepLines: boolean;
  private readonly output: TraceOutput | undefined;
  private pending = '';
  private digest: string | undefined;

  /**
   * `mnmVersion`, when given, is stamped into the header right after the
   * format version (scenario runs give it: provenance.ts). Left out, the
   * header is written as built, so a bare simulation's trace, and its hash,
   * do not change with every release of the package.
   */
  constructor(
    keep: boolean | TraceOutput,
    private readonly forward?: TraceSink,
    private readonly mnmVersion?: string,
  ) {
    this.keepLines = keep === true;
    this.output = typeof keep === 'function' ? keep : undefined;
  }

  header(header: TraceHeader): void {
    const { type, version, ...rest } = header;
    const stamped: TraceHeader = this.mnmVersion === undefined ? header : { type, version, mnmVersion: this.mnmVersion, ...rest };
    this.line(JSON.stringify(stamped));
    this.forward?.header(stamped);
  }

  event(event: TraceEvent): void {
    this.line(JSON.stringify(event));
    this.forward?.event(event);
  }

  private line(text: string): void {
    if (this.keepLines) this.lines.push(text);
    // Hash in chunks: one update per event costs more than the hashing itself.
    this.pending += text + '\n';
    if (this.pending.length > 65536) this.flush();
  }

  private flush(): void {
    this.hash.update(this.pending);
    if (this.pending.length > 0) this.output?.(this.pending);
    this.pending = '';
  }

  /** The trace's hash, `sha256:<hex>`; ends the recording (and hands the output its last chunk). */
  traceHash(): string {
    if (this.digest === undefined) {
      this.flush();
      this.digest = `sha256:${this.hash.digest('hex')}`;
    }
    return this.digest;
  }

  /** The trace as a file's text (only when lines are kept). */
  text(): string {
    if (!this.keepLines) throw new Error('trace lines were not kept');
    return this.lines.length === 0 ? '' : this.lines.join('\n') + '\n';
  }
}

/** Fans a trace out to several sinks. */
export class TraceFanout implements TraceSink {
  constructor(private readonly sinks: readonly TraceSink[]) {}
  header(header: TraceHeader): void {
    for (const sink of this.sinks) sink.header(header);
  }
  event(event: TraceEvent): void {
    for (const sink of this.sinks) sink.event(event);
  }
}

/** Computes nothing: tracing off. */
export const noTrace: TraceSink = { header: () => {}, event: () => {} };
