import { describe, expect, it } from 'vitest';
import { decodeHash, encodeHash, isValidUrlState, DEFAULT_URL_STATE, FILTER_URL_KEYS, type UrlState } from '../../src/store/url';
import { PANELS } from '../../src/store/panels';
import { BACKEND_PREFERENCES } from '../../src/store/backendPreference';
import { FILTER_KEYS, FILTER_VALUES, type DatasetFilter } from '../../src/engine/data/datasets';
import { mulberry32, picker } from './prng';
import { BUILTIN_UPSCALERS, WEBCAM_SIZES } from '../../src/store/upscaleSlice';

/** Model-side fields of a state, with the dataset fields at their defaults. */
const noDataset = { dataset: null, filter: {}, datasetPage: 0, fvSeed: null, upscaler: null, upMode: 'image', upRes: '320x180' } as const;

const VALID_STATES: UrlState[] = [
  { ...DEFAULT_URL_STATE },
  { panel: 'exemplars', model: 'placeholder-fmnist', layer: '/layer1/conv1/Conv_output_0', unit: 12, backend: 'wasm', ...noDataset },
  { panel: 'circuits', model: 'https://huggingface.co/x/y/resolve/main/model.onnx?download=true', layer: 'relu', unit: 0, backend: 'webgpu', ...noDataset },
  { panel: 'agent', model: 'models/other.onnx', layer: 'a&b=c#d%e?f/g h+i', unit: null, backend: 'auto', ...noDataset },
  { panel: 'upscale', model: '//cdn.example.org/m.onnx', layer: 'слой🧠层', unit: 2147483647, backend: 'auto', ...noDataset },
  { panel: 'model', model: null, layer: 'x'.repeat(2048), unit: Number.MAX_SAFE_INTEGER, backend: 'wasm', ...noDataset },
  { panel: 'model', model: 'http://localhost:5173/' + 'é'.repeat(2000), layer: '🧠'.repeat(1024), unit: 3, backend: 'webgpu', ...noDataset },
  { ...DEFAULT_URL_STATE, dataset: 'scenes-test' },
  { ...DEFAULT_URL_STATE, dataset: 'scenes-test', filter: { class: 'sneaker', color: 'red' }, datasetPage: 2 },
  { ...DEFAULT_URL_STATE, filter: { class: 't-shirt', color: 'white', texture: 'checks', background: 'water-sky' }, datasetPage: 999_999 },
  { ...DEFAULT_URL_STATE, model: 'placeholder-fmnist', layer: 'l', unit: 1, dataset: 'scenes-test', filter: { background: 'man-made' } },
];

