/** Text → scene (the offline text2image). */
import { describe, expect, it } from 'vitest';
import { parseSceneText, render, sceneFromText } from '../../src/engine/synth';
import { loadTestBanks } from './banks';

const banks = loadTestBanks();

describe('parseSceneText', () => {
  it('reads class, colour, texture and background', () => {
    const p = parseSceneText('red striped sneaker on grass');
    expect(p.partial).toEqual({ color: 'red', texture: 'stripes', class: 'sneaker', background: 'foliage' });
    expect(p.ignored).toEqual([]);
  });

  it('handles multi-word names, synonyms, sizes, places and background colours', () => {
    expect(parseSceneText('a small grey polka-dot T shirt, top left, in front of the sea').partial).toEqual({
      scale: 0.5, color: 'gray', texture: 'dots', class: 't-shirt', background: 'water-sky',
    });
    expect(parseSceneText('small grey polka-dot T shirt, top left, on the sea').place).toEqual({ x: 'left', y: 'top' });
    const q = parseSceneText('purple checkered ankle boots against a blue background');
    expect(q.partial).toEqual({ color: 'purple', texture: 'checks', class: 'ankle-boot', background: 'solid' });
    expect(q.backgroundColor).toBe('blue');
    expect(parseSceneText('striped jacket, dotted background').partial).toEqual({ texture: 'stripes', class: 'coat', background: 'dots' });
    expect(parseSceneText('a bag in red').partial).toEqual({ class: 'bag', color: 'red' });
  });

  it('reports words it does not know instead of guessing', () => {
    const p = parseSceneText('a fluffy red hat on grass');
    expect(p.ignored).toEqual(['fluffy', 'hat']);
    expect(p.partial).toEqual({ color: 'red', background: 'foliage' });
  });
});

describe('sceneFromText', () => {
  it('renders what the text says; the attributes agree', () => {
    const { spec } = sceneFromText('red striped sneaker on grass', banks, 1);
    const { attributes } = render(spec, banks);
    expect(attributes).toMatchObject({ class: 'sneaker', color: 'red', texture: 'stripes', background: { kind: 'foliage', type: 'photo' } });
  });

  it('takes a partial spec (background as a word or a kind) and fills the rest from the seed', () => {
    const a = sceneFromText({ class: 'sneaker', color: 'red', texture: 'stripes', background: 'grass' }, banks, 4).spec;
    const b = sceneFromText('red striped sneaker on grass', banks, 4).spec;
    expect(a).toEqual(b);
    const c = sceneFromText({ class: 'bag', background: 'noise' }, banks, 4).spec;
    expect(c.class).toBe('bag');
    expect(c.background.kind).toBe('noise');
    expect(() => sceneFromText({ background: 'lava' }, banks, 0)).toThrow(/background/);
  });

  it('is deterministic in (text, seed) and varies with the seed', () => {
    const t = 'blue dotted bag on flowers';
    expect(sceneFromText(t, banks, 3).spec).toEqual(sceneFromText(t, banks, 3).spec);
    const specs = [0, 1, 2, 3, 4, 5].map((s) => JSON.stringify(sceneFromText(t, banks, s).spec));
    expect(new Set(specs).size).toBe(6);
  });

  it('changing one word changes one attribute (same seed: same item, place and photo)', () => {
    const a = sceneFromText('red sneaker on flowers', banks, 9).spec;
    const b = sceneFromText('blue sneaker on flowers', banks, 9).spec;
    expect({ ...b, color: 'red' }).toEqual(a);
  });

  it('places items by words and colours procedural backgrounds', () => {
    const { spec } = sceneFromText('large coat, bottom right, on a yellow background', banks, 2);
    const S = Math.round(spec.scale * 64);
    expect(spec.scale).toBe(0.9);
    expect(spec.position).toEqual([64 - S, 64 - S]);
    expect(spec.background).toEqual({ kind: 'solid', color: [240, 220, 30] });
    const photo = sceneFromText('pink dress on a photo background', banks, 2).spec;
    expect(photo.background.kind).toBe('photo');
  });
});
