/**
 * mnm's public API: what `import … from 'mnm'` gives. Every name here is
 * exported on purpose, grouped by family; anything not listed (backend
 * internals, the CLI, test helpers) may change without notice. docs/api.md
 * has a runnable example per family.
 *
 * This is the one module allowed to import from every layer
 * (src/architecture.test.ts); nothing inside mnm imports it.
 */

/**
 * The fabric contract: what one process can do to remote memory and to other
 * processes (verbs, permissions, messages, time, history), the typed errors a
 * verb can fail with, and the small byte and quorum helpers protocols are
 * written with. Protocols import only this family (and crypto), so the same
 * code runs on the simulator and on the real backends.
 */
export type { Fabric, OperationRecorder, HistoryEvent, NoteEvent, ProcessMain } from './fabric/fabric.js';
export type { ProcessId, MemoryId, RegionRef, Address, Access, Policy, RegionSpec, Message, VerbOptions, PermissionOptions, OperationId, OperationValue } from './fabric/types.js';
export { policies } from './fabric/types.js';
export { findRegion, memoriesOf } from './fabric/fabric.js';
export { FabricError, PermissionDenied, TimedOut, BadAddress, QuorumFailed, type FabricErrorCode } from './fabric/errors.js';
export { wordSize, toWord, getWord, setWord, wordBytes, wholeWords, checksum, toHex } from './fabric/bytes.js';
export { majority, quorum, forEachMemory, type QuorumSuccess, type QuorumOptions } from './fabric/quorum.js';

/**
 * The deterministic simulator: a world of processes and memories in virtual
 * time, built from a config and a seed (same seed, same run, byte for byte),
 * with latency models, injected faults (crashes, pauses, partitions, slow
 * links, lossy networks), clock skew, torn multi-word writes and scripted
 * schedules (`holds`, docs/schedules.md).
 */
export { Simulation, type SimulationConfig, type SimulationResult } from './sim/simulation.js';
export type { RunEnd } from './sim/scheduler.js';
export type { SimCounters } from './sim/context.js';
export type { SimMemory } from './sim/memory.js';
export { latencyModel, latencyNames, unitLatency, rdmaLatency, lanLatency, uniformLatency, tailLatency, type LatencyModel } from './sim/latency.js';
export { parseNotePauses, describeNotePause, type NotePause } from './sim/notePauses.js';
export { parseCrashes, parsePauses, drawFaults, faultProfiles, withinTolerance, describeFault, type Fault, type FaultProfile, type FaultWorld, type Tolerance } from './sim/faults.js';
export { parseHolds, describeHold, type Hold } from './sim/holds.js';
export { Prng } from './sim/prng.js';

/**
 * Traces: the JSON-lines record of a simulated run (docs/trace.md). Pass a
 * `TraceRecorder` as `SimulationConfig.trace` to keep or hash the lines;
 * `Accounting` sums them into per-operation costs (docs/metrics.md).
 */
export { TraceRecorder } from './trace/recorder.js';
export { Accounting, type RunMetrics, type OperationCost, type FunctionMetrics } from './trace/accounting.js';
export { traceVersion, type TraceSink, type TraceHeader, type TraceEvent, type TraceLine, type VerbKind } from './trace/format.js';

/**
 * The real backends: the same bodies on worker threads sharing
 * SharedArrayBuffers (`runShm`) or in OS processes over TCP with
 * authenticated memory nodes (`runTcp`). A body is named by module URL and
 * export (`BodyReference`), because each process loads it in its own thread
 * or OS process; the module exports a `BodyFactory`. Time is wall-clock in
 * `unitMicroseconds`; only crashes can be injected (docs/backends.md).
 */
export { runShm, type ShmRunConfig } from './shm/runShm.js';
export { runTcp, type TcpRunConfig } from './tcp/runTcp.js';
export type { ServerLimits } from './tcp/authenticatedServer.js';
export type { RealRunConfig, RealRunResult, CrashFault } from './realtime/realRun.js';
export type { BodyReference, BodyFactory } from './realtime/operationJournal.js';

/**
 * Protocols ready to use. The replicated one-writer register of the lecture
 * (regular, tolerates a minority of crashed memories).
 */
