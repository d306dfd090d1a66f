import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitReason, formatEndpoint } from './clusterStartup.js';

describe('cluster start-up handshake', () => {
  it('a node that exited by itself: its last logged line without the command and node prefixes, and its exit code', () => {
    const directory = mkdtempSync(join(tmpdir(), 'mnm-startup-'));
    try {
      const log = join(directory, 'm0.log');
      writeFileSync(log, 'something earlier\nmnm memory-node: m0: cannot listen on 127.0.0.1:7000: listen EADDRINUSE\n\n');
      assert.equal(exitReason('m0', 2, null, log), 'cannot listen on 127.0.0.1:7000: listen EADDRINUSE (exit 2)');
      // Another node's prefix is not stripped: it is part of what the node said.
      assert.equal(exitReason('m1', 2, null, log), 'm0: cannot listen on 127.0.0.1:7000: listen EADDRINUSE (exit 2)');
      writeFileSync(log, '');
      assert.equal(exitReason('m0', 1, null, log), 'exit 1');
      assert.equal(exitReason('m0', 1, null, join(directory, 'missing.log')), 'exit 1');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a node killed by a signal: the signal is the reason, not its last log line', () => {
    assert.equal(exitReason('p0', null, 'SIGKILL', '/nonexistent/p0.log'), 'killed by SIGKILL');
  });

  it('addresses print as HOST:PORT, IPv6 hosts in brackets (as the cluster file writes them)', () => {
    assert.equal(formatEndpoint({ host: '127.0.0.1', port: 7000 }), '127.0.0.1:7000');
    assert.equal(formatEndpoint({ host: '::1', port: 7000 }), '[::1]:7000');
  });
});
