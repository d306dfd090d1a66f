import { latencyCdf, ratioBars, type Chart, type LatencySeries } from '../../plots/index.js';
import type { LatencyFigures } from '../latencyFigures.js';

/** A series from figures that carry their percentiles (runs before they did are left out). */
export function seriesOf(name: string, figures: LatencyFigures | undefined): LatencySeries[] {
  return figures?.percentiles ? [{ name, percentiles: figures.percentiles }] : [];
}

interface DecisionFigures {
  readonly sequential: LatencyFigures;
  readonly p50TimesFloor: number;
}

/**
 * `mnm bench backends`: CDFs of 64-byte verbs on shm, tcp and tcp over TLS
 * next to the bare TCP ping-pong, of decisions on each backend next to the
 * majority-write floor; the decisions' p50 as multiples of the floor, and
 * the tcp verbs' as multiples of the ping-pong.
 */
export function backendsCharts(result: Record<string, unknown>): Chart[] {
  const verbs = (backend: string) => result[backend] as Record<'read' | 'write' | 'cas', LatencyFigures>;
  const baseline = (result.baseline as { tcpPingPong: LatencyFigures }).tcpPingPong;
  const floors = result.floor as Record<string, { sequential: LatencyFigures }>;
  const echoFloors = result.messageFloor as Record<string, { sequential: LatencyFigures }>;
  const decisions = (result.decisions as { byBackend: Record<string, Record<string, DecisionFigures>> }).byBackend;
  const backends = Object.keys(decisions);
  const pingP50 = baseline.p50;
  return [
    {
      name: 'verbs-cdf',
      spec: latencyCdf({
        title: '64-byte verbs, one at a time',
        subtitle: `${String(result.samplesPerVerb)} per verb after a warm-up; baseline: a bare Node TCP ping-pong`,
        seriesTitle: 'backend, verb',
        series: [
          ...(['shm', 'tcp', 'tcpTls'] as const).flatMap((backend) => (['read', 'write'] as const).flatMap((verb) => seriesOf(`${backend === 'tcpTls' ? 'tcp + TLS' : backend} ${verb}`, verbs(backend)[verb]))),
          ...seriesOf('TCP ping-pong (baseline)', baseline),
        ],
      }),
    },
    ...backends.map((backend) => ({
      name: `decisions-cdf-${backend}`,
      spec: latencyCdf({
        title: `Decisions on ${backend}, stable leader, n = 3, 3 memories`,
        subtitle: 'one at a time; floor: a 64-byte write to 3 memories, done at 2',
        seriesTitle: 'protocol',
        series: [
          ...Object.entries(decisions[backend]).flatMap(([protocol, figures]) => seriesOf(protocol, figures.sequential)),
          ...seriesOf('majority-write floor', floors[backend]?.sequential),
          ...seriesOf('message round-trip floor', echoFloors[backend]?.sequential),
        ],
      }),
    })),
    {
      name: 'decisions-vs-floor',
      spec: ratioBars({
        title: 'Decision p50 against the majority-write floor',
        baseline: "the backend's majority-write floor (p50)",
        groupTitle: 'backend',
        bars: backends.flatMap((backend) => Object.entries(decisions[backend]).map(([protocol, figures]) => ({ name: `${backend}: ${protocol}`, ratio: figures.p50TimesFloor, group: backend }))),
      }),
    },
    {
      name: 'verbs-vs-ping-pong',
      spec: ratioBars({
        title: 'tcp verb p50 against a bare TCP ping-pong',
        baseline: 'the TCP ping-pong p50',
        groupTitle: 'transport',
        bars: (['tcp', 'tcpTls'] as const).flatMap((backend) =>
          (['read', 'write', 'cas'] as const).map((verb) => ({ name: `${backend === 'tcpTls' ? 'tcp + TLS' : 'tcp'} ${verb}`, ratio: Math.round((verbs(backend)[verb].p50 / pingP50) * 100) / 100, group: backend === 'tcpTls' ? 'tcp + mutual TLS' : 'tcp' })),
        ),
      }),
    },
  ];
}
