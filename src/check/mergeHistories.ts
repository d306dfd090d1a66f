import { detectFormat, formatNamed, type HistoryFormat, type TimedEvent } from './formats/index.js';
import { HistoryError } from './history.js';
import { pairOperations } from './pairing.js';
import { operationIdsOf, readHistory, type ReadHistory } from './readHistory.js';

/** One history file: its name (for messages) and its text. */
export interface HistorySource {
  readonly name: string;
  readonly text: string;
}

/** Bad input in one of several files: the message names the file, and the line when there is one. */
export class HistoryFileError extends HistoryError {
  constructor(
    readonly file: string,
    line: number | undefined,
    message: string,
  ) {
    super(line ?? 0, message);
    this.message = `'${file}' ${line === undefined ? '' : `line ${line}: `}${message}`;
    this.name = 'HistoryFileError';
  }
}

/**
 * Reads several history files as one history: the files of one run, each
 * holding some of its processes (the per-node files of `mnm cluster up`).
 * Each file is read and paired on its own, so a problem names its file and
 * line; then the events are merged by time. Within a file the order of the
 * lines is kept (its times must not go backwards); between files, events
 * with equal times put calls before returns, so that operations of different
 * files whose times touch count as concurrent rather than ordered: a tie
 * never adds a real-time constraint the clocks did not show.
 *
 * A process (and, for formats that pair by operation id, an operation id)
 * must appear in one file only: two files claiming the same process are two
 * runs, or one run read twice, and merging them would invent a history.
 *
 * Operations are named by their call's line in their own file, which is not
 * unique across files, so a merge of line-named formats names them by their
 * position in the merged call order (1-based) instead.
 */
export function readHistories(sources: readonly HistorySource[], formatName?: string): ReadHistory {
  if (sources.length === 0) throw new HistoryError(0, 'no history files given');
  if (sources.length === 1) return withFile(sources[0].name, () => readHistory(sources[0].text, formatName));
  const files = sources.map((source) => ({ name: source.name, ...readOne(source, formatName) }));
  const format = files[0].format;
  for (const file of files) {
    if (file.format.name !== format.name) throw new HistoryFileError(file.name, undefined, `is ${file.format.name} but '${files[0].name}' is ${format.name}: merged histories have one format`);
  }
  refuseSharedNames(files, (event) => event.process, 'process');
  if (format.matchBy === 'op') refuseSharedNames(files, (event) => event.op, 'operation id');
  for (const file of files) checkTimes(file.name, file.events);
  const operations = pairOperations(mergeByTime(files.map((file) => file.events)), format.matchBy);
  if (format.matchBy === 'op') return { format, operations, operationIds: operationIdsOf(format) };
  return { format, operations: operations.map((operation) => ({ ...operation, id: operation.index + 1 })), operationIds: 'call order in the merged history' };
}

function readOne(source: HistorySource, formatName: string | undefined): { format: HistoryFormat; events: TimedEvent[] } {
  return withFile(source.name, () => {
    const format = formatName === undefined ? detectFormat(source.text) : formatNamed(formatName);
    if (!format) throw new HistoryError(0, `unknown format '${formatName}'`);
    const events = format.parse(source.text);
    // Pairing each file alone finds a file's own mistakes with its name; the merge cannot add any, as no process spans two files.
    pairOperations(events, format.matchBy);
    return { format, events };
  });
}

function withFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof HistoryError && !(error instanceof HistoryFileError)) {
      throw new HistoryFileError(file, error.line, error.message.replace(/^line \d+: /, ''));
    }
    throw error;
  }
}

function refuseSharedNames(files: readonly { name: string; events: readonly TimedEvent[] }[], nameOf: (event: TimedEvent) => number | undefined, what: string): void {
  const owner = new Map<number, string>();
  for (const file of files) {
    const mine = new Set<number>();
    for (const event of file.events) {
      const name = nameOf(event);
      if (name === undefined || mine.has(name)) continue;
      const other = owner.get(name);
      if (other !== undefined) throw new HistoryFileError(file.name, event.line, `${what} ${name} also appears in '${other}': each ${what} must be in one file only`);
      mine.add(name);
      owner.set(name, file.name);
    }
  }
}

function checkTimes(file: string, events: readonly TimedEvent[]): void {
  let previous = -Infinity;
  for (const event of events) {
    if (event.time === undefined) throw new HistoryFileError(file, event.line, 'this event has no time, and merging several files orders their events by time ("time" in mnm histories, :time in Jepsen EDN)');
    if (event.time < previous) throw new HistoryFileError(file, event.line, `time goes backwards (${event.time} after ${previous})`);
    previous = event.time;
  }
}

/** Merges files whose events are in time order, keeping each file's order; on equal times calls come first, then earlier files. */
function mergeByTime(files: readonly (readonly TimedEvent[])[]): TimedEvent[] {
  const merged: TimedEvent[] = [];
  const next = files.map(() => 0);
  for (;;) {
    let chosen = -1;
    for (let file = 0; file < files.length; file++) {
      const event = files[file][next[file]];
      if (event === undefined) continue;
      if (chosen < 0 || before(event, files[chosen][next[chosen]])) chosen = file;
    }
    if (chosen < 0) return merged;
    merged.push(files[chosen][next[chosen]++]);
  }
}

function before(event: TimedEvent, other: TimedEvent): boolean {
  const time = event.time as number;
  const otherTime = other.time as number;
  if (time !== otherTime) return time < otherTime;
  return event.type === 'invoke' && other.type !== 'invoke';
}
