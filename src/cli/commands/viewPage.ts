import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckResult } from '../../web/checkResult.js';
import { renderViewerPage, type PageTrace } from '../../web/page.js';
import type { RunReportInput } from '../../web/viewModel.js';

/**
 * Writes viewer pages (docs/viewer.md) for `mnm view` and for the tour: one
 * self-contained HTML file with the bundled viewer script (dist/web/viewer.js,
 * built by scripts/bundle-viewer.js) and any number of named traces, picked
 * in the page, two at a time side by side.
 */

/** A trace for the page: by path or by text, with what was found about it. */
export interface ViewerTraceSource {
  readonly name: string;
  readonly path?: string;
  readonly text?: string;
  readonly check?: CheckResult;
  readonly report?: RunReportInput;
}

export interface ViewerPageRequest {
  readonly traces: readonly ViewerTraceSource[];
  /** Where to write the page. */
  readonly out: string;
  readonly title?: string;
  /** Open with the first two traces side by side (default: when there are exactly two). */
  readonly sideBySide?: boolean;
}

/** The bundled viewer script; a missing bundle means the build did not run. */
export function viewerScript(): string {
  const path = fileURLToPath(new URL('../../web/viewer.js', import.meta.url));
  if (!existsSync(path)) throw new Error(`the viewer's bundle ${path} is missing: run 'npm run build'`);
  return readFileSync(path, 'utf8');
}

/** The page's HTML for these traces (a trace's text is read from its path when no text is given). */
export function viewerPageHtml(request: Omit<ViewerPageRequest, 'out'>): string {
  const traces: PageTrace[] = request.traces.map((trace) => ({
    name: trace.name,
    text: trace.text ?? readFileSync(trace.path ?? '', 'utf8'),
    check: trace.check,
    report: trace.report,
  }));
  return renderViewerPage(viewerScript(), traces, { title: request.title, sideBySide: request.sideBySide });
}

/** Writes the page and returns its absolute path. A trace that is not one throws TraceTextError (naming the line). */
export function writeViewerPage(request: ViewerPageRequest): string {
  const html = viewerPageHtml(request);
  const out = resolve(request.out);
  writeFileSync(out, html);
  return out;
}

/** Serves one page at / on 127.0.0.1 (port 0 picks a free port); resolves with its URL and the server to close. */
export async function serveViewerPage(html: string, port = 0): Promise<{ readonly url: string; readonly server: Server }> {
  const server = createServer((request, response) => {
    if (request.url !== '/' && request.url !== '/index.html') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the viewer is at /\n');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolveListening, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListening());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return { url: `http://127.0.0.1:${boundPort}/`, server };
}
