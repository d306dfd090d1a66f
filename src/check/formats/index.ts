import { HistoryError, type HistoryEvent } from '../history.js';
import { numberedLines } from './lines.js';
import { parseMnmHistory } from './mnmHistory.js';
import { parsePorcupineEtcd } from './porcupineEtcd.js';
import { parsePorcupineKv } from './porcupineKv.js';
import { parseTrace } from './trace.js';

export interface HistoryFormat {
  readonly name: string;
  readonly summary: string;
  /** How a return finds its call: by process (one call outstanding each) or by operation id. */
  readonly matchBy: 'process' | 'op';
  /** The model its histories are checked with, when the format implies one. */
  readonly model?: string;
  parse(text: string): HistoryEvent[];
}

export const formats: readonly HistoryFormat[] = [
  { name: 'mnm', summary: 'mnm history: JSON lines {"process","type","f","key"?,"value"}', matchBy: 'process', parse: parseMnmHistory },
  { name: 'trace', summary: "trace from 'mnm run --trace' (its op.* lines)", matchBy: 'op', parse: parseTrace },
  { name: 'porcupine-etcd', summary: "Jepsen etcd log ('INFO  jepsen.util - P :type :f value'), a cas-register", matchBy: 'process', model: 'cas-register', parse: parsePorcupineEtcd },
  { name: 'porcupine-kv', summary: 'EDN maps {:process P, :type :invoke, :f :get, :key "K", :value V}, a kv store', matchBy: 'process', model: 'kv', parse: parsePorcupineKv },
];

export const formatNames = formats.map((format) => format.name);

export function formatNamed(name: string): HistoryFormat | undefined {
  return formats.find((format) => format.name === name);
}

/**
 * Tells the format from the first lines: a JSON object is a trace if it is a
 * header and an mnm history otherwise; an EDN map is porcupine-kv; a Jepsen
 * log line is porcupine-etcd. An empty input is an (empty) mnm history.
 */
export function detectFormat(text: string): HistoryFormat {
  let looked = 0;
  for (const { line, text: content } of numberedLines(text)) {
    const start = content.trimStart();
    if (looked === 0 && start.startsWith('{')) {
      if (/^\{\s*:/.test(start)) return formatNamed('porcupine-kv') as HistoryFormat;
      if (/^\{\s*("|\})/.test(start)) {
        let header = false;
        try {
          header = (JSON.parse(start) as { type?: unknown })?.type === 'header';
        } catch {
          // Not JSON after all: the mnm parser will name the line.
        }
        return formatNamed(header ? 'trace' : 'mnm') as HistoryFormat;
      }
    }
    if (/jepsen\.util\s+-\s+\d+\s/.test(content)) return formatNamed('porcupine-etcd') as HistoryFormat;
    if (++looked >= 50) throw new HistoryError(line, `cannot tell the format from the first 50 lines; name it with --format (${formatNames.join(', ')})`);
  }
  if (looked === 0) return formatNamed('mnm') as HistoryFormat;
  throw new HistoryError(1, `cannot tell the format; name it with --format (${formatNames.join(', ')})`);
}
