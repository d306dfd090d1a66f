import type { KeyObject } from 'node:crypto';
import { allows, checkAddress, decideRequest, getWord, initialAccess, initialHighestGranted, memoriesOf, setWord, toWord, validateRegionSpec, type Access, type MemoryId, type RegionSpec } from '../fabric/index.js';
import { AuthenticatedServer, type ServerLimits, type ServerSecurity, type Session } from './authenticatedServer.js';
import { decodeRequest, statusCodes, type Frame } from './wire.js';

export interface MemoryNodeOptions {
  readonly memory: MemoryId;
  readonly memoryCount: number;
  readonly processCount: number;
  /** Every region of the cluster, in the cluster file's order (the wire names regions by this index). */
  readonly regions: readonly RegionSpec[];
  /** Public key of each process (`keys[p]`). */
  readonly keys: readonly KeyObject[];
  readonly limits?: ServerLimits;
  /** This node's own key pair and whether it speaks mutual TLS (docs/wire.md); without a key it cannot prove who it is. */
  readonly security?: ServerSecurity;
}

interface Region {
  readonly spec: RegionSpec;
  /** `[spec]`, made once: what `checkAddress` looks at. */
  readonly specList: readonly RegionSpec[];
  readonly bytes: Uint8Array;
  access: Access[];
  /** The highest proposal granted (`ordered-exclusive-writer`); changed with the access list in one step of the single thread. */
  highestGranted: bigint;
}

/**
 * A memory node: a passive server holding this memory's regions, executing
 * one-sided verbs for authenticated processes and running no protocol code.
 *
 * It is single-threaded, so each verb is atomic as a whole (no tearing here,
 * which the contract allows) and a permission change is atomic with respect
 * to every verb: a write that arrives after a revoke is refused. Permissions
 * are decided by the shared rules of `fabric/permissions.ts`, for the
 * identity the connection proved — never for one a frame claims.
 */
export class MemoryNode {
  private readonly server: AuthenticatedServer;
  private readonly regions: (Region | undefined)[];
  /** Verbs executed, by outcome (for tests and logs). */
  readonly counters = { ok: 0, denied: 0, badAddress: 0, malformed: 0 };

  constructor(private readonly options: MemoryNodeOptions) {
    for (const spec of options.regions) validateRegionSpec(spec, options.processCount, options.memoryCount);
    this.regions = options.regions.map((spec) =>
      memoriesOf(spec, options.memoryCount).includes(options.memory) ? { spec, specList: [spec], bytes: new Uint8Array(spec.size), access: initialAccess(spec, options.processCount), highestGranted: initialHighestGranted } : undefined,
    );
    this.server = new AuthenticatedServer(`m${options.memory}`, options.keys, (session, frame) => this.execute(session, frame), options.limits, options.security);
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return this.server.listen(host, port);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  get connections(): number {
    return this.server.connections;
  }

  get connectionCounters(): Readonly<AuthenticatedServer['counters']> {
    return this.server.counters;
  }

  /** The highest proposal granted on a region (tests). */
  highestGranted(name: string): bigint | undefined {
    return this.regions.find((region) => region?.spec.name === name)?.highestGranted;
  }

  /** A copy of a region's bytes (tests). */
  snapshot(name: string): Uint8Array | undefined {
    return this.regions.find((region) => region?.spec.name === name)?.bytes.slice();
  }

  private execute(session: Session, frame: Frame): void {
    const request = decodeRequest(frame);
    if ('error' in request) {
      this.counters.malformed++;
      // An unknown verb in a well-formed frame leaves the stream intact: answer and go on.
      if (request.error === 'unknownVerb') return session.reply(frame.id, statusCodes.unknownVerb, Buffer.from(request.message));
      return session.reply(frame.id, statusCodes.malformed, Buffer.from(request.message));
    }
    const region = this.regions[request.region];
    const fail = (status: number, message: string) => {
      if (status === statusCodes.badAddress) this.counters.badAddress++;
      else this.counters.denied++;
      session.reply(frame.id, status, Buffer.from(message));
    };
    if (!region) {
      const spec = this.options.regions[request.region];
      return fail(statusCodes.badAddress, spec ? `${request.verb}: region '${spec.name}' is not on memory m${this.options.memory}` : `${request.verb}: no region #${request.region} (regions #0..#${this.options.regions.length - 1})`);
    }
    const address = { memory: this.options.memory, region: region.spec.name, offset: request.verb === 'permission' ? 0 : request.offset };
    const length = request.verb === 'read' ? request.length : request.verb === 'write' ? request.data.length : request.verb === 'permission' ? 0 : 8;
    try {
      // The region is known by index already: check against its spec alone, not a scan of every region by name.
      checkAddress(region.specList, this.options.memoryCount, address, length, request.verb === 'permission' ? 'requestPermission' : request.verb, request.verb === 'cas' || request.verb === 'faa');
    } catch (error) {
      return fail(statusCodes.badAddress, error instanceof Error ? error.message : String(error));
    }
    const held = region.access[session.process] ?? 'none';
    switch (request.verb) {
      case 'read':
        if (!allows(held, 'read')) return fail(statusCodes.permissionDenied, `read needs read access, held: ${held}`);
        this.counters.ok++;
        return session.reply(frame.id, statusCodes.ok, region.bytes.subarray(request.offset, request.offset + request.length));
      case 'write':
        if (!allows(held, 'read-write')) return fail(statusCodes.permissionDenied, `write needs read-write access, held: ${held}`);
        region.bytes.set(request.data, request.offset);
        this.counters.ok++;
        return session.reply(frame.id, statusCodes.ok);
      case 'cas':
      case 'faa': {
        if (!allows(held, 'read-write')) return fail(statusCodes.permissionDenied, `${request.verb} needs read-write access, held: ${held}`);
        const previous = getWord(region.bytes, request.offset);
        if (request.verb === 'cas') {
          if (previous === toWord(request.expected)) setWord(region.bytes, request.offset, request.desired);
        } else setWord(region.bytes, request.offset, previous + request.delta);
        const reply = Buffer.allocUnsafe(8);
        reply.writeBigUInt64LE(previous, 0);
        this.counters.ok++;
        return session.reply(frame.id, statusCodes.ok, reply);
      }
      case 'permission': {
        const decision = decideRequest(region.spec, region.access, session.process, request.access, request.proposal, region.highestGranted);
        if (!decision.granted) return fail(statusCodes.permissionDenied, decision.reason);
        region.access = decision.access;
        region.highestGranted = decision.highestGranted;
        this.counters.ok++;
        return session.reply(frame.id, statusCodes.ok);
      }
    }
  }
}
