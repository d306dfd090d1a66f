import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { vegaTextWidth } from './textWidth.js';

/** Vega's text-measuring hook (exported by vega, absent from its typings). */
const { textMetrics } = vega as unknown as { textMetrics: { width: (item: object, text?: unknown) => number } };

/**
 * A Vega-Lite spec drawn as SVG text, headless: Vega's `none` renderer
 * builds the scene graph without a browser or a canvas, and `toSVG` writes
 * it out. Without the `canvas` package (not a dependency) text is
 * measured by a table of sans-serif widths (textWidth.ts): a viewer's font
 * may differ by a few percent, so labels may sit a little off, never missing.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  textMetrics.width = vegaTextWidth;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
