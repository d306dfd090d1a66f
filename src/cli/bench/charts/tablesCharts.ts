import { ratioBars, tableBars, type Chart } from '../../plots/index.js';

type Row = Record<string, unknown>;

/** A consensus row's bar: the algorithm, and the case when it is not the stable leader's. */
function consensusName(row: Row): string {
  return row.case === 'stable-leader' ? String(row.algorithm) : `${String(row.algorithm)} (${String(row.case)})`;
}

/** Each row's delays over Paxos's at the same f (the message-passing baseline of the lecture's table). */
export function delaysOverPaxos(rows: readonly Row[]): { name: string; ratio: number | null; group: string }[] {
  return rows
    .filter((row) => row.algorithm !== 'paxos')
    .map((row) => {
      const paxos = rows.find((candidate) => candidate.algorithm === 'paxos' && candidate.case === 'stable-leader' && candidate.f === row.f);
      const ratio = typeof row.delays === 'number' && typeof paxos?.delays === 'number' && paxos.delays > 0 ? Math.round((row.delays / paxos.delays) * 100) / 100 : null;
      return { name: `${consensusName(row)}, f = ${String(row.f)}`, ratio, group: `f = ${String(row.f)}` };
    });
}

/** `mnm bench tables`: the consensus and broadcast tables as grouped bars (one colour per f, or per measure with a column per f). */
export function tablesCharts(result: Record<string, unknown>): Chart[] {
  const consensus = result.consensus as { rows: Row[]; logs?: Row[] };
  const broadcast = result.broadcast as { rows: Row[] };
  const decisions = consensus.rows;
  const logs = consensus.logs ?? [];
  const broadcastName = (row: Row) => `${String(row.algorithm)} ${String(row.path)}`;
  const rows = broadcast.rows;
  return [
    {
      name: 'consensus-delays',
      spec: tableBars({ title: 'Consensus: delays to decide (unit latency)', subtitle: 'mnm table consensus; single-decree, then the logs per commit', rows: [...decisions, ...logs], category: consensusName, categoryTitle: null, values: ['delays'], valueTitle: 'delays', series: 'f', seriesTitle: 'f' }),
    },
    {
      name: 'consensus-work',
      spec: tableBars({ title: 'Consensus: work per decision', subtitle: 'verbs, messages and permission requests (mnm table consensus)', rows: [...decisions, ...logs], category: consensusName, categoryTitle: null, values: ['verbs', 'messages', 'permissionRequests'], valueTitle: 'per decision', facet: 'f', facetTitle: 'f' }),
    },
    {
      name: 'consensus-sizes',
      spec: tableBars({ title: 'Consensus: processes and memories needed', subtitle: 'to tolerate f crashed processes (and f crashed memories where memories are used)', rows: decisions.filter((row) => row.case === 'stable-leader'), category: 'algorithm', categoryTitle: null, values: ['processes', 'memories'], valueTitle: 'count', facet: 'f', facetTitle: 'f' }),
    },
    {
      name: 'consensus-vs-paxos',
      spec: ratioBars({ title: 'Consensus: delays against Paxos at the same f', baseline: "Paxos's delays", groupTitle: 'f', bars: delaysOverPaxos(decisions) }),
    },
    {
      name: 'broadcast-delays',
      spec: tableBars({ title: 'Byzantine broadcast: delays to deliver (unit latency)', subtitle: 'mnm table broadcast; slow path: one silent replicator (CB and RB, n = 2f+1); Bracha n = 3f+1', rows, category: broadcastName, categoryTitle: null, values: ['delays'], valueTitle: 'delays (median over correct receivers)', series: 'f', seriesTitle: 'f' }),
    },
    {
      name: 'broadcast-signatures',
      spec: tableBars({ title: 'Byzantine broadcast: signatures per broadcast', subtitle: 'made and verified, summed over correct processes (mnm table broadcast)', rows, category: broadcastName, categoryTitle: null, values: ['signaturesMade', 'signaturesVerified'], valueTitle: 'signatures', facet: 'f', facetTitle: 'f' }),
    },
    ...bftCharts(result.bft as { rows: Row[] } | undefined),
  ];
}

/** `mnm table bft` as bars (when the run measured it): signatures and messages per decision, fast/slow/view change next to PBFT and Mu. */
function bftCharts(bft: { rows: Row[] } | undefined): Chart[] {
  if (!bft) return [];
  const name = (row: Row) => `${String(row.algorithm)} ${String(row.path)}`;
  return [
    {
      name: 'bft-signatures',
      spec: tableBars({ title: 'Byzantine consensus: replica signatures per decision', subtitle: 'made, verified, and made with the checkpoint amortized (mnm table bft; bft n = 2f+1, PBFT 3f+1)', rows: bft.rows.filter((row) => row.algorithm !== 'mu'), category: name, categoryTitle: null, values: ['signaturesMade', 'signaturesVerified', 'signaturesMadeAmortized'], valueTitle: 'signatures', facet: 'f', facetTitle: 'f' }),
    },
    {
      name: 'bft-messages',
      spec: tableBars({ title: 'Byzantine consensus: replica messages per decision', subtitle: 'mnm table bft; view change: its own cost beyond the slow path', rows: bft.rows, category: name, categoryTitle: null, values: ['messages'], valueTitle: 'messages', series: 'f', seriesTitle: 'f' }),
    },
  ];
}
