import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { TraceTextError } from '../trace/exports/traceText.js';
import { firstViewEvents, renderViewerPage } from './page.js';

const trace = '{"type":"header","version":1,"scenario":"s","seed":1,"backend":"sim","params":{},"processes":1,"memories":1,"latency":"unit","regions":[]}\n{"t":0,"type":"note","p":0,"kind":"x","detail":"</script><b>"}\n';

describe('viewer page', () => {
  it('embeds each trace (gzipped) with its check and report, and the script, in one page with no network', () => {
    const html = renderViewerPage('console.log("</script>")', [
      { name: 'a<b>.jsonl', text: trace, check: { verdict: 'linearizable' } },
      { name: 'b', text: trace },
    ]);
    const blocks = [...html.matchAll(/<script type="application\/gzip;base64" class="mnm-trace" id="mnm-trace-(\d)" data-name="([^"]*)">([^<]*)<\/script>/g)];
    assert.deepEqual(blocks.map((block) => [block[1], block[2]]), [['0', 'a&lt;b&gt;.jsonl'], ['1', 'b']]);
    const first = JSON.parse(gunzipSync(Buffer.from(blocks[0][3], 'base64')).toString('utf8'));
    assert.deepEqual(first.check, { verdict: 'linearizable' });
    assert.equal(first.events, 1);
    assert.equal(first.lines.length, 2);
    assert.equal(first.lines[1].detail, '</script><b>');
    assert.match(html, /"sideBySide":true/);
    assert.ok(!html.includes('console.log("</script>")'), 'the script cannot close its own tag');
    assert.ok(!/\b(src|href)=["']?https?:/.test(html), 'nothing is loaded from the network');
  });
  it('splits a long trace into its first events and the rest', () => {
    const long = trace + Array.from({ length: firstViewEvents + 5 }, (_, t) => `{"t":${t},"type":"note","p":0,"kind":"x"}`).join('\n');
    const html = renderViewerPage('', [{ name: 'long', text: long }]);
    const unpack = (id: string) => JSON.parse(gunzipSync(Buffer.from(new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)![1], 'base64')).toString('utf8'));
    const head = unpack('mnm-trace-0');
    const rest = unpack('mnm-trace-0-rest') as { t: number }[];
    assert.equal(head.events, firstViewEvents + 6);
    assert.equal(head.lines.length, 1 + firstViewEvents);
    assert.deepEqual(rest.map((event) => event.t), [firstViewEvents - 1, firstViewEvents, firstViewEvents + 1, firstViewEvents + 2, firstViewEvents + 3, firstViewEvents + 4]);
  });
  it('refuses a text that is not a trace, naming the line', () => {
    assert.throws(() => renderViewerPage('', [{ name: 'x', text: '{"type":"header","processes":1,"memories":1}\nnot json\n' }]), (error: unknown) => error instanceof TraceTextError && error.line === 2);
  });
});
