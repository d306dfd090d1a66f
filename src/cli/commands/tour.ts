import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario, type RunOptions, type RunReport } from '../../scenarios/index.js';
import type { TraceEvent } from '../../trace/format.js';
import { commitCost } from '../tables/consensus.js';
import { checkRunLinearizable } from '../../scenarios/linearizable.js';
import { provenance } from '../../trace/provenance.js';
import { parseCommandArgs, type Command } from '../command.js';
import { replayCommand } from '../runArgs.js';
import { isSystemError, systemErrorReason } from '../systemError.js';
import { UsageError, exitCodes } from '../usage.js';
import { broadcastFacts, deliveredLine, equivocationShown, type DeliveredK } from './tourBroadcast.js';
import { bftFastFacts, bftLeaderFault, bftTourOptions, bftViewChangeFacts, leaderFaultLabel } from './tourBft.js';
import { checkCommand } from './check.js';
import { interruptedExitCode } from '../sweep/interrupt.js';
import { serveViewerPage, viewerPageHtml, writeViewerPage, type ViewerTraceSource } from './viewPage.js';
import type { CheckResult } from '../../web/checkResult.js';
import { createInterface } from 'node:readline';

/** One stop of the tour: a run and what it shows. */
interface Stop {
  readonly title: string;
  /** The stop's trace file is `NN-<name>.trace.jsonl`. */
  readonly name: string;
  readonly options: RunOptions;
  readonly explain: (report: RunReport) => string;
  /** When set, seeds are tried (as a sweep would) until one shows what the stop is about. */
  readonly until?: (report: RunReport) => boolean;
  /** Figures the stop shows, also in --json (`facts`). */
  readonly facts?: (report: RunReport) => Record<string, unknown>;
}

/**
 * Mu's figures from a run whose leader's host crashes: the cost of a commit
 * under p0 (tables/consensus.ts), and the fail-over read from the trace —
 * the crash, the successor's `leading` note, its first commit.
 */
function muFailover(report: RunReport): Record<string, unknown> {
  const trace = report.trace ?? '';
  const events = trace
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TraceEvent)
    .filter((event): event is Exclude<TraceEvent, { type: 'header' }> & { t: number } => 't' in event);
  const cost = commitCost('mu', trace, report.params.n);
  const crash = events.find((event) => event.type === 'fault' && event.fault === 'crash' && event.target === 'p0');
  const leading = events.find((event) => event.type === 'note' && event.kind === 'leading' && event.p !== 0);
  const successor = leading?.type === 'note' ? leading.p : undefined;
  const firstCommit = events.find((event) => event.type === 'note' && event.kind === 'decide' && event.p === successor);
  const attempt = events.find((event) => event.type === 'note' && event.kind === 'attempt' && event.p === successor);
  const detail = leading?.type === 'note' ? (leading.detail as { commitPoint: number; settled: number }) : undefined;
  return {
    delays: cost?.delays ?? null,
    writesPerCommit: cost?.verbs ?? null,
    messagesPerCommit: cost?.messages ?? null,
    followerSteps: cost?.followerSteps ?? null,
    crashAt: crash?.t ?? null,
    successor: successor ?? null,
    electionAt: attempt?.t ?? null,
    leadingAt: leading?.t ?? null,
    commitPoint: detail?.commitPoint ?? null,
    settled: detail?.settled ?? null,
    firstCommitAt: firstCommit?.t ?? null,
    failover: crash && leading ? leading.t - crash.t : null,
  };
}

function inversion(report: RunReport): string | undefined {
  const check = checkRunLinearizable(report.history, 'register');
  return check.verdict === 'not-linearizable' ? check.explanation : undefined;
}

const base = { protocol: 'register', seed: 1, latency: 'unit', faults: 'none' } as const;

