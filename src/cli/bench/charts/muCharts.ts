import { latencyCdf, ratioBars, type Chart } from '../../plots/index.js';
import type { LatencyFigures } from '../latencyFigures.js';
import { seriesOf } from './backendsCharts.js';

/**
 * `mnm bench mu`: CDFs of Mu's commits next to their floors (shm: the write
 * verb, the majority write, Multi-Paxos; tcp: the ping-pong, a client's
 * put), and every ratio the suite reports against its in-run baseline.
 */
export function muCharts(result: Record<string, unknown>): Chart[] {
  const shm = result.shm as { writeVerb: LatencyFigures; majorityWrite: LatencyFigures; mu: { sequential: LatencyFigures }; multiPaxos: { sequential: LatencyFigures }; commitP50VsWriteVerb: number; commitP50VsMajorityWrite: number; multiPaxosP50VsMu: number };
  const tcp = result.tcp as { pingPong: LatencyFigures; mu: { sequential: LatencyFigures; puts: LatencyFigures }; commitP50VsPingPong: number; putP50VsPingPong: number };
  const failover = result.failover as Record<string, Record<string, { medianTimesThreshold: number | null }>>;
  return [
    {
      name: 'commits-cdf-shm',
      spec: latencyCdf({
        title: 'Mu on shm: leader-side commits, one at a time',
        seriesTitle: 'what',
        series: [...seriesOf('write verb (64 B)', shm.writeVerb), ...seriesOf('majority write (3, done at 2)', shm.majorityWrite), ...seriesOf('Mu commit', shm.mu.sequential), ...seriesOf('Multi-Paxos commit', shm.multiPaxos.sequential)],
      }),
    },
    {
      name: 'commits-cdf-tcp',
      spec: latencyCdf({
        title: 'Mu on tcp (co-located memories): commits and client puts',
        seriesTitle: 'what',
        series: [...seriesOf('TCP ping-pong (64 B)', tcp.pingPong), ...seriesOf('Mu commit', tcp.mu.sequential), ...seriesOf('client put (p1 -> p0)', tcp.mu.puts)],
      }),
    },
    {
      name: 'ratios',
      spec: ratioBars({
        title: 'Mu against its baselines (p50, same run)',
        baseline: 'the baseline named in each bar',
        groupTitle: 'backend',
        bars: [
          { name: 'shm: Mu commit / write verb', ratio: shm.commitP50VsWriteVerb, group: 'shm' },
          { name: 'shm: Mu commit / majority write', ratio: shm.commitP50VsMajorityWrite, group: 'shm' },
          { name: 'shm: Multi-Paxos commit / Mu commit', ratio: shm.multiPaxosP50VsMu, group: 'shm' },
          { name: 'tcp: Mu commit / ping-pong', ratio: tcp.commitP50VsPingPong, group: 'tcp' },
          { name: 'tcp: client put / ping-pong', ratio: tcp.putP50VsPingPong, group: 'tcp' },
          ...Object.entries(failover).flatMap(([backend, pair]) => Object.entries(pair).map(([detector, figures]) => ({ name: `${backend}: fail-over (${detector} detector) / threshold`, ratio: figures.medianTimesThreshold, group: backend }))),
        ],
      }),
    },
  ];
}
