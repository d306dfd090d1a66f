import { ratioBars, tableBars, type Chart } from '../../plots/index.js';

interface PathFigures {
  readonly fast: { latencyMicroseconds: number };
  readonly slow: { fromTriggerMicroseconds: number; timeoutsMicroseconds: number };
  readonly slowOverFast: number;
}

/**
 * `mnm bench broadcast`: CB and RB latency under rdma, the fast path next
 * to the slow path from its trigger; the slow path as a multiple of the
 * fast; Ed25519 against HMAC-SHA256, all measured in the same run.
 */
export function broadcastCharts(result: Record<string, unknown>): Chart[] {
  const paths = result.paths as Record<string, PathFigures>;
  const ed = result.ed25519 as { nodeCrypto: { sign: number; verify: number }; hmacSha256: number; noble: { sign: number; verify: number } | null };
  const rows = Object.entries(paths).map(([name, entry]) => ({
    name,
    'fast path': entry.fast.latencyMicroseconds,
    'slow path from its trigger': entry.slow.fromTriggerMicroseconds,
  }));
  const overHmac = (value: number) => Math.round((value / ed.hmacSha256) * 100) / 100;
  return [
    {
      name: 'paths',
      spec: tableBars({
        title: 'Broadcast latency under rdma, signatures charged',
        subtitle: 'one broadcast, median over correct receivers; slow path: one silent replicator (timeouts not counted)',
        rows,
        category: 'name',
        categoryTitle: 'protocol, f',
        values: ['fast path', 'slow path from its trigger'],
        valueTitle: 'latency (virtual µs)',
      }),
    },
    {
      name: 'ratios',
      spec: ratioBars({
        title: 'Slow path against fast path',
        baseline: 'the fast path',
        bars: Object.entries(paths).map(([name, entry]) => ({ name: `${name}: slow (from trigger) / fast`, ratio: entry.slowOverFast })),
      }),
    },
    {
      name: 'signatures',
      spec: ratioBars({
        title: 'What a signature costs',
        subtitle: `node:crypto Ed25519, 40-byte statements, key objects made once; HMAC-SHA256 ${ed.hmacSha256} µs`,
        baseline: 'one HMAC-SHA256',
        groupTitle: 'library',
        bars: [
          { name: 'Ed25519 sign (node:crypto)', ratio: overHmac(ed.nodeCrypto.sign), group: 'node:crypto' },
          { name: 'Ed25519 verify (node:crypto)', ratio: overHmac(ed.nodeCrypto.verify), group: 'node:crypto' },
          ...(ed.noble ? [{ name: 'Ed25519 sign (@noble/ed25519)', ratio: overHmac(ed.noble.sign), group: '@noble/ed25519' }, { name: 'Ed25519 verify (@noble/ed25519)', ratio: overHmac(ed.noble.verify), group: '@noble/ed25519' }] : []),
        ],
      }),
    },
  ];
}