/** A SWARM run's figures from its details (round trips per operation, the writes' paths, the work reads did) and its history's verdict. */
function swarmFacts(report: RunReport): Record<string, unknown> {
  const details = (report.details ?? {}) as { roundTrips?: Record<string, { p50: number; p99: number; oneRoundTrip: number }>; writePaths?: Record<string, number>; work?: Record<string, number> };
  const trips = details.roundTrips ?? {};
  return {
    writeP50: trips.write?.p50 ?? null,
    writeP99: trips.write?.p99 ?? null,
    writeOneRoundTrip: trips.write?.oneRoundTrip ?? null,
    readP50: trips.read?.p50 ?? null,
    readP99: trips.read?.p99 ?? null,
    readOneRoundTrip: trips.read?.oneRoundTrip ?? null,
    writePaths: details.writePaths ?? null,
    work: details.work ?? null,
    linearizable: checkRunLinearizable(report.history, 'register').verdict === 'linearizable',
  };
}

function percent(share: unknown): string {
  return typeof share === 'number' ? `${Math.round(100 * share)} %` : 'none';
}

function delays(report: RunReport, f: string): string {
  const metrics = report.metrics?.byFunction[f];
  return metrics ? `${metrics.delaysMedian} delays (median), ${metrics.verbsMean} verbs` : 'none completed';
}

/** The audit's straggler as a scripted schedule (docs/schedules.md). */
const stragglerScript = 'p1 permission m2 until p2 note decide; p2 permission m1 until p1 read m1; p1 write m1 #2 until p2 permission m1; p2 permission m0 until p1 note decide';

