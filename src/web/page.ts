import { gzipSync } from 'node:zlib';
import { parseTraceText } from '../trace/exports/traceText.js';
import type { CheckResult } from './checkResult.js';
import type { RunReportInput } from './viewModel.js';

/** One trace for the page: its name in the picker, its text (JSON lines), and what was found about it. */
export interface PageTrace {
  readonly name: string;
  readonly text: string;
  /** `mnm check TRACE --json` of this trace. */
  readonly check?: CheckResult;
  /** `mnm run --json` of the run that wrote it (its violations are linked to the trace). */
  readonly report?: RunReportInput;
}

/** How the page opens. */
export interface PageOptions {
  readonly title?: string;
  /** Show the first two traces side by side when the page opens (default: when there are exactly two). */
  readonly sideBySide?: boolean;
}

/**
 * The viewer page: one self-contained HTML file (no network) holding the
 * bundled viewer script and the traces. Each trace is checked to be one
 * (parseTraceText throws a TraceTextError naming the line) and embedded,
 * gzipped, as a JSON array of its lines (header first) with its check result
 * and run report, in two blocks (the first `firstViewEvents` events, then the
 * rest); the browser unpacks a trace when it is first shown.
 */
export function renderViewerPage(script: string, traces: readonly PageTrace[], options: PageOptions = {}): string {
  if (traces.length === 0) throw new Error('a viewer page needs at least one trace');
  const blocks = traces.map((trace, index) => {
    parseTraceText(trace.text);
    const lines = trace.text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    // The header and the first events come in one block, the rest in another: the page draws its first view from
    // the first block while it unpacks the rest, so a long trace's first view does not wait for all of it.
    const head = lines.slice(0, 1 + firstViewEvents);
    const rest = lines.slice(1 + firstViewEvents);
    const headJson = `{"check":${JSON.stringify(trace.check ?? null)},"report":${JSON.stringify(trace.report ?? null)},"events":${lines.length - 1},"lines":[${head.join(',')}]}`;
    const name = escapeHtml(trace.name);
    return (
      `<script type="application/gzip;base64" class="mnm-trace" id="mnm-trace-${index}" data-name="${name}">${pack(headJson)}</script>` +
      (rest.length > 0 ? `\n<script type="application/gzip;base64" class="mnm-trace-rest" id="mnm-trace-${index}-rest">${pack(`[${rest.join(',')}]`)}</script>` : '')
    );
  });
  const settings = `{"sideBySide":${JSON.stringify(options.sideBySide ?? traces.length === 2)}}`;
  const title = options.title ?? `mnm view: ${traces.map((trace) => trace.name).join(', ')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${pageStyle}</style>
</head>
<body>
<header id="mnm-toolbar">
  <strong>mnm view</strong>
  <label>trace <select id="mnm-trace-a" data-testid="trace-a"></select></label>
  <label>beside it <select id="mnm-trace-b" data-testid="trace-b"></select></label>
  <button id="mnm-fit" title="show the whole trace (f)">fit</button>
  <button id="mnm-zoom-in" title="zoom in (+, or the wheel)">+</button>
  <button id="mnm-zoom-out" title="zoom out (-)">−</button>
  <button id="mnm-step-back" title="previous event time (←)">◀</button>
  <input id="mnm-scrub" type="range" min="0" max="1000" value="1000" title="scrub through time">
  <button id="mnm-step" title="next event time (→)">▶</button>
  <span id="mnm-cursor"></span>
</header>
<div id="mnm-filters"></div>
<main id="mnm-panes"></main>
<aside id="mnm-details"></aside>
<div id="mnm-tooltip" hidden></div>
<script id="mnm-settings" type="application/json">${settings.replace(/</g, '\\u003c')}</script>
${blocks.join('\n')}
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body>
</html>
`;
}

/** Events in a trace's first block (what the first view of a long trace is drawn from). */
export const firstViewEvents = 2000;

/** Gzipped and base64: a 100,000-event trace is ~10 MB of JSON but ~1 MB here; the browser unpacks it with DecompressionStream. */
function pack(json: string): string {
  return gzipSync(json).toString('base64');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const pageStyle = `
body { margin: 0; font: 13px system-ui, sans-serif; color: #222; background: #fafafa; }
#mnm-toolbar { display: flex; gap: 8px; align-items: center; padding: 6px 10px; background: #fff; border-bottom: 1px solid #ddd; position: sticky; top: 0; z-index: 2; flex-wrap: wrap; }
#mnm-scrub { width: 220px; }
#mnm-filters { padding: 4px 10px; background: #fff; border-bottom: 1px solid #eee; display: flex; gap: 14px; flex-wrap: wrap; }
#mnm-filters fieldset { border: none; padding: 0; margin: 0; display: flex; gap: 6px; align-items: center; }
#mnm-filters legend { float: left; font-weight: 600; margin-right: 4px; }
#mnm-panes { display: flex; gap: 6px; padding: 6px; align-items: flex-start; }
.mnm-pane { flex: 1 1 0; min-width: 0; background: #fff; border: 1px solid #ddd; }
.mnm-pane h2 { font-size: 13px; margin: 0; padding: 4px 8px; background: #f0f0f0; border-bottom: 1px solid #ddd; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.mnm-pane canvas { display: block; width: 100%; cursor: grab; }
#mnm-details { padding: 6px 12px 20px; white-space: pre-wrap; overflow-wrap: anywhere; }
#mnm-details h3 { margin: 8px 0 4px; font-size: 13px; }
#mnm-details li { cursor: pointer; }
#mnm-details .unplaced { color: #b00; font-weight: 600; }
#mnm-tooltip { position: fixed; pointer-events: none; background: #222; color: #fff; padding: 4px 8px; border-radius: 4px; max-width: 520px; font: 12px ui-monospace, monospace; z-index: 3; white-space: pre-wrap; }
.mnm-legend span { display: inline-block; margin-right: 10px; }
.mnm-legend i { display: inline-block; width: 14px; height: 3px; margin-right: 3px; vertical-align: middle; }
`;
