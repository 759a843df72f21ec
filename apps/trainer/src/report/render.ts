import * as vega from 'vega';
import { compile } from 'vega-lite';
import sharp from 'sharp';
import type { ChartSpec } from './charts.ts';

/** Renders a vega-lite spec to SVG headlessly (no browser, no canvas). */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const compiled = compile(spec as unknown as Parameters<typeof compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG → PNG through sharp (librsvg). */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}