export { RegularRegister, regularRegisterRegion, regularRegisterMutants, type RegularRegisterConfig, type RegularRegisterMutant } from './protocols/register/regularRegister.js';

/**
 * Consensus as a replicated log, tolerating the crash of all processes but
 * one (memory-based) or a minority (message passing): `append(value)` →
 * the index where it was decided, `entries()` in index order, `close()`.
 * Protected Memory Paxos decides an entry in one write round trip to a
 * majority of memories with a stable leader; Disk Paxos in write + read;
 * Multi-Paxos in one message round trip. `…Regions` give the regions to
 * create; `logTimingFor(delay)` sizes the timers from the one-way delay.
 * Bad calls throw the typed errors below before anything is written.
 */
export type { ReplicatedLog, LogEntry } from './protocols/common/replicatedLog.js';
export { EntryTooLarge, InvalidLogConfig, LogClosed, LogFull, UnknownMemory } from './protocols/common/logErrors.js';
export { logTimingFor, type LogOptions, type LogTiming } from './protocols/consensus/consensusLog.js';
export { ProtectedPaxosLog, protectedPaxosLogRegions, type ProtectedPaxosLogConfig } from './protocols/consensus/protectedPaxosLog.js';
export { DiskPaxosLog, diskPaxosLogRegions, type DiskPaxosLogConfig } from './protocols/consensus/diskPaxosLog.js';
export { MultiPaxosLog, type MultiPaxosConfig } from './protocols/consensus/multiPaxos.js';
export type { TimeoutPolicy } from './protocols/common/phaseTimer.js';
/**
 * Mu (docs/mu.md): replica i is process pi with its log in its own memory
 * mi (`muRegions`); a stable leader commits with one write per replica log
 * and a majority wait. An append a deposed leader had in flight rejects with
 * `AppendOutcomeUnknown` (it may still be decided).
 */
export { MuLog, muLayoutOf, AppendOutcomeUnknown, type MuLogConfig } from './protocols/consensus/mu/muLog.js';
export { muRegions, type MuLayout } from './protocols/consensus/mu/muLayout.js';
export { muTimingFor, type MuTiming } from './protocols/consensus/mu/muTiming.js';
export { muMutants, type MuMutant } from './protocols/consensus/mu/mutants.js';
/** Single-decree consensus is the one-entry log: `propose(log, value)` on a log sized `entries: 1` resolves with the decided value. */
export { propose, NoEntryDecided } from './protocols/consensus/singleDecree.js';

/**
 * Broadcast with Byzantine faults, as a call. Consistent (CB) and reliable
 * (RB) broadcast with n = 2f+1 over shared memory (no signature on the fast
 * path), and Bracha's message-passing RB (n = 3f+1) as the baseline:
 * `broadcast(bytes) → k`, deliveries in k order per sender through
 * `onDeliver` or `deliveries()`, a window of broadcasts in flight, and
 * `stop()`. The layout sizes the run's append-only slots; `broadcastRegions`
 * gives the regions to create. Bad calls reject with a `BroadcastError`.
 */
export {
  ConsistentBroadcast,
  ReliableBroadcast,
  BroadcastError,
  BroadcastStopped,
  EmptyMessage,
  MessageTooLarge,
  NotASender,
  SlotsExhausted,
  broadcastMutants,
  type BroadcastConfig,
  type BroadcastMutant,
  type Delivery,
} from './protocols/byzantine/broadcast.js';
export { broadcastRegions, type BroadcastLayout } from './protocols/byzantine/layout.js';
export type { SlotShape } from './protocols/byzantine/slot.js';
export { BrachaBroadcast, brachaMessageCapacity, brachaMutants, type BrachaConfig, type BrachaDelivery } from './protocols/byzantine/bracha.js';

/**
 * The checkers. Linearizability of a history against a sequential model
 * (`models`: register, cas-register, kv, max-register, log — or your own
 * `Model`), history files in several formats (`readHistory`), explanations
 * of a verdict, regularity of a one-writer register, and the properties of
 * single-decree consensus. The checkers import nothing else of mnm: they read
 * plain events. `HistoryLine` is the checker's event (one line of a history,
 * with its line number for witnesses); `checkRunLinearizable` takes a run's
 * `HistoryEvent`s as they are.
 */
