import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every import specifier of the .ts/.tsx files under `dir`. */
function importsUnder(dir: string): Array<{ file: string; from: string }> {
  const out: Array<{ file: string; from: string }> = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\.tsx?$/.test(name)) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*import[^'"]*['"]([^'"]+)['"]/g)) out.push({ file: name, from: m[1] });
  }
  return out;
}

describe('the app shell and the shared widgets', () => {
  it('src/ui (shared widgets) imports no panel and nothing of the shell', () => {
    const bad = importsUnder('src/ui').filter((i) => /(^|\/)(panels|app)\//.test(i.from));
    expect(bad).toEqual([]);
  });
  it('the engine imports nothing of the page (no React, store, ui, panels or shell)', () => {
    const bad = importsUnder('src/engine/experiment').filter((i) => /^react|\/(store|ui|panels|app)\//.test(i.from));
    expect(bad).toEqual([]);
  });
});
