import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** A file the console serves from its own origin (intranets have no CDN): kept in memory, with its gzip. */
export interface Asset {
  name: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  hash: string;
}

const SOURCES: Record<string, { path: () => string; type: string }> = {
  'htmx.min.js': { path: () => require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  // The "simple" build (bar, line, pie): 169 KB gzipped, against 240 KB for the common one.
  'echarts.min.js': { path: () => require.resolve('echarts/dist/echarts.simple.min.js'), type: 'text/javascript; charset=utf-8' },
  'console.css': { path: () => join(__dirname, 'static', 'console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { path: () => join(__dirname, 'static', 'console.js'), type: 'text/javascript; charset=utf-8' },
};

let loaded: Map<string, Asset> | null = null;

function assets(): Map<string, Asset> {
  if (!loaded) {
    loaded = new Map();
    for (const [name, source] of Object.entries(SOURCES)) {
      const body = readFileSync(source.path());
      loaded.set(name, {
        name,
        type: source.type,
        body,
        gzip: gzipSync(body, { level: 9 }),
        hash: createHash('sha256').update(body).digest('hex').slice(0, 12),
      });
    }
  }
  return loaded;
}

export const findAsset = (name: string): Asset | undefined => assets().get(name);

/** The URL of an asset with its content hash, so that it can be cached for a year and still change with a release. */
export function assetUrl(name: string): string {
  const asset = assets().get(name);
  if (!asset) throw new Error(`unknown console asset ${name}`);
  return `/assets/${asset.hash}/${name}`;
}

/** The gzipped bytes of the scripts a page loads, for the README's page-cost table and its test. */
export const scriptBytes = (names: string[]): number => names.reduce((n, name) => n + (assets().get(name)?.gzip.length ?? 0), 0);
