import { eventsOf } from '../fabric/events.js';
import type { NoteEvent, ProcessMain } from '../fabric/index.js';
import type { KeySource, SignatureCosts } from '../crypto/index.js';
import { bftClientAdversaries, bftReplicaAdversaries, type BftClientAdversary } from '../protocols/byzantine/bft/adversaryCatalogue.js';
import { ByzantineBftClient } from '../protocols/byzantine/bft/byzantineClients.js';
import { KvService } from '../protocols/byzantine/bft/kvService.js';
import { decodeKvCommand } from '../protocols/kv/kvCommand.js';
import { keyName } from './kvWorkload.js';
import { keyCount } from './kvClients.js';
import type { BftSetup } from './bftSetup.js';

/**
 * Byzantine clients in the `bft` scenario (specs/bft-consensus.md §6):
 * `--adversary replaying-client` (or any client strategy, comma-separated
 * with replica ones) turns configured clients into Byzantine ones, from
 * client 0 on — a Byzantine client *replaces* a correct one, so `--n`
 * (2f+1 replicas + `--clients` C) and the replicas' configured clients stay
 * what they were; at least one correct client must remain (its calls are
 * the ones liveness is owed to). The replicas' end of work counts the
 * correct clients' requests only (a Byzantine client's may run or not), and
 * the checks exempt Byzantine clients from validity's bound on s and from
 * liveness: their calls are in the history as unknown outcomes
 * (byzantineClients.ts).
 */

export interface BftAdversaryList {
  readonly replica: readonly string[];
  readonly client: readonly BftClientAdversary[];
}

/**
 * Splits `--adversary` (comma-separated; `none` or absent: nothing) into the
 * replica strategies and the client strategies of the bft catalogue;
 * throws a one-line message for an unknown name. Pure: the integrator may
 * route the replica part to the replica placement.
 */
export function parseBftAdversaries(list: string | undefined, extraReplicaNames: readonly string[] = []): BftAdversaryList {
  const replica: string[] = [];
  const client: BftClientAdversary[] = [];
  for (const name of (list ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '' && part !== 'none')) {
    if (name in bftClientAdversaries) client.push(name as BftClientAdversary);
    else if (name in bftReplicaAdversaries || extraReplicaNames.includes(name)) replica.push(name);
    else throw new Error(`--adversary: unknown strategy '${name}' (accepted: none, all, ${[...new Set([...Object.keys(bftReplicaAdversaries), ...extraReplicaNames, ...Object.keys(bftClientAdversaries)])].join(', ')})`);
  }
  return { replica, client };
}

/** Refuses client strategies the run cannot place: one correct client must remain. */
export function validateBftClientAdversaries(client: readonly BftClientAdversary[], clientCount: number): void {
  if (client.length > 0 && client.length >= clientCount) {
    throw new Error(`--adversary: ${client.length} Byzantine client(s) replace clients 0..${client.length - 1}, which leaves no correct client of ${clientCount}; pass --clients ${client.length + 1} or more`);
  }
}

/** The Byzantine client processes (the first clients), each with its strategy. */
export function byzantineClientsOf(setup: Pick<BftSetup, 'clients'>, client: readonly BftClientAdversary[]): Map<number, BftClientAdversary> {
  return new Map(client.map((strategy, index) => [setup.clients[index], strategy]));
}

/** Requests the correct clients make (the replicas' end of work). */
export function correctRequests(setup: Pick<BftSetup, 'clients'>, byzantine: ReadonlyMap<number, unknown>, ops: number): number {
  return (setup.clients.length - byzantine.size) * ops;
}

/**
 * The body of a Byzantine client process running `strategy`: it waits up to
 * about two resends per step, signs at most `ops` valid requests and ends.
 */
export function byzantineClientBody(strategy: BftClientAdversary, setup: BftSetup, run: { readonly ops: number; readonly keys: KeySource; readonly costs: SignatureCosts; readonly byzantine: ReadonlyMap<number, unknown> }): ProcessMain {
  return async (fabric) => {
    const victims = setup.clients.filter((client) => !run.byzantine.has(client));
    const client = new ByzantineBftClient(fabric, strategy, {
      f: setup.f,
      keys: run.keys,
      costs: run.costs,
      resendAfter: setup.client.resendAfter,
      waitFor: byzantineStepUs(setup),
      until: byzantineClientsUntil(setup, run.ops),
      keyNames: Array.from({ length: keyCount }, (_, rank) => keyName(rank)),
      victims,
      ops: run.ops,
      replicas: setup.replicas,
    });
    await client.run();
  };
}

/**
 * When Byzantine clients end their scripts (each step waits at most
 * byzantineStepUs; a script has about ops + 2 steps that wait): the replicas keep serving until then, so that a refusal
 * the client sees is the replicas' and not their end of work.
 */
export function byzantineClientsUntil(setup: Pick<BftSetup, 'client' | 'giveUpAt'>, ops: number): number {
  return Math.min(setup.giveUpAt / 2, (ops + 3) * byzantineStepUs(setup));
}

/** How long a Byzantine client's step waits for replies: half a resend period (≈ Tdecide, past a normal decision). */
export function byzantineStepUs(setup: Pick<BftSetup, 'client'>): number {
  return setup.client.resendAfter / 2;
}

/**
 * A replica's end of work in a run with Byzantine clients: the correct
 * clients' requests ran here (a Byzantine client's may run or not) and the
 * Byzantine clients' scripts ended, or the replica stopped.
 */
export async function correctWorkDone(fabric: { now(): number; sleep(duration: number): Promise<void> }, stopped: Promise<void>, service: CorrectRequestsKvService, setup: BftSetup, run: { readonly ops: number; readonly byzantine: ReadonlyMap<number, unknown> }): Promise<void> {
  await Promise.race([service.whenRan(correctRequests(setup, run.byzantine, run.ops)), stopped]);
  const until = byzantineClientsUntil(setup, run.ops);
  if (fabric.now() < until) await Promise.race([fabric.sleep(until - fabric.now()), stopped]);
}

/**
 * The service of a replica in a run with Byzantine clients: the KV store,
 * counting the requests of correct clients it ran, so that the replica's
 * end of work does not wait for (or stop early on) Byzantine requests.
 */
export class CorrectRequestsKvService extends KvService {
  private ran = 0;
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  constructor(
    private readonly byzantine: ReadonlyMap<number, unknown>,
    initial: readonly (readonly [string, string])[] = [],
  ) {
    super(initial);
  }

  override apply(op: Uint8Array): Uint8Array {
    const result = super.apply(op);
    const command = decodeKvCommand(op);
    if (command && !this.byzantine.has(command.client)) {
      this.ran++;
      for (const waiter of [...this.waiters]) {
        if (this.ran < waiter.count) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
    return result;
  }

  /** Resolves once `count` correct clients' requests ran here. */
  whenRan(count: number): Promise<void> {
    if (this.ran >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/** The effects the run's adversaries reported (`adversary-effect` notes), per strategy: the reasons, each once. */
export function adversaryEffects(notes: readonly NoteEvent[]): Record<string, string[]> {
  const effects: Record<string, string[]> = {};
  for (const event of eventsOf(notes, 'adversary-effect')) {
    const reasons = (effects[event.adversary] ??= []);
    if (!reasons.includes(event.reason)) reasons.push(event.reason);
  }
  return effects;
}
