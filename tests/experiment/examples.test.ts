import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../src/app/examples';
import { decodeHash } from '../../src/store/url';
import { parseExperiment } from '../../src/engine/experiment/codec';
import { sha256Hex } from '../../src/engine/data/sha256';

describe('the start page’s examples', () => {
  it('are links the codec reads without a problem, each to its panel', () => {
    for (const ex of EXAMPLES) {
      const { state, problems } = decodeHash(ex.hash);
      expect(problems, ex.id).toEqual([]);
      expect(state.panel).toBe(ex.panel);
    }
  });
  it('ship their experiment files, which open and name the built-in model by its real sha256', () => {
    for (const ex of EXAMPLES) {
      const exp = decodeHash(ex.hash).state.exp;
      if (exp === undefined) continue;
      const opened = parseExperiment(readFileSync(`public/${exp}`, 'utf8'));
      expect(decodeHash(opened.file.link).problems).toEqual([]);
      const builtin = opened.file.model.builtin!;
      expect(opened.file.model.sha256).toBe(sha256Hex(new Uint8Array(readFileSync(`models/${builtin}.onnx`))));
      expect(opened.images.length).toBeGreaterThan(0);
    }
  });
});