const stops: readonly Stop[] = [
  {
    title: '1. The replicated register, all memories up',
    name: 'register',
    options: base,
    explain: (report) =>
      `Each write goes to all 3 memories and waits for 2; each read asks all 3 and keeps the highest timestamp of 2.\n` +
      `   write: ${delays(report, 'write')}; read: ${delays(report, 'read')} — one round trip each.\n` +
      `   ${report.metrics?.tornReads ?? 0} reads overlapped a write and came back torn; the slot's checksum caught them, and the reader took the slot's other copy (the value before that write).`,
  },
  {
    title: '2. One memory crashes (a minority: tolerated)',
    name: 'memory-crash',
    options: { ...base, crash: 'm2@3' },
    explain: (report) =>
      `m2 crashes at time 3 and never answers again (nobody is told; its verbs simply never complete).\n` +
      `   Majorities of the other two still form: write ${delays(report, 'write')}; read ${delays(report, 'read')}. Regularity: ${report.ok ? 'holds' : 'VIOLATED'}.`,
  },
  {
    title: '3. Two of three memories crash (beyond tolerance)',
    name: 'memories-lost',
    options: { ...base, crash: 'm1@3,m2@3', horizon: 200 },
    explain: (report) =>
      `No majority can answer any more, so operations wait forever: the run is reported as ${report.blocked ? 'BLOCKED' : 'not blocked'} — not as a failure —\n` +
      `   and nothing wrong was returned (violations: ${report.violations.length}).`,
  },
  {
    title: '4. A broken variant: waiting for one memory instead of a majority',
    name: 'minority-quorum',
    options: { ...base, latency: 'lan', mutant: 'minority-quorum' },
    until: (report) => !report.ok,
    explain: (report) =>
      report.ok
        ? 'this seed did not expose it (try other seeds)'
        : `With jittery delays a read can reach only memories the last write has not reached yet:\n   ${report.violations[0].detail}\n   The regularity checker flags it.`,
  },
  {
    title: '5. Regular, not atomic: the linearizability checker finds a new/old inversion',
    name: 'new-old-inversion',
    options: { ...base, latency: 'uniform:0.5:6', n: 6, ops: 30 },
    until: (report) => inversion(report) !== undefined,
    explain: (report) => {
      const explanation = inversion(report);
      if (explanation === undefined) return 'no seed up to 200 showed it (try a sweep)';
      const shown = explanation.split('\n').slice(0, 6).join('\n     ');
      return (
        `Every read passed the regularity check (${report.ok ? 'holds' : 'VIOLATED'}), yet no single order of the operations explains the history:\n` +
        `     ${shown}\n` +
        `   A read saw the new value, a later read an old one (the lecture's exercise). mnm check --model register says so too.`
      );
    },
  },
  {
    title: '6. Consensus in two delays: Protected Memory Paxos (memory permissions) vs Paxos and Disk Paxos',
    name: 'pmp-two-delays',
    options: { protocol: 'pmp', seed: 1, latency: 'unit', faults: 'none', workload: 'stable', f: 1 },
    explain: (report) => {
      const decision = report.details.decision as { delays: number; verbs: number } | null;
      return (
        `p0 holds write permission on every memory and owns the pre-prepared ballot 1: one write round trip to a majority decides.\n` +
        `   pmp decided ${JSON.stringify((report.details.decisions as { value: unknown }[])[0]?.value)} in ${decision?.delays} delays with 2 processes and 3 memories, tolerating 1 crashed process and 1 crashed memory.\n` +
        `   Compare (mnm table consensus): Paxos 2 delays but needs 2f+1 processes; Disk Paxos 4 delays (it must read again to detect a rival).`
      );
    },
  },
  {
    title: '7. A new PMP leader after a crash, with faults drawn by seed',
    name: 'pmp-new-leader',
    options: { protocol: 'pmp', seed: 3, latency: 'rdma', faults: 'all', crash: 'p0@0', n: 3, memories: 3 },
    explain: (report) => {
      const decision = report.details.decision as { process: number; ballot: number } | null;
      return (
        `p0 is gone; Ω lets p${decision?.process} lead: it requests permission on each memory (revoking p0), writes its proposal, reads all slots, then writes the value.\n` +
        `   decided by p${decision?.process} with ballot ${decision?.ballot}; agreement, validity and integrity: ${report.ok ? 'hold' : 'VIOLATED'} (faults: ${report.faults.join('; ')}).`
      );
    },
  },
  {
    title: '8. A straggler, scripted: the permission request that lands after someone else decided',
    name: 'pmp-straggler',
    options: { protocol: 'pmp', seed: 1, latency: 'unit', faults: 'none', workload: 'storm', pause: 'p0@0+600', mutant: 'phase2-any-memory', hold: stragglerScript },
    explain: (report) =>
      `p1's phase 1 completes on m0 and m1 while its permission request to m2 is held back; p2 decides on m1 and m2; then p1's request lands on m2,
` +
      `   revoking p2, with p1's phase-2 write right behind it. Counting that write (this mutant) decides a second value: ${report.ok ? 'no violation?' : report.violations.map((violation) => violation.property).join(', ')} violated.
` +
      `   Protected Memory Paxos counts a phase-2 write only where the same ballot's phase 1 completed (the straggler rule): drop --mutant and it holds.`,
  },
  {
    title: '9. Mu: a replicated log committing in one round trip, and its leader crashing',
    name: 'mu-failover',
    options: { protocol: 'mu', seed: 1, latency: 'unit', faults: 'none', workload: 'ycsb-a', ops: 10, crashLeaderAt: 12 },
    facts: muFailover,
    explain: (report) => {
      const facts = muFailover(report);
      return (
        `p0 leads: a commit is one write to each replica's log and a wait for 2 of 3 (its own counts): ${facts.delays} delays, ${facts.writesPerCommit} writes, ${facts.messagesPerCommit} messages,\n` +
        `   and ${facts.followerSteps} messages for a follower's CPU — followers read their own memory. (Multi-Paxos: a follower handles each accept; mnm table consensus.)\n` +
        `   Host h0 (p0 and its log) crashes at ${facts.crashAt}: p${facts.successor}'s heartbeat reads see p0's counter stop; at ${facts.electionAt} it asks every log for write permission\n` +
        `   with a higher proposal (revoking p0), prepares and reads a majority of logs; it leads at ${facts.leadingAt} (fail-over ${facts.failover} delays) with commit point ${facts.commitPoint},\n` +
        `   re-proposes the ${facts.settled} entries past it (adopted, not overwritten) and commits from ${facts.firstCommitAt} on. Logs stay prefixes of one another: ${report.ok ? 'holds' : 'VIOLATED'}.\n` +
        `   The clients are a key-value store on the log (YCSB-A: get/put through the log); their history, crash included, is linearizable (mnm check --model kv).`
      );
    },
  },
  {
    title: '10. SWARM: Safe-Guess writes and reads in one round trip, with a memory down',
    name: 'safe-guess',
    options: { protocol: 'safe-guess', seed: 1, latency: 'unit', faults: 'none', workload: 'solo', n: 3, ops: 10, crash: 'm2@0' },
    facts: swarmFacts,
    explain: (report) => {
      const facts = swarmFacts(report);
      return (
        `3 clients, 3 memories (f = 1), m2 crashed from the start; one operation at a time (workload solo). A write guesses its timestamp from its own clock and, in ONE round trip\n` +
        `   to every memory, writes its entry, CASes its word into its buffer and scans the others' — none above its guess, so it stands: writes ${facts.writeP50} round trip (p50), ${percent(facts.writeOneRoundTrip)} in one.\n` +
        `   A read scans, finds the largest word VERIFIED with its value in place, already on 2 of 3 memories: ${facts.readP50} round trip (p50), ${percent(facts.readOneRoundTrip)} in one.\n` +
        `   DM-ABD, the classic register on the same memories, must scan for a fresh timestamp before it writes: 2 round trips (mnm table swarm).`
      );
    },
  },
  {
    title: '11. Safe-Guess under contention, skewed clocks and a memory crash: guesses lose, locks and fresh timestamps keep it atomic',
    name: 'safe-guess-contention',
    options: { protocol: 'safe-guess', seed: 1, latency: 'unit', faults: 'none', workload: 'contention', n: 4, ops: 10, skew: 6, drift: 1000, crash: 'm2@5' },
    facts: swarmFacts,
    explain: (report) => {
      const facts = swarmFacts(report);
      const paths = facts.writePaths as Record<string, number>;
      const work = facts.work as Record<string, number>;
      return (
        `4 clients start together, clocks up to 6 delays apart, m2 crashes at 5. Of ${work.writes} writes, ${paths.fast} stood at their guess in one round trip; ${paths.notified} were saved by a reader's lock,\n` +
        `   ${paths.fresh} saw a larger word, fenced it and wrote again with a fresh timestamp (2-4 round trips). Reads: p50 ${facts.readP50}, p99 ${facts.readP99} round trips, ${work.fetches} fetches, ${work.rescans} rescans, ${work.locks} locks.\n` +
        `   A read returns a GUESSED word only after two scans saw it and a lock on its writer's notif word made sure the writer cannot stand below it.\n` +
        `   The history is ${facts.linearizable ? 'linearizable' : 'NOT linearizable'} (mnm check --model register); the memories were checked after every verb (buffers only grow, notif never decreases, Invariant D): ${report.ok ? 'held' : 'VIOLATED'}.`
      );
    },
  },
  {
    title: '12. Byzantine consistent broadcast (CB) with n = 2f+1: the fast path, no signature at all',
    name: 'cb-fast-path',
    options: { protocol: 'cb', seed: 1, latency: 'unit', faults: 'none', f: 1, ops: 1 },
    facts: broadcastFacts,
    explain: (report) => {
      const facts = broadcastFacts(report);
      return (
        `p0 broadcasts one message to ${facts.processes} processes (f = ${facts.f}) through ${facts.memories} memories. Every process owns one region that only it may write (single-writer, enforced by\n` +
        `   the memory), so a Byzantine process can lie only in its own slot, and only once per field. The sender writes m; each replicator copies H(m) into its own slot;\n` +
        `   a receiver that reads the same hash in all ${facts.processes} slots delivers: ${facts.fastDeliveries} fast deliveries, ${facts.delaysMedian} delays (median),\n` +
        `   signatures made ${facts.signaturesMade}, verified ${facts.signaturesVerified}. With messages only, Bracha needs 3f+1 processes (mnm table broadcast).`
      );
    },
  },
  {
    title: '13. An equivocating sender is caught: correct processes never deliver two different messages',
    name: 'cb-equivocating-sender',
    options: { protocol: 'cb', seed: 1, latency: 'unit', faults: 'none', f: 1, ops: 2, adversary: 'equivocating-sender' },
    until: equivocationShown,
    facts: broadcastFacts,
    explain: (report) => {
      const facts = broadcastFacts(report);
      const effects = facts.adversaryEffects as string[];
      return (
        `p0 is Byzantine: it writes a first value (for even k on one memory's copy only, so readers split), rewrites its slot to a signed second value between readers,\n` +
        `   then signs both and flips its slot between them.\n` +
        `   Its effect (as it noted): ${effects.length > 0 ? effects.join('; ') : 'none'}.\n` +
        `   Delivered by the correct processes: ${deliveredLine(facts.delivered as DeliveredK[])}.\n` +
        `   One message per k: ${facts.oneMessagePerK ? 'yes' : 'NO'}. The readers found ${facts.equivocationProofs} equivocation proof(s) (two valid copies of one field) and rejected ${facts.signaturesRejected} signature(s)\n` +
        `   that failed verification; a replicator never changes the hash it adopted, and the slow path needs f+1 checked records with no conflicting signed one. Consistency: ${report.ok ? 'holds' : 'VIOLATED'}.`
      );
    },
  },
  {
    title: "14. CB's slow path: a silent replicator makes the sender sign, once",
    name: 'cb-slow-path',
    options: { protocol: 'cb', seed: 1, latency: 'unit', faults: 'none', f: 1, ops: 1, adversary: 'silent-replicator' },
    facts: broadcastFacts,
    explain: (report) => {
      const facts = broadcastFacts(report);
      const effects = facts.adversaryEffects as string[];
      return (
        `p2 is Byzantine and writes nothing, so no receiver ever sees all ${facts.processes} echoes. After its timeout (${facts.signTimeout} delays) the sender signs H(m) at time ${facts.signedAt};\n` +
        `   a receiver delivers once f+1 = ${(facts.f as number) + 1} records hold (h, the signature, checked) and none a conflicting signed hash: ${facts.slowDeliveries} slow deliveries, ${facts.delaysMedian} delays (median,\n` +
        `   the timeout included). Signatures made ${facts.signaturesMade}, verified ${facts.signaturesVerified} (each verdict cached): one signature per broadcast, as the lecture says for CB.\n` +
        `   Effect (as the adversary noted): ${effects.join('; ') || 'none'}.`
      );
    },
  },
  {
    title: '15. Byzantine consensus with n = 2f+1 on CB: a decision with no signature',
    name: 'bft-fast-path',
    options: bftTourOptions(),
    facts: bftFastFacts,
    explain: (report) => {
      const facts = bftFastFacts(report);
      const decisions = facts.decisions as { fast: number; slow: number };
      return (
        `${facts.replicas} replicas (f = 1) serve a key-value store; a client signs each request. The leader p0 puts each batch in its CB stream (PREPARE); every replica\n` +
        `   answers PROMISE to all, then COMMIT-FAST once it holds all ${facts.replicas} promises, and decides on all ${facts.replicas} COMMIT-FASTs — plain messages, nothing signed.\n` +
        `   ${decisions.fast} decisions on the fast path, ${decisions.slow} on the slow one: ${facts.delaysToDecide} delays to decide, ${facts.delaysEndToEnd} end to end (median),\n` +
        `   ${facts.messagesPerDecision} replica messages and ${facts.broadcastsPerDecision} CB per decision, replica signatures made: ${facts.signaturesMade} (the CB streams' included).\n` +
        `   A checkpoint every W/2 decisions costs n signatures (2n/W per decision amortized); PBFT signs nothing either, but needs 3f+1 replicas (mnm table bft).`
      );
    },
  },
  {
    title: '16. A faulty leader is replaced by a view change',
    name: 'bft-view-change',
    options: bftTourOptions(bftLeaderFault),
    facts: bftViewChangeFacts,
    explain: (report) => {
      const facts = bftViewChangeFacts(report);
      return (
        `${leaderFaultLabel(bftLeaderFault)}. Decided in view 0: ${(facts.decidedInView0 as string[]).join(', ') || 'none'}.\n` +
        `   p${facts.suspectedBy} suspects it at ${facts.suspectedAt} (a request or a promised instance timed out): it SEALs view 0 in its stream; each SEAL brings the next leader a\n` +
        `   VC certificate (f+1 signed VC-SHAREs on the sealer's stream state); p${facts.newLeader} CB-broadcasts NEW_VIEW(1) with f+1 of them and it is accepted at ${facts.enteredAt}:\n` +
        `   ${facts.viewChangeDelays} delays from the suspicion, ${facts.viewChangeMessages} VC messages, ${facts.viewChangeSignaturesMade} VC-SHARE signatures; ${facts.fixedInstances} instance(s) fixed by the NEW_VIEW and proposed again.\n` +
        `   Decided after it: ${(facts.decidedLater as string[]).join(', ') || 'none'} ${'crash' in bftLeaderFault ? '(slow path: the crashed p0 never promises)' : ''}. Calls completed: ${facts.callsOk}; agreement, validity, liveness:\n` +
        `   ${report.ok ? 'hold' : 'VIOLATED'}; the history is ${report.linearizable === true ? 'linearizable' : report.linearizable === false ? 'NOT linearizable' : 'not judged'} (model kv).`
      );
    },
  },
];

