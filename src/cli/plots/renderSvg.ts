import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * A Vega-Lite spec drawn as SVG text, headless: Vega's `none` renderer
 * builds the scene graph without a browser or a canvas, and `toSVG` writes
 * it out. Text is measured by Vega's own estimate when the `canvas` package
 * is absent (it is not a dependency), so labels may sit a pixel off, never
 * missing.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
