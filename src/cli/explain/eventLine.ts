import { decodeEvent, type ProtocolEvent } from '../../fabric/events.js';
import type { TraceEvent } from '../../trace/format.js';
import { decimal } from '../decimal.js';
import { decisionIndex, type TraceFacts } from './traceFacts.js';

/** Bytes as a short hex preview: long payloads would drown the line. */
function bytes(hex: string | undefined): string {
  if (hex === undefined || hex === '') return '(no bytes)';
  const preview = hex.length > 16 ? `${hex.slice(0, 16)}…` : hex;
  return `0x${preview} (${hex.length / 2} bytes)`;
}

function value(candidate: unknown): string {
  return JSON.stringify(candidate ?? null);
}

function at(time: number): string {
  return `t=${decimal(time)}`;
}

/** How a verb ended, from its arrival, completion or loss later in the trace. */
function verbOutcome(id: number, facts: TraceFacts): string {
  const arrival = facts.verbArrivals.get(id);
  const completion = facts.verbCompletions.get(id);
  const lost = facts.verbLosses.get(id);
  if (lost) return `lost${lost.reason ? ` (${lost.reason})` : ' (memory crashed: never completes)'}`;
  const parts: string[] = [];
  if (arrival) {
    if (!arrival.ok) parts.push(`refused at m${arrival.m}: ${arrival.error ?? 'error'}`);
    else if (arrival.data !== undefined) parts.push(`read ${bytes(arrival.data)}${arrival.torn ? `, ${arrival.torn} word(s) torn` : ''}`);
    else if (arrival.value !== undefined) parts.push(`previous ${arrival.value}`);
  }
  if (completion) parts.push(`${completion.ok ? 'ok' : `failed${completion.error ? ` (${completion.error})` : ''}`} at ${at(completion.t)}`);
  else parts.push('no answer by the end');
  return parts.join(', ');
}

function verbLine(event: Extract<TraceEvent, { type: 'verb.issue' }>, facts: TraceFacts): string {
  const place = `m${event.m} ${event.region}[${event.offset}..${event.offset + event.len})`;
  let what: string;
  switch (event.verb) {
    case 'write':
      what = `write ${place} ← ${bytes(event.data)}`;
      break;
    case 'cas':
      what = `cas ${place} ${event.expected ?? '?'} → ${event.desired ?? '?'}`;
      break;
    case 'faa':
      what = `faa ${place} + ${event.delta ?? '?'}`;
      break;
    case 'permission':
      what = `permission request m${event.m} ${event.region}: ${event.access ?? '?'}`;
      break;
    default:
      what = `read ${place}`;
  }
  return `p${event.p} ${what} → ${verbOutcome(event.id, facts)}`;
}

function messageFate(id: number, facts: TraceFacts): string {
  const delivery = facts.messageDeliveries.get(id);
  if (delivery) return `delivered at ${at(delivery.t)}`;
  const drop = facts.messageDrops.get(id);
  if (drop) return `dropped (${drop.reason})`;
  return 'never delivered';
}

/** A decision's agreement with the first decision of its log index. */
function agreement(event: ProtocolEvent & { value: unknown }, index: number, facts: TraceFacts): string {
  const first = facts.firstDecisions.get(index);
  if (!first || first.value === JSON.stringify(event.value)) return '';
  return ` — disagrees with p${first.process}'s ${first.value}`;
}

function noteLine(event: Extract<TraceEvent, { type: 'note' }>, facts: TraceFacts): string {
  const decoded = decodeEvent({ time: event.t, process: event.p, kind: event.kind, ...(typeof event.detail === 'object' && event.detail !== null ? { detail: event.detail as Record<string, unknown> } : {}) });
  const who = `p${event.p}`;
  if (!decoded) return `${who} noted ${event.kind}${event.detail !== undefined ? ` ${JSON.stringify(event.detail)}` : ''}`;
  const index = decisionIndex(event);
  switch (decoded.kind) {
    case 'attempt':
      return `${who} starts an attempt with ballot ${decoded.ballot}${decoded.from !== undefined && decoded.from > 0 ? ` (log entries from ${decoded.from})` : ''}`;
    case 'decide':
      return `${who} decided ${value(decoded.value)}${decoded.index !== undefined ? ` for log[${decoded.index}]` : ''}${decoded.ballot !== undefined ? ` with ballot ${decoded.ballot}` : ''}${decoded.late ? ' (late)' : ''}${agreement(decoded, index, facts)}`;
    case 'learn':
      return `${who} learned ${value(decoded.value)}${decoded.index !== undefined ? ` for log[${decoded.index}]` : ''}${decoded.from !== undefined ? ` from p${decoded.from}` : ''}${agreement(decoded, index, facts)}`;
    case 'commit':
      return `${who} committed log[${decoded.index}] = ${value(decoded.value)} (instance ${decoded.instance})${agreement(decoded, index, facts)}`;
    case 'broadcast':
      return `${who} broadcast (p${decoded.s}, #${decoded.k}) ${JSON.stringify(decoded.m)}`;
    case 'deliver':
    case 'cb-deliver': {
      const first = facts.firstDeliveries.get(`${decoded.s}/${decoded.k}`);
      const differs = first && first.hex !== decoded.hex ? ` — differs from p${first.process}'s delivery ${JSON.stringify(first.m)}` : '';
      return `${who} ${decoded.kind === 'deliver' ? 'delivered' : 'cb-delivered'} (p${decoded.s}, #${decoded.k}) ${JSON.stringify(decoded.m)} by the ${decoded.path} path${differs}`;
    }
    case 'sign':
      return `${who} signed (p${decoded.s}, #${decoded.k}) for ${decoded.purpose}`;
    case 'signatures':
      return `${who} signatures: ${decoded.made} made, ${decoded.verified} verified, ${decoded.rejected} rejected, ${decoded.malformed} malformed`;
    case 'adversary-effect':
      return `${who} (Byzantine, ${decoded.adversary}): ${decoded.reason}`;
    case 'equivocation-proof':
      return `${who} found p${decoded.owner}'s slot signed twice differently (${decoded.fields})`;
    case 'give-up':
      return `${who} gave up on (p${decoded.s}, #${decoded.k})`;
    case 'conflict':
      return `${who} saw two different messages for (p${decoded.s}, #${decoded.k})`;
    case 'rejected':
      return `${who} rejected p${decoded.signer}'s ${decoded.purpose} signature in p${decoded.owner}'s slot for (p${decoded.s}, #${decoded.k})`;
    case 'round':
      return `${who} round ${decoded.round}`;
    default:
      return `${who} ${decoded.kind}`;
  }
}