/** Where the stops' traces go unless --traces says otherwise (relative to the working directory). */
export const defaultTraceDirectory = 'mnm-tour';

/** Stop `number`'s trace file: `NN-<name>.trace.jsonl`, so that a listing sorts in tour order. */
export function traceFileName(number: number, name: string): string {
  return `${String(number).padStart(2, '0')}-${name}.trace.jsonl`;
}

/** Writes into the --traces directory; an operating-system error is one line naming the option (exit 2). */
function writingTraces<T>(directory: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (isSystemError(error)) throw new UsageError(`--traces: cannot write into '${directory}': ${systemErrorReason(error)}`);
    throw error;
  }
}

export const tourCommand: Command = {
  name: 'tour',
  summary: 'a short guided tour on the simulator (what `npm start` runs)',
  help: `usage: mnm tour [--json] [--traces DIR] [--no-serve]

Runs a few short scenarios on the deterministic simulator and explains what
each shows: the replicated register's cost in delays, a tolerated memory
crash, a crash beyond tolerance (blocked, not failed), a broken variant
caught by the checker, Protected Memory Paxos deciding in two delays and
after a leader crash, a straggler bug replayed by a scripted schedule, and
Mu committing in one round trip with no follower CPU, then failing over
after its leader's host crashes, and SWARM's Safe-Guess register reading
and writing in one round trip with a memory down, then staying atomic under
contention, skewed clocks and a crash; then the lecture's Byzantine part:
consistent broadcast delivering on the fast path with no signature, an
equivocating sender caught (correct processes never deliver two different
messages), and the slow path's one signature forced by a silent replicator;
last, Byzantine consensus on CB deciding with no signature, and a faulty
leader replaced by a view change.
Every run prints the command that replays it. At the end the tour writes
one viewer page with every stop's execution (DIR/index.html; docs/viewer.md)
and prints its path; on a terminal it offers to serve the page on
127.0.0.1 until interrupted.

options:
  --json          print {"stops": [{title, name, ok, seed, facts, trace, ...}], "traces": DIR}
  --traces DIR    write each stop's trace as DIR/NN-<name>.trace.jsonl
                  (default ${defaultTraceDirectory}/ in the working directory),
                  and the viewer page of them all as DIR/index.html
  --no-serve      do not offer to serve the page (never offered when stdin or
                  stdout is not a terminal, or with --json)

example:
  mnm tour
  mnm tour --json --traces /tmp/tour
`,
  async run(args, io) {
    const { values } = parseCommandArgs('tour', args, { json: { type: 'boolean' }, traces: { type: 'string' }, 'no-serve': { type: 'boolean' } }, false);
    const directory = values.traces ?? defaultTraceDirectory;
    if (directory === '') throw new UsageError('--traces: expected a directory');
    writingTraces(directory, () => mkdirSync(directory, { recursive: true }));
    const results: Record<string, unknown>[] = [];
    const pageTraces: ViewerTraceSource[] = [];
    if (!values.json) io.stdout('mnm tour — the lecture\'s algorithms on the simulator (latency model "unit": one delay = 1, unless said)\n\n');
    for (const [index, stop] of stops.entries()) {
      let report = await runScenario(stop.options, 'full');
      // The broken variant needs a schedule that exposes it: search seeds, as a sweep would (hashes only), then run the one found again in full.
      for (let seed = stop.options.seed + 1; stop.until && !stop.until(report) && seed <= 200; seed++) report = await runScenario({ ...stop.options, seed }, 'hash');
      if (report.trace === undefined) report = await runScenario({ ...stop.options, seed: report.seed }, 'full');
      if (!stop.options.mutant && !report.ok) throw new Error(`tour stop '${stop.title}' violated ${report.violations[0].property}: ${report.violations[0].detail}`);
      const trace = join(directory, traceFileName(index + 1, stop.name));
      writingTraces(directory, () => writeFileSync(trace, report.trace ?? ''));
      const linearizable = report.protocol === 'register' ? inversion(report) === undefined : undefined;
      results.push({ title: stop.title, name: stop.name, ok: report.ok, blocked: report.blocked, seed: report.seed, metrics: report.metrics, violations: report.violations, traceHash: report.traceHash, trace, ...(linearizable === undefined ? {} : { linearizable }), ...(stop.facts ? { facts: stop.facts(report) } : {}) });
      if (!values.json) io.stdout(`${stop.title}\n   ${stop.explain(report)}\n   (${replayCommand(report.params)}; trace: ${trace})\n\n`);
      pageTraces.push({
        name: `${index + 1}. ${stop.name}`,
        text: report.trace ?? '',
        report: { violations: report.violations },
        ...(linearizable === undefined ? {} : { check: await checkTrace(trace) }),
      });
    }
    const page = writingTraces(directory, () => writeViewerPage({ traces: pageTraces, out: join(directory, 'index.html'), title: 'mnm tour' }));
    if (values.json) {
      io.stdout(JSON.stringify({ stops: results, traces: directory, page, ...provenance() }) + '\n');
      return exitCodes.ok;
    }
    io.stdout(`The stops' traces are in ${directory}/ (mnm replay FILE checks one; docs/trace.md describes them).\n`);
    io.stdout(`The viewer page of all ${stops.length} executions: ${page}\n   (open it in a browser: a space-time diagram per stop, operations, violations; docs/viewer.md)\n`);
    io.stdout(`Next: mnm table consensus, mnm table broadcast, mnm table bft, mnm sweep pmp --seeds 1000 --mix, mnm sweep cb --adversary all --seeds 1000, mnm mutants, mnm view TRACE, mnm run --help.\n`);
    if (values['no-serve'] || !process.stdin.isTTY || !process.stdout.isTTY) return exitCodes.ok;
    if (!(await confirm(`Serve the viewer on 127.0.0.1 now? [Y/n] `))) return exitCodes.ok;
    const { url, server } = await serveViewerPage(viewerPageHtml({ traces: pageTraces, title: 'mnm tour' }));
    io.stdout(`Serving ${url} until interrupted (Ctrl-C).\n`);
    await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return interruptedExitCode;
  },
};

/** The check `mnm check TRACE --model register --json` prints, for the page to place the linearization (or the unplaced operations) on the trace's operations. */
async function checkTrace(trace: string): Promise<CheckResult> {
  let output = '';
  await checkCommand.run([trace, '--model', 'register', '--json'], { stdout: (text) => void (output += text), stderr: () => undefined, stderrIsTerminal: false });
  return JSON.parse(output) as CheckResult;
}

/** Asks a yes/no question on the terminal; an empty answer is yes. */
async function confirm(question: string): Promise<boolean> {
  const lines = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string>((resolve) => lines.question(question, resolve));
    return !/^\s*n/i.test(answer);
  } finally {
    lines.close();
  }
}
