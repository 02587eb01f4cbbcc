/**
 * Description → attribute constraints → predicted scenes, and precision/recall against a formula:
 * no model needed. Positive scenes must satisfy a disjunct, neutral ones violate every named type.
 */
import { describe, expect, it } from 'vitest';
import { parseDescription } from '../../src/engine/agent/eval/description';
import { evaluateFormula, formulaAttributes, readSyntheticUnits, type Formula } from '../../src/engine/agent/eval/groundTruth';
import { attributePhrase } from '../../src/engine/agent/eval/phrases';
import { attributeMatch } from '../../src/engine/agent/eval/score';
import { predictedScenes } from '../../src/engine/agent/eval/stimuli';
import { render } from '../../src/engine/synth/render';
import { loadTestBanks } from '../synth/banks';

describe('parseDescription', () => {
  it.each([
    ['red items or bags', [['color:red'], ['class:bag']]],
    ['dotted items on foliage', [['texture:dots', 'background:foliage']]],
    ['striped dresses', [['class:dress', 'texture:stripes']]],
    ['items on foliage or flowers', [['background:foliage'], ['background:flowers']]],
    ['ankle boots', [['class:ankle-boot']]],
    ['t-shirts on a striped background', [['class:t-shirt', 'background:stripes']]],
    ['Red OR blue things', [['color:red'], ['color:blue']]],
  ])('%s', (text, disjuncts) => {
    expect(parseDescription(text).disjuncts).toEqual(disjuncts);
  });

  it('keeps the words it does not know, and understands nothing in gibberish', () => {
    const p = parseDescription('glorbs near the zax');
    expect(p.disjuncts).toEqual([]);
    expect(p.ignored).toContain('glorbs');
  });

  it('phrases attributes so that they parse back', () => {
    for (const attrs of [['color:red'], ['texture:checks', 'class:shirt'], ['class:bag', 'background:man-made'], ['background:water-sky'], ['color:yellow', 'texture:stripes']]) {
      expect(new Set(parseDescription(attributePhrase(attrs)).attributes)).toEqual(new Set(attrs));
    }
  });
});

describe('predictedScenes', () => {
  const banks = loadTestBanks();

  it('draws positives that satisfy a disjunct and neutrals that avoid every named value, deterministically', () => {
    const d = parseDescription('red items or dotted bags on foliage');
    expect(d.disjuncts).toEqual([['color:red'], ['class:bag', 'texture:dots', 'background:foliage']]);
    const { positive, neutral } = predictedScenes(d, banks, 10, 3);
    expect(positive).toHaveLength(10);
    expect(neutral).toHaveLength(10);
    positive.forEach((spec, i) => {
      const a = render(spec, banks).attributes;
      if (i % 2 === 0) expect(a.color).toBe('red');
      else expect([a.class, a.texture, a.background.kind]).toEqual(['bag', 'dots', 'foliage']);
    });
    for (const spec of neutral) {
      const a = render(spec, banks).attributes;
      expect(a.color).not.toBe('red');
      expect(a.class).not.toBe('bag');
      expect(a.texture).not.toBe('dots');
      expect(a.background.kind).not.toBe('foliage');
    }
    expect(predictedScenes(d, banks, 10, 3)).toEqual({ positive, neutral });
    expect(predictedScenes(d, banks, 10, 4).positive).not.toEqual(positive);
  });

  it('refuses a description with no attribute (bad-request)', () => {
    expect(() => predictedScenes(parseDescription('something odd'), banks)).toThrow(/names no class/);
  });
});

describe('ground truth', () => {
  it('attribute precision and recall', () => {
    expect(attributeMatch(['color:red', 'class:bag'], ['color:red', 'class:bag'])).toEqual({ precision: 1, recall: 1 });
    expect(attributeMatch(['color:red'], ['color:red', 'class:bag'])).toEqual({ precision: 1, recall: 0.5 });
    expect(attributeMatch(['color:red', 'texture:dots', 'class:shirt'], ['color:red', 'class:bag'])).toEqual({ precision: 1 / 3, recall: 0.5 });
    expect(attributeMatch([], ['color:red'])).toEqual({ precision: 0, recall: 0 });
  });

  it('evaluates OR as max, AND as min and "on" as a mask by the background maximum', () => {
    const maps: Record<string, number[]> = { 'color:red': [0.9, 0.1, 0.5, 0], 'class:bag': [0.2, 0.8, 0.6, 0], 'background:foliage': [0, 0, 0.1, 0.7] };
    const m = (a: string) => maps[a];
    const or: Formula = { op: 'or', args: [{ op: 'attr', attr: 'color:red' }, { op: 'attr', attr: 'class:bag' }] };
    const and: Formula = { op: 'and', args: [{ op: 'attr', attr: 'color:red' }, { op: 'attr', attr: 'class:bag' }] };
    const on: Formula = { op: 'on', item: { op: 'attr', attr: 'color:red' }, background: 'background:foliage' };
    expect(Array.from(evaluateFormula(or, m))).toEqual(Array.from(Float32Array.from([0.9, 0.8, 0.6, 0])));
    expect(Array.from(evaluateFormula(and, m))).toEqual(Array.from(Float32Array.from([0.2, 0.1, 0.5, 0])));
    expect(Array.from(evaluateFormula(on, m))).toEqual(Array.from(Float32Array.from([0.9 * 0.7, 0.1 * 0.7, 0.5 * 0.7, 0])));
    expect(formulaAttributes(on)).toEqual(['color:red', 'background:foliage']);
  });

  it('reads lab.syntheticUnits and rejects malformed formulas (bad-model)', () => {
    const units = [{ index: 0, kind: 'or', text: 'a', description: 'red items or bags', formula: { op: 'or', args: [{ op: 'attr', attr: 'color:red' }, { op: 'attr', attr: 'class:bag' }] } }];
    const ok = readSyntheticUnits({ 'lab.syntheticUnits': JSON.stringify({ version: 1, layer: 'units', attributes: ['color:red', 'class:bag'], units }) });
    expect(ok?.units[0].attributes).toEqual(['color:red', 'class:bag']);
    expect(readSyntheticUnits({})).toBeNull();
    const bad = [{ ...units[0], formula: { op: 'xor', args: [] } }];
    expect(() => readSyntheticUnits({ 'lab.syntheticUnits': JSON.stringify({ version: 1, layer: 'units', attributes: [], units: bad }) })).toThrow(/unknown op/);
    expect(() => readSyntheticUnits({ 'lab.syntheticUnits': '{' })).toThrow(/not JSON/);
  });
});