export { checkLinearizability, type CheckOptions, type CheckResult, type PartitionResult, type Verdict } from './check/linearizability.js';
export { pairOperations } from './check/pairing.js';
export { HistoryError, outcomeUnknown, type HistoryEvent as HistoryLine, type EventType, type Operation, type Outcome } from './check/history.js';
export type { Model, PreparedCall } from './check/model.js';
export type { ValueKey } from './check/values.js';
export { models, modelNames } from './check/models/index.js';
export { readHistory, type ReadHistory } from './check/readHistory.js';
export { formats, formatNames, formatNamed, detectFormat, type HistoryFormat } from './check/formats/index.js';
export { replayLinearization } from './check/replay.js';
export { describeOperation, explainResult, witnessJson } from './check/describe.js';
export { checkRegular, type RegisterEvent, type RegularityViolation } from './check/regular.js';
export { checkConsensus, type ProposeEvent, type DecisionNote, type ConsensusViolation } from './check/consensus.js';
export { checkRunLinearizable } from './scenarios/linearizable.js';

/**
 * Scenarios: named, reproducible experiments (protocol + workload + faults +
 * properties), what `mnm run` and `mnm sweep` drive. `runScenario` runs one
 * and judges it (safety, then liveness within the protocol's tolerance);
 * `resolveOptions` fills in a scenario's defaults and validates options.
 */
export { runScenario, resolveOptions, type RunReport, type TraceMode } from './scenarios/runner.js';
export { scenarios, findScenario, type Scenario, type RunOptions, type ResolvedOptions, type Violation } from './scenarios/index.js';
export type { MixedSizes } from './scenarios/mix.js';

/**
 * Signatures: Ed25519 (node:crypto) bound to process identities and to
 * statements, with counters of signatures made and checked, and the
 * simulator's cost model of signing.
 */
export { Signer, runKeys, signatureLength, type KeySource, type SignatureCounters } from './crypto/signer.js';
export {
  statementBytes,
  type Statement,
  type StatementPurpose,
  type BroadcastStatement,
  type ConsensusStatement,
  type RequestStatement,
  type PrepareStatement,
  type VcStateStatement,
  type CheckpointStatement,
} from './crypto/statement.js';
export { keyPairFromSeed, runKeyPair, privateSeed, privateSeedLength, publicKeyLength, type KeyPair } from './crypto/keys.js';
export { measuredCosts, freeCosts, measureCosts, type SignatureCosts, type CostMeasurement } from './crypto/costs.js';

/**
 * A replicated key-value store over any `ReplicatedLog` (docs/kv.md): get,
 * put, append and delete as commands through the log, applied once each
 * (client sessions), reads through the log, histories for the `kv` model,
 * and an optional durability sink (a file written with fdatasync).
 */
export { ReplicatedKv, type ReplicatedKvConfig } from './protocols/kv/replicatedKv.js';
export { KvStateMachine, type KvApplyResult } from './protocols/kv/kvStateMachine.js';
export { encodeKvCommand, decodeKvCommand, kvEntryCapacityFor, kvOperations, type KvCommand, type KvOperation } from './protocols/kv/kvCommand.js';
export { KvOutcomeUnknown, KvRejected, KvClosed, KvClientRetired } from './protocols/kv/kvErrors.js';
export { kvMutants, type KvMutant } from './protocols/kv/kvMutants.js';
export { encodeSinkFrames, decodeSinkFrames, type AppendSink } from './protocols/kv/appendSink.js';
export { FsyncFileSink } from './realtime/fsyncSink.js';

/**
 * SWARM's building blocks (docs/swarm.md): the one-memory and reliable max
 * registers (validity, read–read and write–read monotonicity: checked by
 * `checkMaxRegisterProperties`, not the `max-register` model), ABD with one
 * writer (the lecture's register plus the read's write-back: atomic), and
 * DM-ABD, the multi-writer atomic register on the reliable max register.
 * Each over 2f+1 memories (`…Region` gives what each memory holds); each
 * operation's round trips are `lastRoundTrips`.
 */
