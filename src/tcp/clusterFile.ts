import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { policies, type RegionSpec } from '../fabric/index.js';
import type { Endpoint } from './processHost.js';

/**
 * A cluster file (schema in docs/cluster.md): the processes with their
 * public keys and message addresses, the memory nodes with their addresses,
 * optionally the regions (else the protocol's own layout), the protocol run
 * the processes execute, and, for local clusters only, where the private
 * keys are.
 */
export interface ClusterConfig {
  readonly file: string;
  readonly processes: readonly { readonly publicKey: string; readonly address: Endpoint }[];
  /** `publicKey`: the memory node's own Ed25519 key, which it proves it holds (absent in old files: the node cannot prove who it is). */
  readonly memories: readonly { readonly address: Endpoint; readonly publicKey?: string }[];
  readonly regions?: readonly RegionSpec[];
  /** What the processes run: `mnm run` options (protocol, seed, ops, workload, …). */
  readonly run?: Readonly<Record<string, unknown>> & { readonly protocol: string };
  /** Absolute path of the private-key file (`{"p0": "<base64>", …}`), when given. */
  readonly keysFile?: string;
  /** Mutual TLS on every connection: absent means on unless every address is loopback (clusterSecurity.ts). */
  readonly tls?: boolean;
}

/** Parses `HOST:PORT` (IPv6 hosts in brackets). */
export function parseEndpoint(text: string, where: string): Endpoint {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) throw new Error(`${where}: address '${text}' is not HOST:PORT (e.g. 127.0.0.1:7000)`);
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list`);
  return value;
}

/** Reads and validates a cluster file; throws a one-line message naming the bad field. */
export function readClusterFile(path: string): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read cluster file '${path}': ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`cluster file '${path}' is not JSON: ${(error as Error).message}`);
  }
  return parseCluster(json, resolve(path));
}

export function parseCluster(json: unknown, file: string): ClusterConfig {
  const root = object(json, file);
  const processes = list(root.processes, `${file}: processes`).map((entry, index) => {
    const where = `${file}: processes[${index}]`;
    const fields = object(entry, where);
    if (fields.id !== `p${index}`) throw new Error(`${where}: id must be 'p${index}' (processes are listed in order), got ${JSON.stringify(fields.id)}`);
    if (typeof fields.publicKey !== 'string' || Buffer.from(fields.publicKey, 'base64').length !== 32) throw new Error(`${where}: publicKey must be the base64 of a raw 32-byte Ed25519 key`);
    if (typeof fields.address !== 'string') throw new Error(`${where}: address must be HOST:PORT`);
    return { publicKey: fields.publicKey, address: parseEndpoint(fields.address, where) };
  });
  if (processes.length === 0) throw new Error(`${file}: processes: at least one process is needed`);
  const memories = list(root.memories ?? [], `${file}: memories`).map((entry, index) => {
    const where = `${file}: memories[${index}]`;
    const fields = object(entry, where);
    if (fields.id !== `m${index}`) throw new Error(`${where}: id must be 'm${index}' (memories are listed in order), got ${JSON.stringify(fields.id)}`);
    if (typeof fields.address !== 'string') throw new Error(`${where}: address must be HOST:PORT`);
    if (fields.publicKey !== undefined && (typeof fields.publicKey !== 'string' || Buffer.from(fields.publicKey, 'base64').length !== 32)) throw new Error(`${where}: publicKey must be the base64 of a raw 32-byte Ed25519 key`);
    return { address: parseEndpoint(fields.address, where), ...(typeof fields.publicKey === 'string' ? { publicKey: fields.publicKey } : {}) };
  });
  let regions: RegionSpec[] | undefined;
  if (root.regions !== undefined) {
    regions = list(root.regions, `${file}: regions`).map((entry, index) => {
      const fields = object(entry, `${file}: regions[${index}]`);
      if (typeof fields.name !== 'string' || typeof fields.size !== 'number' || !policies.includes(fields.policy as never)) {
        throw new Error(`${file}: regions[${index}]: needs name (string), size (bytes) and policy (${policies.join(', ')})`);
      }
      return fields as unknown as RegionSpec;
    });
  }
  let run: ClusterConfig['run'];
  if (root.run !== undefined) {
    const fields = object(root.run, `${file}: run`);
    if (typeof fields.protocol !== 'string') throw new Error(`${file}: run.protocol must name a protocol`);
    run = fields as ClusterConfig['run'];
  }
  if (!regions && !run) throw new Error(`${file}: give regions, or a run whose protocol defines them`);
  if (root.keys !== undefined && typeof root.keys !== 'string') throw new Error(`${file}: keys must be a path to the private-key file`);
  if (root.tls !== undefined && typeof root.tls !== 'boolean') throw new Error(`${file}: tls must be true or false (absent: on unless every address is loopback)`);
  return {
    file,
    processes,
    memories,
    ...(regions ? { regions } : {}),
    ...(run ? { run } : {}),
    ...(typeof root.keys === 'string' ? { keysFile: resolve(dirname(file), root.keys) } : {}),
    ...(typeof root.tls === 'boolean' ? { tls: root.tls } : {}),
  };
}

/** Reads the private key of process `self` (a number) or of the node named `self` (`m0`, `p1`) from a key file (`{"p0": "<base64>", "m0": …}`). */
export function readPrivateKey(keysFile: string, self: number | string): string {
  let json: Record<string, unknown>;
  try {
    json = object(JSON.parse(readFileSync(keysFile, 'utf8')), keysFile);
  } catch (error) {
    throw new Error(`cannot read key file '${keysFile}': ${(error as Error).message}`);
  }
  const name = typeof self === 'number' ? `p${self}` : self;
  const key = json[name];
  if (typeof key !== 'string' || Buffer.from(key, 'base64').length !== 32) throw new Error(`key file '${keysFile}' has no base64 32-byte private key for ${name}`);
  return key;
}