describe('URL codec', () => {
  it('decodes an empty or missing hash to the defaults without problems', () => {
    for (const h of ['', '#', '#/', undefined, null, 42]) {
      expect(decodeHash(h)).toEqual({ state: DEFAULT_URL_STATE, problems: [] });
    }
  });

  it('round-trips hand-written valid states', () => {
    for (const s of VALID_STATES) {
      expect(isValidUrlState(s)).toBe(true);
      const hash = encodeHash(s);
      expect(hash.startsWith(`#/${s.panel}?v=1`)).toBe(true);
      expect(decodeHash(hash)).toEqual({ state: s, problems: [] });
    }
  });

  it('round-trips random valid states', () => {
    const rand = mulberry32(7);
    const { int, pick, chance } = picker(rand);
    const alphabet = ['a', 'Z', '0', '.', '/', ':', '&', '=', '#', '?', '%', '+', ' ', 'é', '层', '🧠', '_', '-', "'", '"', '<', '>'];
    const text = (n: number) => Array.from({ length: n }, () => pick(alphabet)).join('');
    for (let i = 0; i < 500; i++) {
      const layer = chance(0.3) ? null : text(1 + int(40));
      const s: UrlState = {
        panel: pick(PANELS),
        model: chance(0.3) ? null : pick(['placeholder-fmnist', `https://h.example/${text(int(30))}`, `rel/${text(int(20))}.onnx`]),
        layer,
        unit: layer !== null && chance(0.6) ? int(100000) : null,
        backend: pick(BACKEND_PREFERENCES),
        dataset: chance(0.5) ? 'scenes-test' : null,
        filter: Object.fromEntries(FILTER_KEYS.filter(() => chance(0.4)).map((k) => [k, pick(FILTER_VALUES[k] as readonly string[])])) as DatasetFilter,
        datasetPage: chance(0.5) ? 0 : int(chance(0.5) ? 300 : 999_999),
        fvSeed: chance(0.7) ? null : pick([0, 1, int(1000), 2 ** 32 - 1]),
        upscaler: chance(0.6) ? null : pick(BUILTIN_UPSCALERS.map((u) => u.id)),
        upMode: pick(['image', 'webcam'] as const),
        upRes: pick(WEBCAM_SIZES),
      };
      if (s.model !== null && s.model.trim() !== s.model) s.model = s.model.trim() || null;
      expect(isValidUrlState(s), JSON.stringify(s)).toBe(true);
      expect(decodeHash(encodeHash(s))).toEqual({ state: s, problems: [] });
    }
  });

  it('round-trips the feature-visualisation seed (fvseed) and refuses bad seeds with a problem', () => {
    const s: UrlState = { ...DEFAULT_URL_STATE, panel: 'exemplars', model: 'placeholder-fmnist', layer: 'l', unit: 3, fvSeed: 42 };
    const hash = encodeHash(s);
    expect(hash).toContain('&fvseed=42');
    expect(decodeHash(hash)).toEqual({ state: s, problems: [] });
    expect(decodeHash('#/exemplars?v=1&fvseed=0').state.fvSeed).toBe(0);
    expect(encodeHash({ ...s, fvSeed: null })).not.toContain('fvseed');
    for (const bad of ['-1', '1.5', 'x', '4294967296', '99999999999999999999']) {
      const r = decodeHash(`#/exemplars?v=1&layer=l&unit=3&fvseed=${bad}`);
      expect(r.state.fvSeed).toBeNull();
      expect(r.state.unit).toBe(3);
      expect(r.problems).toEqual([expect.stringMatching(/feature-visualisation seed/)]);
    }
    expect(isValidUrlState({ ...s, fvSeed: -1 })).toBe(false);
    expect(isValidUrlState({ ...s, fvSeed: 0.5 })).toBe(false);
  });

  it('round-trips the Upscale panel’s upscaler, mode and webcam size, and refuses unknown ones with a problem', () => {
    const s: UrlState = { ...DEFAULT_URL_STATE, panel: 'upscale', upscaler: 'espcn', upMode: 'webcam', upRes: '640x360' };
    const hash = encodeHash(s);
    expect(hash).toBe('#/upscale?v=1&upscaler=espcn&upmode=webcam&upres=640x360');
    expect(decodeHash(hash)).toEqual({ state: s, problems: [] });
    expect(encodeHash({ ...DEFAULT_URL_STATE, panel: 'upscale' })).toBe('#/upscale?v=1');
    const r = decodeHash('#/upscale?v=1&upscaler=esrgan&upmode=video&upres=1920x1080');
    expect(r.state).toEqual({ ...DEFAULT_URL_STATE, panel: 'upscale' });
    expect(r.problems).toHaveLength(3);
    expect(r.problems.join(' ')).toMatch(/unknown upscaler “esrgan”.*unknown upscale mode “video”.*unknown webcam size “1920x1080”/);
    expect(isValidUrlState({ ...s, upRes: '1x1' as never })).toBe(false);
    expect(isValidUrlState({ ...s, upscaler: 'file:x.onnx' })).toBe(false);
  });

  it('ignores unknown keys silently', () => {
    const r = decodeHash('#/circuits?v=1&foo=bar&unit2=x&layer=l&zzz');
    expect(r.problems).toEqual([]);
    expect(r.state).toEqual({ ...DEFAULT_URL_STATE, panel: 'circuits', layer: 'l' });
  });

  it('accepts links without a version (older links)', () => {
    expect(decodeHash('#/model?layer=conv1&unit=4').state).toMatchObject({ layer: 'conv1', unit: 4 });
  });

  const hostile: Array<[string, RegExp, Partial<UrlState>?]> = [
    ['#/model?v=1&layer=l&unit=-1', /unit “-1”/],
    ['#/model?v=1&layer=l&unit=1.5', /unit “1.5”/],
    ['#/model?v=1&layer=l&unit=1e3', /unit/],
    ['#/model?v=1&layer=l&unit=99999999999999999999', /unit/],
    ['#/model?v=1&unit=3', /without a layer/],
    ['#/nope?v=1', /unknown panel “nope”/],
    ['#/model?v=2&layer=l', /version “2”/],
    ['#/model?v=1&backend=cuda', /unknown backend “cuda”/],
    ['#/model?v=1&model=javascript:alert(1)', /“javascript:” addresses are not allowed/],
    ['#/model?v=1&model=JavaScript%3Aalert(1)', /not allowed/],
    ['#/model?v=1&model=java%0Ascript%3Aalert(1)', /control characters/],
    ['#/model?v=1&model=data%3Atext%2Fhtml%2C%3Cscript%3E', /“data:”/],
    ['#/model?v=1&model=file%3A%2F%2F%2Fetc%2Fpasswd', /“file:”/],
    ['#/model?v=1&model=%20http%3A%2F%2Fx', /spaces/],
    ['#/model?v=1&layer=%E0%A4%A', /broken %-encoding/],
    ['#/model?v=1&layer=%', /broken %-encoding/],
    ['#/model?v=1&layer=%ED%A0%80', /broken %-encoding/],
    ['#/model?v=1&layer=a%00b', /control characters/],
    [`#/model?v=1&layer=${'x'.repeat(2049)}`, /longer than 2048/],
    [`#/model?v=1&model=${'x'.repeat(2049)}`, /longer than 2048/],
    [`#/model?v=1&layer=${'x'.repeat(70000)}`, /longer than/],
    ['#/%zz', /unknown panel/],
    ['#/model?%zz=1', /broken %-encoding/],
    ['#/model?v=1&dataset=imagenet', /unknown dataset “imagenet”/],
    ['#/model?v=1&dataset=Scenes-Test', /unknown dataset/],
    ['#/model?v=1&dataset=javascript%3Aalert(1)', /unknown dataset/],
    ['#/model?v=1&dataset=javascript%3Aalert(1).json', /dataset “javascript:alert\(1\)\.json”: “javascript:” addresses are not allowed/],
    ['#/model?v=1&dataset=file%3A%2F%2F%2Fetc%2Fm.json', /“file:”/],
    ['#/model?v=1&dataset=%20https%3A%2F%2Fx%2Fm.json', /spaces/],
    ['#/model?v=1&dataset=https%3A%2F%2Fx%2Fm%0A.json', /control characters/],
    [`#/model?v=1&dataset=https%3A%2F%2Fx%2F${'m'.repeat(2100)}.json`, /longer than 2048/],
    ['#/model?v=1&dclass=shoe', /unknown dataset class “shoe” \(use t-shirt, /],
    ['#/model?v=1&dclass=Sneaker', /unknown dataset class/],
    ['#/model?v=1&dclass=t-shirt%2Ftop', /unknown dataset class/],
    ['#/model?v=1&dcolor=teal', /unknown dataset color “teal”/],
    ['#/model?v=1&dcolor=%00red', /unknown dataset color/],
    ['#/model?v=1&dtexture=plaid', /unknown dataset texture/],
    ['#/model?v=1&dbg=photo', /unknown dataset background “photo”/],
    ['#/model?v=1&dbg=%', /dbg has broken %-encoding/],
    ['#/model?v=1&dpage=0', /dataset page “0”/],
    ['#/model?v=1&dpage=-1', /dataset page/],
    ['#/model?v=1&dpage=2.5', /dataset page/],
    ['#/model?v=1&dpage=1e3', /dataset page/],
    ['#/model?v=1&dpage=1000001', /dataset page/],
    ['#/model?v=1&dpage=99999999999999999999', /dataset page/],
    [`#/model?v=1&dclass=${'a'.repeat(5000)}`, /unknown dataset class/],
  ];
  for (const [hash, problem] of hostile) {
    it(`falls back with a problem for ${hash.slice(0, 60)}`, () => {
      const r = decodeHash(hash);
      expect(r.problems.join(' | ')).toMatch(problem);
      expect(isValidUrlState(r.state)).toBe(true);
      // Problem strings stay short even for huge values.
      for (const p of r.problems) expect(p.length).toBeLessThan(300);
    });
  }

  it('reopens a manifest dataset by its address (absolute, or a relative .json path), round trip included', () => {
    for (const dataset of ['https://data.example/pets/manifest.json', 'http://127.0.0.1:8080/m?x=1', 'sets/pets.json']) {
      const r = decodeHash(`#/exemplars?v=1&dataset=${encodeURIComponent(dataset)}`);
      expect(r.problems).toEqual([]);
      expect(r.state.dataset).toBe(dataset);
      expect(isValidUrlState(r.state)).toBe(true);
      expect(decodeHash(encodeHash(r.state)).state).toEqual(r.state);
    }
  });

  it('reads the dataset, its filters and its page (1-based in the link)', () => {
    const r = decodeHash('#/model?v=1&dataset=scenes-test&dclass=sneaker&dcolor=red&dtexture=dots&dbg=foliage&dpage=3');
    expect(r.problems).toEqual([]);
    expect(r.state).toEqual({
      ...DEFAULT_URL_STATE,
      dataset: 'scenes-test',
      filter: { class: 'sneaker', color: 'red', texture: 'dots', background: 'foliage' },
      datasetPage: 2,
    });
    expect(encodeHash(r.state)).toBe('#/model?v=1&dataset=scenes-test&dclass=sneaker&dcolor=red&dtexture=dots&dbg=foliage&dpage=3');
    // filters without a dataset apply to the default one; page 1 is not written
    expect(decodeHash('#/model?dcolor=red&dpage=1').state).toEqual({ ...DEFAULT_URL_STATE, filter: { color: 'red' } });
    expect(encodeHash({ ...DEFAULT_URL_STATE, filter: { color: 'red' } })).toBe('#/model?v=1&dcolor=red');
  });

  it('keeps the valid dataset filters of a partly broken link', () => {
    const r = decodeHash('#/model?v=1&dataset=mnist&dclass=bag&dcolor=teal&dbg=noise&dpage=x');
    expect(r.state).toEqual({ ...DEFAULT_URL_STATE, filter: { class: 'bag', background: 'noise' } });
    expect(r.problems).toHaveLength(3);
  });

  it('isValidUrlState refuses states the decoder cannot produce', () => {
    const bad: Array<Partial<UrlState>> = [
      { dataset: 'mnist' },
      { dataset: '' },
      { filter: { class: 'shoe' } as unknown as DatasetFilter },
      { filter: { size: 'big' } as unknown as DatasetFilter },
      { filter: null as unknown as DatasetFilter },
      { datasetPage: -1 },
      { datasetPage: 1.5 },
      { datasetPage: 1_000_000 },
    ];
    for (const b of bad) expect(isValidUrlState({ ...DEFAULT_URL_STATE, ...b }), JSON.stringify(b)).toBe(false);
  });

  it('keeps the valid parts of a partly broken link', () => {
    const r = decodeHash('#/exemplars?v=1&layer=conv1&unit=-2&backend=wasm&model=javascript%3Ax');
    expect(r.state).toEqual({ ...DEFAULT_URL_STATE, panel: 'exemplars', layer: 'conv1', backend: 'wasm' });
    expect(r.problems).toHaveLength(2);
  });

  it('FUZZ: 5000 random and hostile hashes never throw, always give a valid state, and re-encode stably', () => {
    const rand = mulberry32(0xc0ffee);
    const { int, pick, chance } = picker(rand);
    const keys = [
      'v', 'model', 'layer', 'unit', 'backend', 'junk', '', '%', '%zz', 'mo%64el', 'v%3D1', '&', '=', 'UNIT', '🧠',
      'dataset', 'dclass', 'dcolor', 'dtexture', 'dbg', 'dpage', 'DCLASS', 'd%63lass', 'dataset%00', 'fvseed',
      'upscaler', 'upmode', 'upres',
    ];
    const values = [
      '1', '2', '0', '-1', '1.5', '+3', ' 3', '0x10', '1e2', '99999999999999999999', 'NaN',
      'auto', 'wasm', 'webgpu', 'WASM', 'cuda',
      'placeholder-fmnist', 'https://x.org/m.onnx', 'http://127.0.0.1:8080/a b.onnx', '//evil/x.onnx', 'models/a.onnx',
      'javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'javascript%3Aalert(1)', 'java%0Ascript:alert(1)', 'java\tscript:x',
      ' javascript:x', 'data:text/html,<script>', 'vbscript:x', 'blob:http://x/1', 'file:///etc/passwd',
      '%', '%%', '%2', '%zz', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%F0%9F%A7%A0', '%00', '%0A', '%7F', '%C2%85',
      '层', '🧠', '\uD800', '\uDC00x', 'a\u0000b', '\u202Eevil', 'é', '<img src=x onerror=alert(1)>', "'\"",
      '#', '?', '&', '=', '/', '\\', '\\\\evil\\x',
      'scenes-test', 'scenes-test ', 'SCENES-TEST', 'scenes-train', ...FILTER_KEYS.flatMap((k) => FILTER_VALUES[k] as readonly string[]),
      't-shirt%2Ftop', 'Sneaker', 'red%00', 'water sky', 'photo', '1000000', '1000001', '999999',
      'fredsr', 'espcn', 'FREDSR', 'image', 'webcam', '640x360', '320x180', '640X360',
    ];
    // Well-formed dataset pairs, so the fuzz also reaches the valid dataset states.
    const datasetPairs = [
      'dataset=scenes-test', 'dpage=1', 'dpage=7', 'dpage=1000000',
      ...FILTER_KEYS.flatMap((k) => (FILTER_VALUES[k] as readonly string[]).map((v) => `${FILTER_URL_KEYS[k]}=${v}`)),
    ];
    const panels = [...PANELS, '', 'nope', '%', '%zz', 'model/', 'MODEL', '../../etc', '🧠', 'agent%2F', 'javascript:x'];
    const junkChars = ['%', '&', '=', '?', '#', '/', 'a', '1', '-', '🧠', '\uD800', ' ', '+', '\u0000', 'é'];
    const randomValue = (): string => {
      const r = rand();
      if (r < 0.6) return pick(values);
      if (r < 0.75) return Array.from({ length: int(12) }, () => pick(junkChars)).join('');
      if (r < 0.85) return pick(values) + pick(values);
      if (r < 0.95) return encodeURIComponent(pick(values).replace(/[\uD800-\uDFFF]/g, 'x'));
      return pick(['x', '%41', '🧠', '%']).repeat(int(2) ? 700 + int(2000) : 20000 + int(60000));
    };
    let withProblems = 0;
    let withDataset = 0;
    for (let i = 0; i < 5000; i++) {
      let hash = pick(['#', '', '#/', '##', '#//', '#?']) + pick(panels);
      if (chance(0.9)) {
        const pairs = Array.from({ length: int(8) }, () => {
          if (chance(0.25)) return pick(datasetPairs);
          const key = pick(keys);
          return chance(0.1) ? key : `${key}=${randomValue()}`;
        });
        hash += pick(['?', '?', '??', '&', '/?']) + pairs.join(pick(['&', '&', '&&', ';']));
      }
      if (chance(0.05)) hash = Array.from({ length: int(200) }, () => pick(junkChars)).join('');

      let result: ReturnType<typeof decodeHash>;
      expect(() => (result = decodeHash(hash)), hash.slice(0, 200)).not.toThrow();
      const { state, problems } = result!;
      if (problems.length) withProblems++;
      expect(isValidUrlState(state), JSON.stringify(state).slice(0, 300)).toBe(true);
      expect(state.model === null || !/^\s*[a-z]*script:/i.test(state.model)).toBe(true);
      if (state.dataset !== null || Object.keys(state.filter).length > 0 || state.datasetPage > 0) withDataset++;
      let again: string;
      expect(() => (again = encodeHash(state))).not.toThrow();
      expect(decodeHash(again!)).toEqual({ state, problems: [] });
    }
    // The generator really exercises the fallbacks.
    expect(withProblems).toBeGreaterThan(1000);
    expect(withDataset).toBeGreaterThan(500);
  });
});
