import { createPublicKey } from 'node:crypto';
import type { ClusterConfig } from './clusterFile.js';
import { privateKeyObject, rawPublicKey, type KeyPair } from './identity.js';
import { isLoopback } from './tlsCredentials.js';

/** How the nodes of one cluster protect their connections (docs/cluster.md, docs/wire.md). */
export interface ClusterSecurity {
  /** Mutual TLS on every connection. */
  readonly tls: boolean;
  /** Each memory node's public key, which it must prove it holds (undefined: an old file without it). */
  readonly memoryKeys: readonly (string | undefined)[];
}

/**
 * Decides a cluster's security from its file, or says in one line what the
 * file lacks. TLS is on when the file says `"tls": true`, and always when
 * an address is not loopback: frames that cross a network are sealed, and
 * `"tls": false` is refused there. TLS needs every memory node's public key
 * (each end pins the other's); an old file without them still runs on
 * loopback, where memory nodes are then trusted by name alone.
 */
export function clusterSecurity(cluster: ClusterConfig): ClusterSecurity {
  const addresses = [...cluster.processes.map((entry, index) => ({ node: `p${index}`, address: entry.address })), ...cluster.memories.map((entry, index) => ({ node: `m${index}`, address: entry.address }))];
  const remote = addresses.find((entry) => !isLoopback(entry.address.host));
  if (remote && cluster.tls === false) throw new Error(`${cluster.file}: "tls": false, but ${remote.node} is at ${remote.address.host}:${remote.address.port}, not loopback: frames between hosts must be sealed (remove "tls", or use loopback addresses only)`);
  const tls = cluster.tls ?? remote !== undefined;
  const memoryKeys = cluster.memories.map((entry) => entry.publicKey);
  if (tls) {
    const missing = memoryKeys.flatMap((key, memory) => (key === undefined ? [`m${memory}`] : []));
    const why = remote ? `${remote.node} is at ${remote.address.host}, not loopback, so tls is required` : `the file asks for tls`;
    if (missing.length > 0) throw new Error(`${cluster.file}: ${why}, and tls needs every memory node's key: ${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no "publicKey" (docs/cluster.md shows how to make a key pair)`);
  }
  return { tls, memoryKeys };
}

/** A node's key pair from the cluster file's public key and its private key, checked to belong together. */
export function nodeKeyPair(node: string, publicKey: string, privateKey: string): KeyPair {
  const pair = { publicKey, privateKey };
  const derived = rawPublicKey(createPublicKey(privateKeyObject(pair)));
  if (derived !== publicKey) throw new Error(`${node}: the private key given does not belong to ${node}'s publicKey in the cluster file`);
  return pair;
}
