import type { TraceEvent, TraceHeader } from '../format.js';

/**
 * A trace (docs/trace.md) as a ShiViz log (https://bestchai.bitbucket.io/shiviz/):
 * the parser regular expression on the first line, an empty second line (no
 * delimiter between executions: the log is one run), then two lines per
 * event — `host {"host":n, …}` (the host and its vector clock) and the
 * event's description.
 *
 * Hosts are the processes (`p0`…) and the memories (`m0`…). A verb is a
 * message to its memory and back: its issue is a send at the process, its
 * execution at the memory (`verb.arrive`) a receive and the reply's send in
 * one event, its completion a receive at the process. Two-sided messages are
 * a send and a receive. Application operations, notes, faults on one host
 * and permission changes are local events; events of no single host (a
 * partition, holds, the end) and lost or dropped deliveries are left out.
 * Each event ticks its host's own entry by one (the first event of a host
 * is 1, as ShiViz requires); a receive first takes the entry-wise maximum
 * with the sender's clock. Clocks list only the non-zero entries.
 */

/** The regular expression ShiViz parses the log with (its named groups: host, clock, event). */
export const shivizRegex = String.raw`(?<host>\S*) (?<clock>{.*})\n(?<event>.*)`;

type Clock = Map<string, number>;

export function toShivizLog(header: TraceHeader, events: readonly TraceEvent[]): string {
  const clocks = new Map<string, Clock>();
  const clockOf = (host: string): Clock => {
    let clock = clocks.get(host);
    if (!clock) clocks.set(host, (clock = new Map()));
    return clock;
  };
  const lines: string[] = [shivizRegex, ''];
  /** The time of the event being converted (shown after each description). */
  let now = 0;
  /** Records one event at `host`, merging `received` first; returns a copy of the host's clock after it. */
  const record = (host: string, description: string, received?: Clock): Clock => {
    const clock = clockOf(host);
    if (received) for (const [other, value] of received) clock.set(other, Math.max(clock.get(other) ?? 0, value));
    clock.set(host, (clock.get(host) ?? 0) + 1);
    lines.push(`${host} ${JSON.stringify(Object.fromEntries([...clock].sort(([a], [b]) => hostOrder(a, b))))}`, `${description} @t=${now}`);
    return new Map(clock);
  };
  const isProcess = (p: number) => Number.isSafeInteger(p) && p >= 0 && p < header.processes;
  const isMemory = (m: number) => Number.isSafeInteger(m) && m >= 0 && m < header.memories;
  const verbSends = new Map<number, Clock>();
  const verbReplies = new Map<number, Clock>();
  const verbKinds = new Map<number, string>();
  const messageSends = new Map<number, Clock>();
  for (const event of events) {
    now = event.t;
    switch (event.type) {
      case 'verb.issue':
        if (!isProcess(event.p) || !isMemory(event.m)) break;
        verbKinds.set(event.id, event.verb);
        verbSends.set(event.id, record(`p${event.p}`, `issue verb ${event.id} ${event.verb} ${event.region}[${event.offset}..+${event.len}] to m${event.m}`));
        break;
      case 'verb.arrive': {
        const sent = verbSends.get(event.id);
        verbSends.delete(event.id);
        if (!sent || !isMemory(event.m)) break;
        const result = event.ok ? (event.value !== undefined ? ` old ${event.value}` : event.data !== undefined ? ` data ${shortHex(event.data)}` : '') : ` refused: ${event.error ?? 'error'}`;
        verbReplies.set(event.id, record(`m${event.m}`, `execute verb ${event.id} ${verbKinds.get(event.id)}${result}${event.torn ? ` (torn ${event.torn})` : ''}`, sent));
        break;
      }
      case 'verb.complete': {
        const reply = verbReplies.get(event.id);
        verbReplies.delete(event.id);
        if (!reply || !isProcess(event.p)) break;
        record(`p${event.p}`, `complete verb ${event.id} ${verbKinds.get(event.id)} ${event.ok ? 'ok' : `failed: ${event.error ?? 'error'}`}`, reply);
        break;
      }
      case 'verb.lost':
        verbSends.delete(event.id); // It never executes: no receive, nothing to keep its clock for.
        break;
      case 'msg.drop':
        messageSends.delete(event.id);
        break;
      case 'msg.send':
        if (!isProcess(event.from) || !isProcess(event.to)) break;
        messageSends.set(event.id, record(`p${event.from}`, `send message ${event.id} to p${event.to} (${event.len} bytes)`));
        break;
      case 'msg.deliver': {
        const sent = messageSends.get(event.id);
        messageSends.delete(event.id);
        if (!sent || !isProcess(event.to)) break;
        record(`p${event.to}`, `deliver message ${event.id}`, sent);
        break;
      }
      case 'op.invoke':
      case 'op.ok':
      case 'op.fail':
      case 'op.info':
        if (!isProcess(event.p)) break;
        record(`p${event.p}`, `${event.type} ${event.op} ${event.f}${event.key === undefined ? '' : ` ${event.key}`} ${oneLine(event.value)}`);
        break;
      case 'note':
        if (!isProcess(event.p)) break;
        record(`p${event.p}`, `note ${event.kind}${event.detail === undefined ? '' : ` ${oneLine(event.detail)}`}`);
        break;
      case 'perm.change':
        if (!isMemory(event.m)) break;
        record(`m${event.m}`, `permission ${event.region} to p${event.p}: ${event.access}`);
        break;
      case 'fault': {
        const match = /^([pm])(\d+)$/.exec(event.target);
        if (!match || !(match[1] === 'p' ? isProcess : isMemory)(Number(match[2]))) break;
        record(event.target, `fault ${event.fault}${event.until === undefined ? '' : ` until ${event.until}`}${event.detail ? ` (${event.detail})` : ''}`);
        break;
      }
      default:
        break;
    }
  }
  return lines.join('\n') + '\n';
}

/** Processes before memories, each by number. */
function hostOrder(a: string, b: string): number {
  return a[0] === b[0] ? Number(a.slice(1)) - Number(b.slice(1)) : a[0] === 'p' ? -1 : 1;
}

/** Long byte strings cut to their first 16 bytes (the Perfetto export keeps them whole). */
function shortHex(hex: string): string {
  return hex.length <= 32 ? hex : `${hex.slice(0, 32)}… (${hex.length / 2} bytes)`;
}

/** A value on one line (an event description is one line of the log). */
function oneLine(value: unknown): string {
  return (JSON.stringify(value) ?? 'undefined').replace(/\n/g, ' ');
}
