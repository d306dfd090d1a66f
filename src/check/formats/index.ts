import { HistoryError } from '../history.js';
import { parseJepsenEdn } from './jepsenEdn.js';
import { numberedLines } from './lines.js';
import { parseMnmHistory } from './mnmHistory.js';
import { parseNodeHistory } from './nodeHistory.js';
import { parsePorcupineEtcd } from './porcupineEtcd.js';
import { parsePorcupineKv } from './porcupineKv.js';
import type { TimedEvent } from './timedEvent.js';
import { parseTrace } from './trace.js';

export type { TimedEvent } from './timedEvent.js';

export interface HistoryFormat {
  readonly name: string;
  readonly summary: string;
  /** How a return finds its call: by process (one call outstanding each) or by operation id. */
  readonly matchBy: 'process' | 'op';
  /** The model its histories are checked with, when the format implies one. */
  readonly model?: string;
  /** The events in the file's real-time order, with their times when the file has them. */
  parse(text: string): TimedEvent[];
}

export const formats: readonly HistoryFormat[] = [
  { name: 'mnm', summary: 'mnm history: JSON lines {"process","type","f","key"?,"value"}', matchBy: 'process', parse: parseMnmHistory },
  { name: 'mnm-node', summary: "one node's history from 'mnm node --history' (what 'mnm cluster up' writes per process)", matchBy: 'op', parse: parseNodeHistory },
  { name: 'trace', summary: "trace from 'mnm run --trace' (its op.* lines)", matchBy: 'op', parse: parseTrace },
  { name: 'porcupine-etcd', summary: "Jepsen etcd log ('INFO  jepsen.util - P :type :f value'), a cas-register", matchBy: 'process', model: 'cas-register', parse: parsePorcupineEtcd },
  { name: 'porcupine-kv', summary: 'EDN maps {:process P, :type :invoke, :f :get, :key "K", :value V}, a kv store', matchBy: 'process', model: 'kv', parse: parsePorcupineKv },
  { name: 'jepsen-edn', summary: 'Jepsen EDN history: maps {:process P, :type :invoke, :f :cas, :value [3 4]}', matchBy: 'process', parse: parseJepsenEdn },
];

export const formatNames = formats.map((format) => format.name);

export function formatNamed(name: string): HistoryFormat | undefined {
  return formats.find((format) => format.name === name);
}

/**
 * Tells the format from the first lines: a JSON object is a trace if it is a
 * header, a node's history if it is one of a node's records, and an mnm
 * history otherwise; EDN (a map, a vector of maps, a record) is porcupine-kv
 * if its first operation has a `:key` and jepsen-edn otherwise; a Jepsen log
 * line is porcupine-etcd. An empty input is an (empty) mnm history.
 */
export function detectFormat(text: string): HistoryFormat {
  let looked = 0;
  for (const { line, text: content } of numberedLines(text)) {
    const start = content.trimStart();
    if (start.startsWith(';')) continue;
    if (looked === 0 && /^(\{\s*:|\[\s*(\{|#|$)|#[A-Za-z])/.test(start)) return formatNamed(/:key\s+"/.test(start) ? 'porcupine-kv' : 'jepsen-edn') as HistoryFormat;
    if (looked === 0 && /^\{\s*("|\})/.test(start)) {
      let record: { type?: unknown; process?: unknown } | undefined;
      try {
        record = JSON.parse(start) as { type?: unknown; process?: unknown };
      } catch {
        // Not JSON after all: the mnm parser will name the line.
      }
      if (record?.type === 'header') return formatNamed('trace') as HistoryFormat;
      // A node's records have no top-level process; an mnm history line always has one.
      const nodeRecord = record !== undefined && record.process === undefined && nodeRecordTypes.includes(record.type);
      return formatNamed(nodeRecord ? 'mnm-node' : 'mnm') as HistoryFormat;
    }
    if (/jepsen\.util\s+-\s+\d+\s/.test(content)) return formatNamed('porcupine-etcd') as HistoryFormat;
    if (++looked >= 50) throw new HistoryError(line, `cannot tell the format from the first 50 lines; name it with --format (${formatNames.join(', ')})`);
  }
  if (looked === 0) return formatNamed('mnm') as HistoryFormat;
  throw new HistoryError(1, `cannot tell the format; name it with --format (${formatNames.join(', ')})`);
}

const nodeRecordTypes: readonly unknown[] = ['history', 'note', 'done', 'error'];
