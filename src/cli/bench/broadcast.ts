import { measureCosts, measuredCosts } from '../../crypto/index.js';
import { runScenario } from '../../scenarios/index.js';
import type { BroadcastDetails } from '../../scenarios/byzantine/details.js';
import type { BenchSuite } from './suite.js';
import { broadcastCharts } from './charts/broadcastCharts.js';

/**
 * What a signature costs, and what it does to a broadcast's latency.
 *
 * 1. Ed25519 sign and verify with node:crypto on this machine (key objects
 *    made once, 40-byte statements), with HMAC-SHA256 as the floor, and a
 *    pure-JS Ed25519 (@noble/ed25519) if one is installed — it is not a
 *    dependency: node:crypto is the choice (see docs/crypto.md).
 * 2. CB and RB in the simulator under the `rdma` latency model with the
 *    signature costs charged as virtual CPU time: the fast path (everyone
 *    correct) against the slow path (one silent replicator), the slow path
 *    timed from its trigger — the timeouts are reported separately and not
 *    counted.
 */
async function nobleCosts(iterations: number): Promise<{ sign: number; verify: number } | null> {
  const name = '@noble/ed25519';
  try {
    const noble = (await import(name)) as { sign?: (message: Uint8Array, key: Uint8Array) => Uint8Array; verify?: (signature: Uint8Array, message: Uint8Array, key: Uint8Array) => boolean; getPublicKey?: (key: Uint8Array) => Uint8Array; hashes?: { sha512?: unknown } };
    const { createHash } = await import('node:crypto');
    if (noble.hashes && !noble.hashes.sha512) noble.hashes.sha512 = (message: Uint8Array) => new Uint8Array(createHash('sha512').update(message).digest());
    if (!noble.sign || !noble.verify || !noble.getPublicKey) return null;
    const key = new Uint8Array(32).fill(1);
    const message = new Uint8Array(40).fill(7);
    const publicKey = noble.getPublicKey(key);
    let signature = noble.sign(message, key);
    let started = process.hrtime.bigint();
    for (let index = 0; index < iterations; index++) signature = noble.sign(message, key);
    const sign = Number(process.hrtime.bigint() - started) / 1e3 / iterations;
    started = process.hrtime.bigint();
    for (let index = 0; index < iterations; index++) noble.verify(signature, message, publicKey);
    const verify = Number(process.hrtime.bigint() - started) / 1e3 / iterations;
    return { sign: round(sign), verify: round(verify) };
  } catch {
    return null;
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function latency(protocol: 'cb' | 'rb', f: number, slow: boolean) {
  const report = await runScenario({ protocol, seed: 1, f, ops: 1, latency: 'rdma', faults: 'none', horizon: 100_000, ...(slow ? { adversary: 'silent-replicator' } : {}) }, 'off');
  const details = report.details as unknown as BroadcastDetails & { timeouts: { sign: number; ready: number | null } };
  const timeouts = slow ? details.timeouts.sign + (protocol === 'rb' ? (details.timeouts.ready ?? 0) : 0) : 0;
  const median = details.delays.median ?? NaN;
  return { ok: report.ok, latencyMicroseconds: round(median), timeoutsMicroseconds: round(timeouts), fromTriggerMicroseconds: round(median - timeouts), signaturesMade: details.correctSignatures.made, signaturesVerified: details.correctSignatures.verified };
}

export const broadcastBench: BenchSuite = {
  name: 'broadcast',
  summary: 'Ed25519 sign/verify cost (node:crypto) and CB/RB latency, fast vs slow path, under rdma with signatures charged',
  async run(options) {
    const measured = measureCosts(options.quick ? 200 : 2000, options.quick ? 3 : 7);
    const noble = await nobleCosts(options.quick ? 20 : 200);
    const paths: Record<string, unknown> = {};
    for (const protocol of ['cb', 'rb'] as const) {
      for (const f of options.quick ? [1] : [1, 2]) {
        const fast = await latency(protocol, f, false);
        const slow = await latency(protocol, f, true);
        paths[`${protocol}-f${f}`] = { fast, slow, slowOverFast: round(slow.fromTriggerMicroseconds / fast.latencyMicroseconds) };
      }
    }
    return {
      ed25519: { nodeCrypto: { sign: measured.sign, verify: measured.verify }, hmacSha256: measured.hmac, noble, chargedInRuns: measuredCosts },
      ratios: { verifyOverHmac: round(measured.verify / measured.hmac), measuredSignOverCharged: round(measured.sign / measuredCosts.sign), measuredVerifyOverCharged: round(measured.verify / measuredCosts.verify), ...(noble ? { nobleSignOverNode: round(noble.sign / measured.sign), nobleVerifyOverNode: round(noble.verify / measured.verify) } : {}) },
      paths,
    };
  },
  charts: broadcastCharts,
  summarize(result) {
    const ed = result.ed25519 as { nodeCrypto: { sign: number; verify: number }; hmacSha256: number; noble: { sign: number; verify: number } | null; chargedInRuns: { sign: number; verify: number } };
    const ratios = result.ratios as Record<string, number>;
    const lines = [
      `Ed25519 (node:crypto): sign ${ed.nodeCrypto.sign} µs, verify ${ed.nodeCrypto.verify} µs; HMAC-SHA256 ${ed.hmacSha256} µs (verify = ${ratios.verifyOverHmac}x an HMAC)`,
      ed.noble ? `  @noble/ed25519 (pure JS): sign ${ed.noble.sign} µs (${ratios.nobleSignOverNode}x), verify ${ed.noble.verify} µs (${ratios.nobleVerifyOverNode}x)` : '  @noble/ed25519: not installed (not a dependency; see docs/crypto.md for a measurement)',
      `  runs charge sign ${ed.chargedInRuns.sign} µs, verify ${ed.chargedInRuns.verify} µs (measured here now: ${ratios.measuredSignOverCharged}x and ${ratios.measuredVerifyOverCharged}x of that)`,
      'latency under rdma, one broadcast, median over correct receivers (slow path: one silent replicator, timed from its trigger; timeouts not counted):',
    ];
    for (const [name, entry] of Object.entries(result.paths as Record<string, { fast: Record<string, number>; slow: Record<string, number>; slowOverFast: number }>)) {
      lines.push(
        `  ${name.padEnd(6)} fast ${String(entry.fast.latencyMicroseconds).padStart(7)} µs (0 signatures)   slow ${String(entry.slow.fromTriggerMicroseconds).padStart(7)} µs from trigger + ${entry.slow.timeoutsMicroseconds} µs timeouts (${entry.slow.signaturesMade} made, ${entry.slow.signaturesVerified} verified)   slow/fast = ${entry.slowOverFast}x${entry.slowOverFast >= 10 ? '' : '  (BELOW the 10x expected)'}`,
      );
    }
    return lines.join('\n');
  },
};