export { ReliableMaxRegister, OneMemoryMaxRegister, maxRegisterRegion, maxRegisterValueMax, type MaxRegisterConfig } from './protocols/swarm/maxRegister.js';
export { AbdRegister, type AbdConfig } from './protocols/swarm/abd.js';
export { DmAbdRegister, dmAbdRegions, type DmAbdConfig } from './protocols/swarm/dmAbd.js';
export { TimestampsExhausted, TimestampClock, type TimestampClockConfig } from './protocols/swarm/timestampClock.js';
/** Safe-Guess (spec swarm.md §4): the atomic register whose reads and writes take one round trip without contention, on SWARM's memory layer. */
export { SafeGuessRegister, type SafeGuessConfig, type OperationCounters } from './protocols/swarm/safeGuess.js';
export { SwarmMemories } from './protocols/swarm/swarmMemories.js';
export { swarmRegions, swarmLayout, type SwarmLayout } from './protocols/swarm/layout.js';
export type { MemorySet, SwarmLayoutConfig, SwarmClientConfig } from './protocols/swarm/memorySet.js';
export { swarmMemoryWatcher } from './protocols/swarm/invariants.js';
export { recordRegisterRegion, type RecordRegisterConfig } from './protocols/swarm/recordRegister.js';
export { maxRegisterMutants, abdMutants, dmAbdMutants, safeGuessMutants, type MaxRegisterMutant, type AbdMutant, type DmAbdMutant, type SafeGuessMutant } from './protocols/swarm/mutants.js';
export { checkMaxRegisterProperties, type MaxRegisterEvent, type MaxRegisterViolation, type MaxRegisterProperty } from './check/maxRegisterProperties.js';

/**
 * SWARM-KV v1 (docs/swarm.md, "SWARM-KV"): a key-value store over 2f+1
 * memories whose key space is loaded before the run (`load`, then
 * read-only: no inserts). `get(key)`, `put(key, value)`, `delete(key)`;
 * one round trip on a key-cache hit without contention, 2 (get) or 3 (put)
 * on a miss. Each key is a Safe-Guess register, or DM-ABD (`algorithm`).
 * `swarmKvRegions` gives what each memory holds; a key outside the loaded
 * space is refused with `UnknownKey` (`unknown-key`), before any write.
 */
export { SwarmKv, swarmKvRegions, swarmKvAlgorithms, type SwarmKvConfig, type SwarmKvLayout, type SwarmKvAlgorithm } from './protocols/swarm/swarmKv.js';
export { UnknownKey, SwarmKvStopped } from './protocols/swarm/swarmKvErrors.js';

/**
 * Byzantine consensus with n = 2f+1 on consistent broadcast (docs/bft.md,
 * specs/bft-consensus.md), the normal case, serving a replicated key-value
 * store: `new BftReplica(fabric, config)` on each of the 2f+1 replicas (one
 * CB stream each; `broadcastRegions(config.broadcast.layout)` gives the
 * regions), `new BftKvClient(fabric, config)` on each client process with
 * `get`/`put`/`append`/`delete` promises (f+1 matching replies; an unknown
 * outcome rejects with `BftOutcomeUnknown`). No signature per fast decision.
 */
export { BftReplica, type BftReplicaConfig, type BftTiming, type BftReplicaCounters, type SizingVerdict } from './protocols/byzantine/bft/replica.js';
export { BftKvClient, BftOutcomeUnknown, type BftKvClientConfig } from './protocols/byzantine/bft/client.js';
export { KvService, type ReplicatedService } from './protocols/byzantine/bft/kvService.js';

/**
 * The n = 3f+1 message-passing baseline (PBFT-style: PRE-PREPARE, PREPARE,
 * COMMIT; signed VIEW-CHANGE and NEW-VIEW with the TOCS 2002 §4.5 choice),
 * serving a replicated service to `BftKvClient`s (`replicas: 3f+1`).
 */
export { PbftReplica, primaryOf as pbftPrimaryOf, pbftAdversaries, type PbftReplicaConfig, type PbftReplicaCounters, type PbftTiming, type PbftByzantine } from './protocols/byzantine/pbft/replica.js';
export { chooseBatches as pbftChooseBatches, validateNewView as pbftValidateNewView } from './protocols/byzantine/pbft/viewChange.js';