function faultLine(event: Extract<TraceEvent, { type: 'fault' }>): string {
  const until = event.until !== undefined ? ` until ${at(event.until)}` : '';
  switch (event.fault) {
    case 'crash':
      return `${event.target} crashed${event.detail ? ` (${event.detail})` : ''}`;
    case 'pause':
      return `${event.target} paused${until}`;
    case 'partition':
      return `partition cuts off ${event.target}${until}`;
    case 'heal':
      return `partition of ${event.target} healed`;
    default:
      return `fault ${event.fault} ${event.target}${until}${event.detail ? ` (${event.detail})` : ''}`;
  }
}

function operation(f: string, key: string | undefined, argument: unknown): string {
  return `${f}(${key !== undefined ? `${key}, ` : ''}${argument === null || argument === undefined ? '' : value(argument)})`;
}

/**
 * One trace event in words, after its time: `p1 write m2 register[0..32) ←
 * 0x… → ok at t=14`, `p0 crashed`, `p2 decided 7 — disagrees with p0's 5`.
 * A verb is described once, at its issue, with how it ended; a message at
 * its send, with its fate, or at its delivery when read from the receiver's side.
 */
export function eventLine(event: TraceEvent, facts: TraceFacts): string {
  const time = at(event.t).padEnd(10);
  return `${time} ${eventWords(event, facts)}`;
}

function eventWords(event: TraceEvent, facts: TraceFacts): string {
  switch (event.type) {
    case 'verb.issue':
      return verbLine(event, facts);
    case 'verb.arrive':
      return `verb ${event.id} reached m${event.m}${event.ok ? '' : `: ${event.error ?? 'refused'}`}`;
    case 'verb.complete':
      return `p${event.p}'s verb ${event.id} completed${event.ok ? '' : `: ${event.error ?? 'failed'}`}`;
    case 'verb.lost':
      return `verb ${event.id} to m${event.m} lost${event.reason ? ` (${event.reason})` : ''}`;
    case 'perm.change':
      return `m${event.m} ${event.region}: p${event.p}'s permission request${event.proposal === undefined ? '' : ` with proposal ${event.proposal}`} took effect (access ${event.access}${event.revoked.length > 0 ? `; revoked ${event.revoked.map((process) => `p${process}`).join(', ')}` : ''})`;
    case 'msg.send':
      return `p${event.from} → p${event.to} message ${bytes(event.data)}, ${messageFate(event.id, facts)}`;
    case 'msg.deliver': {
      const send = facts.messageSends.get(event.id);
      return `p${event.to} received ${send ? `p${send.from}'s message sent at ${at(send.t)}` : `message ${event.id}`}`;
    }
    case 'msg.drop':
      return `message ${event.id} dropped (${event.reason})`;
    case 'fault':
      return faultLine(event);
    case 'op.invoke':
      return `p${event.p} invokes ${operation(event.f, event.key, event.value)} [op ${event.op}]`;
    case 'op.ok':
      return `p${event.p} ${event.f} returned ${value(event.value)} (ok) [op ${event.op}]`;
    case 'op.fail':
      return `p${event.p} ${event.f} failed: no effect [op ${event.op}]`;
    case 'op.info':
      return `p${event.p} ${event.f} ended with an unknown outcome [op ${event.op}]`;
    case 'note':
      return noteLine(event, facts);
    case 'hold':
      return `schedule holds ${event.event}${event.until !== undefined ? ` until ${event.until}` : ''}${event.behind !== undefined ? ` behind verb ${event.behind}` : ''}`;
    case 'release':
      return `schedule releases ${event.event}`;
    case 'end':
      return `run ended (${event.reason}) after ${event.events} events`;
  }
}
