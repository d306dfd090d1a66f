import type { TopLevelSpec } from 'vega-lite';
import { vegaTextWidth } from './textWidth.js';

/**
 * Thrown when the charting libraries (vega, vega-lite: optional
 * dependencies, installed by default) are absent: the bench then writes its
 * JSON and says the charts were skipped, instead of failing its run.
 */
export class ChartsUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the charts need the optional dependencies vega and vega-lite (npm install vega vega-lite): ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`);
    this.name = 'ChartsUnavailable';
  }
}

/** Vega's text-measuring hook (exported by vega, absent from its typings). */
type TextMetrics = { width: (item: object, text?: unknown) => number };

/**
 * The libraries, loaded on first use: `mnm` starts (and a library user
 * imports mnm) without them, and a package installed without its optional
 * dependencies still runs everything but the charts.
 */
async function libraries() {
  try {
    const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
    return { vega, vegaLite };
  } catch (error) {
    throw new ChartsUnavailable(error);
  }
}

/**
 * A Vega-Lite spec drawn as SVG text, headless: Vega's `none` renderer
 * builds the scene graph without a browser or a canvas, and `toSVG` writes
 * it out. Without the `canvas` package (not a dependency) text is
 * measured by a table of sans-serif widths (textWidth.ts): a viewer's font
 * may differ by a few percent, so labels may sit a little off, never missing.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, vegaLite } = await libraries();
  (vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = vegaTextWidth;
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
