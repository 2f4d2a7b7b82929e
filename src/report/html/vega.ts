import { pathToFileURL } from 'node:url';
import type { ChartSpec } from './charts';

/**
 * Renders Vega-Lite specs to static SVG strings in Node, headless (no canvas, no DOM).
 *
 * vega and vega-lite are ES modules with top-level await, which CommonJS cannot require();
 * TypeScript would compile a plain `import()` to require(), so the import is hidden from it.
 */
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

interface VegaModules {
  vega: {
    parse(spec: unknown, config?: unknown): unknown;
    View: new (
      runtime: unknown,
      options: { renderer: 'none'; loader?: unknown },
    ) => { toSVG(): Promise<string>; finalize(): void };
    loader(options?: unknown): { load: unknown; sanitize: unknown };
  };
  vegaLite: { compile(spec: unknown): { spec: unknown } };
}

let modules: Promise<VegaModules> | null = null;

function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([
    importModule(pathToFileURL(require.resolve('vega')).href),
    importModule(pathToFileURL(require.resolve('vega-lite')).href),
  ]).then(([vega, vegaLite]) => ({ vega: vega as VegaModules['vega'], vegaLite: vegaLite as VegaModules['vegaLite'] }));
  return modules;
}

const config = {
  background: 'white',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
  view: { stroke: null },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', titleColor: '#455a64' },
  title: { fontSize: 13, fontWeight: 600 },
  legend: { labelFontSize: 10 },
};

/** A loader that refuses every URL: a report renders from inline data or not at all. */
function offlineLoader(vega: VegaModules['vega']) {
  const refuse = async (uri: string) => {
    throw new Error(`chart tried to load ${uri}; report charts use inline data only`);
  };
  return { ...vega.loader(), load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

export async function renderSvg(spec: ChartSpec): Promise<string> {
  const { vega, vegaLite } = await loadVega();
  const compiled = vegaLite.compile({ config, ...spec }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: offlineLoader(vega) });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
