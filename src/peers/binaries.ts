import { spawnSync } from 'node:child_process';

/**
 * Where an external server binary is, or why it is not there: the peers are
 * Debian packages the README asks for (`apt-get install etcd-server
 * redis-server`); this toolkit installs nothing itself.
 */
export interface Binary {
  readonly path: string | undefined;
  /** One line naming the package, when `path` is undefined. */
  readonly missing: string | undefined;
}

export function findBinary(name: string, debianPackage: string): Binary {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.status === 0 ? found.stdout.trim() : '';
  if (path !== '') return { path, missing: undefined };
  return { path: undefined, missing: `${debianPackage} not installed: no '${name}' on PATH (apt-get install ${debianPackage})` };
}

export const etcdBinary = (): Binary => findBinary('etcd', 'etcd-server');
export const redisBinary = (): Binary => findBinary('redis-server', 'redis-server');

/** The version a server binary reports (`etcd --version`: "etcd Version: 3.4.23"; `redis-server --version`: "… v=7.0.15 …"), or undefined. */
export function binaryVersion(binary: Binary): string | undefined {
  if (binary.path === undefined) return undefined;
  const found = spawnSync(binary.path, ['--version'], { encoding: 'utf8' });
  const text = `${found.stdout ?? ''}${found.stderr ?? ''}`;
  return /etcd Version:\s*(\S+)/.exec(text)?.[1] ?? /\bv=(\S+)/.exec(text)?.[1];
}
