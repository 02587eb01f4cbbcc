/**
 * The offline agent: a deterministic planner over the same tools, written as a ChatClient so the
 * loop, events, transcript and panel treat it like any model. It reads its tools' structured
 * results (`data`) from the conversation and plans MAIA-style:
 *   1. dataset_exemplars → hypotheses from the attributes over-represented among them;
 *   2. summarize_images on the exemplars → where the highlighted region lies (item/background);
 *   3. per hypothesis, text2image of scenes with the attribute against controls that differ only
 *      in that attribute's value (same seed per sample, so the rest of each scene is shared);
 *   4. single-attribute edits to separate causes (both confirmed → remove each, then both);
 *   5. a conclusion: one attribute, A OR B, A AND B, or nothing clear — with the numbers.
 * Its reasoning is plain text with the same [HYPOTHESES] / [DESCRIPTION] / [LABEL] format.
 * No randomness: the same results give the same plan.
 */
import { BACKGROUND_KINDS, CLASSES, COLORS, TEXTURES } from '../../synth/vocabulary';
import type { ChatClient, ChatMessage, ChatReply, ChatRequest, ToolCall, ToolResult } from '../types';

type Key = 'class' | 'color' | 'texture' | 'background';

interface Hypothesis {
  key: Key;
  value: string;
  lift: number;
  count: number;
  /** After its text2image test. */
  test?: { mean: number; control: number; controls: string[]; /** Share of matched (same-sample) pairs the test scene wins. */ wins: number };
}

const VALUES: Record<Key, readonly string[]> = { class: CLASSES, color: COLORS, texture: TEXTURES, background: BACKGROUND_KINDS };
const TEXTURE_WORD: Record<string, string> = { plain: 'plain', stripes: 'striped', dots: 'dotted', checks: 'checked' };
const BACKGROUND_WORD: Record<string, string> = {
  foliage: 'grass', flowers: 'flowers', 'water-sky': 'sky', earth: 'rock', 'man-made': 'city',
  solid: 'a solid background', gradient: 'a gradient background', stripes: 'a striped background', dots: 'a dotted background', noise: 'a noisy background',
};

const BACKGROUND_READ: Record<string, string> = {
  foliage: 'grass', flowers: 'flower', 'water-sky': 'sky or water', earth: 'rock or sand', 'man-made': 'city or indoor',
  solid: 'solid', gradient: 'gradient', stripes: 'striped', dots: 'dotted', noise: 'noisy',
};

/** An attribute in words the scene generator reads. */
function phrase(h: Pick<Hypothesis, 'key' | 'value'>): string {
  if (h.key === 'texture') return TEXTURE_WORD[h.value] ?? h.value;
  if (h.key === 'background') return `on ${BACKGROUND_WORD[h.value] ?? h.value}`;
  return h.value;
}

/** A prompt with several attributes: item words first, then the background. */
function prompt(parts: Array<Pick<Hypothesis, 'key' | 'value'>>): string {
  const order: Key[] = ['color', 'texture', 'class'];
  const item = order.flatMap((k) => parts.filter((p) => p.key === k).map(phrase));
  const bg = parts.find((p) => p.key === 'background');
  return [...item, ...(bg ? [phrase(bg)] : [])].join(' ') || 'scene';
}

/** What a reader calls the attribute ("red items", "stripes", "pullovers", "grass backgrounds"). */
function readable(h: Pick<Hypothesis, 'key' | 'value'>): string {
  if (h.key === 'class') return h.value.endsWith('s') ? `${h.value}es` : `${h.value}s`;
  if (h.key === 'color') return `${h.value} items`;
  if (h.key === 'texture') return h.value === 'plain' ? 'plain (untextured) items' : `${TEXTURE_WORD[h.value]} items`;
  return `${BACKGROUND_READ[h.value] ?? h.value} backgrounds`;
}

/** The edit that takes the attribute away (to the first control value). */
function removal(h: Hypothesis): string {
  const to = h.test?.controls[0] ?? VALUES[h.key].find((v) => v !== h.value)!;
  if (h.key === 'color') return `make it ${to}`;
  if (h.key === 'texture') return to === 'plain' ? 'make it plain' : `make it ${TEXTURE_WORD[to]}`;
  if (h.key === 'class') return `make it a ${to}`;
  return `replace the background with ${BACKGROUND_WORD[to]}`;
}

const f = (v: number) => v.toFixed(2);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

interface Exemplar {
  image: string;
  masked: string;
  activation: number;
}

type Phase = 'start' | 'exemplars' | 'summary' | 'test' | 'combine' | 'edit' | 'done';

export interface OfflineOptions {
  /** Hypotheses tested at most (default 4). */
  maxHypotheses?: number;
  /** Samples per prompt in tests (default 6). */
  samples?: number;
}

export class OfflinePlanner implements ChatClient {
  readonly kind = 'offline' as const;
  private phase: Phase = 'start';
  private calls = 0;
  private hyps: Hypothesis[] = [];
  private testing = 0;
  private exemplars: Exemplar[] = [];
  private region = 'unknown';
  private pair: [Hypothesis, Hypothesis] | null = null;
  private combined: { ids: string[]; mean: number } | null = null;
  private edits: { a: number; b: number; none: number; base: number; labels: [string, string, string] } | null = null;
  private single: { before: number; after: number; instruction: string } | null = null;

  constructor(private readonly options: OfflineOptions = {}) {}

  async listModels(): Promise<string[]> {
    return ['offline-planner'];
  }

  private call(name: string, args: unknown): ToolCall {
    return { id: `offline-${++this.calls}`, name, arguments: JSON.stringify(args) };
  }

  async chat(req: ChatRequest): Promise<ChatReply> {
    const results = lastResults(req.messages);
    if (req.tools.length === 0 && this.phase !== 'done') return this.conclude('I was asked to conclude before my plan finished, so this rests on the tests so far.');
    const failed = results.find((r) => !r.ok);
    switch (this.phase) {
      case 'start':
        this.phase = 'exemplars';
        return this.reply('I begin with the images of the dataset that activate the unit most.', [this.call('dataset_exemplars', { k: 15 })]);
      case 'exemplars':
        return this.afterExemplars(results[0]);
      case 'summary':
        return this.afterSummary(results[0]);
      case 'test':
        return this.afterTest(results[0]);
      case 'combine':
        return this.afterCombine(results[0]);
      case 'edit':
        return this.afterEdit(results[0]);
      default:
        return this.conclude(failed ? `A tool failed: ${failed.text}` : '');
    }
  }

  private reply(text: string, toolCalls: ToolCall[]): ChatReply {
    const list = this.hyps.length ? `\n\n[HYPOTHESES]\n${this.hyps.map((h) => `- ${readable(h)} (${h.key} = ${h.value})${status(h)}`).join('\n')}` : '';
    return { text: `${text}${list}`, toolCalls, finish: toolCalls.length ? 'tool_calls' : 'stop' };
  }

  private afterExemplars(r: ToolResult | undefined): ChatReply {
    const data = r?.ok ? (r.data as { exemplars: Exemplar[]; associations: Array<{ key: Key; value: string; lift: number; count: number; z: number }> }) : null;
    if (!data) return this.conclude(`I could not read the exemplars (${r?.text ?? 'no result'}).`);
    this.exemplars = data.exemplars;
    const max = this.maxHyp;
    this.hyps = data.associations
      .filter((a) => a.lift >= 1.5 && a.count >= 3 && a.z >= 1.5)
      .slice(0, max)
      .map((a) => ({ key: a.key, value: a.value, lift: a.lift, count: a.count }));
    this.phase = 'summary';
    const top = this.exemplars[0]?.activation ?? 0;
    const seen = this.hyps.length
      ? `Over-represented among them: ${this.hyps.map((h) => `${h.value} (${h.count}/${this.exemplars.length}, lift ${h.lift.toFixed(1)})`).join(', ')}.`
      : 'No attribute stands out among them.';
    return this.reply(`The top exemplar reaches ${f(top)}. ${seen} Next I check where the highlighted regions lie.`, [
      this.call('summarize_images', { images: this.exemplars.slice(0, 10).map((e) => e.masked) }),
    ]);
  }

  private get maxHyp(): number {
    return this.options.maxHypotheses ?? 4;
  }

  private afterSummary(r: ToolResult | undefined): ChatReply {
    const facts = r?.ok ? ((r.data as { facts?: Array<{ region?: string }> }).facts ?? []) : [];
    const counts = new Map<string, number>();
    for (const x of facts) if (x.region) counts.set(x.region, (counts.get(x.region) ?? 0) + 1);
    const best = [...counts].sort((a, b) => b[1] - a[1])[0];
    this.region = best ? best[0] : 'unknown';
    const where = best ? `The highlighted region lies on the ${best[0]} in ${best[1]} of ${facts.length} exemplars.` : 'I could not tell where the regions lie.';
    return this.nextTest(where);
  }

  /** Controls: three other values of the same key (not themselves hypotheses), spread over the vocabulary. */
  private controls(h: Hypothesis): string[] {
    const all = VALUES[h.key];
    const taken = new Set(this.hyps.filter((o) => o.key === h.key).map((o) => o.value));
    const at = all.indexOf(h.value);
    const pool = [...all.slice(at + 1), ...all.slice(0, at)].filter((v) => !taken.has(v));
    const step = Math.max(1, Math.floor(pool.length / 3));
    return [0, step, 2 * step].map((i) => pool[i]).filter((v, i, xs) => v !== undefined && xs.indexOf(v) === i);
  }

  private nextTest(lead: string): ChatReply {
    const h = this.hyps[this.testing];
    if (!h) return this.separate(lead);
    this.phase = 'test';
    const controls = this.controls(h);
    h.test = { mean: NaN, control: NaN, controls, wins: 0 };
    const prompts = [prompt([h]), ...controls.map((v) => prompt([{ key: h.key, value: v }]))];
    return this.reply(`${lead} I test "${readable(h)}": scenes with it against scenes that differ only in the ${h.key} (${controls.join(', ')}).`, [
      this.call('text2image', { prompts, samples: this.options.samples ?? 6 }),
    ]);
  }

  private afterTest(r: ToolResult | undefined): ChatReply {
    const h = this.hyps[this.testing];
    const data = r?.ok ? (r.data as { prompts: Array<{ prompt: string; mean: number; activations: number[] }> }).prompts : [];
    if (h.test && data.length) {
      h.test.mean = data[0].mean;
      h.test.control = mean(data.slice(1).map((p) => p.mean));
      // sample i of every prompt shares its random draws: compare the matched scenes pair by pair
      let won = 0;
      let pairs = 0;
      for (const c of data.slice(1))
        c.activations.forEach((v, i) => {
          pairs++;
          if (data[0].activations[i] > v) won++;
        });
      h.test.wins = pairs ? won / pairs : 0;
    }
    this.testing++;
    const lead = h.test && Number.isFinite(h.test.mean)
      ? `"${readable(h)}" average ${f(h.test.mean)} against ${f(h.test.control)} for the controls, winning ${Math.round(h.test.wins * 100)}% of matched pairs: ${this.confirmed(h) ? 'confirmed' : 'not confirmed'}.`
      : `The test of "${readable(h)}" failed (${r?.text ?? 'no result'}).`;
    return this.nextTest(lead);
  }

  /**
   * A hypothesis holds when its scenes beat their matched controls in most pairs (≥ 75%), by a
   * margin that matters on the unit's scale (≥ 10% of its top exemplar) and a ratio (≥ 1.25×).
   */
  private confirmed(h: Hypothesis): boolean {
    const t = h.test;
    if (!t || !Number.isFinite(t.mean)) return false;
    const top = this.exemplars[0]?.activation ?? 0;
    return t.wins >= 0.75 && t.mean > 1.25 * Math.max(t.control, 0) && t.mean - t.control > 0.1 * Math.max(top, 1e-6);
  }

  private strength(h: Hypothesis): number {
    return h.test ? h.test.mean - h.test.control : -Infinity;
  }

  private separate(lead: string): ChatReply {
    const ok = this.hyps.filter((h) => this.confirmed(h)).sort((a, b) => this.strength(b) - this.strength(a));
    // the pair to separate: the two strongest confirmed attributes of different kinds; failing
    // that, the strongest hypotheses of different kinds (an AND unit fails every single test)
    const a = ok[0] ?? this.hyps[0];
    const b = ok.find((h) => h.key !== a?.key) ?? this.hyps.find((h) => h.key !== a?.key);
    if (a && b) {
      this.pair = [a, b];
      this.phase = 'combine';
      const why = ok.includes(a) && ok.includes(b) ? 'Two attributes of different kinds hold.' : ok.length ? `Only "${readable(a)}" holds alone; "${readable(b)}" may still matter with it.` : 'No attribute holds alone; the unit may need two together.';
      return this.reply(`${lead} ${why} To tell "either" from "both", I draw scenes with both and will remove each by an edit.`, [
        this.call('text2image', { prompts: [prompt([a, b])], samples: 6 }),
      ]);
    }
    if (ok[0]) {
      this.phase = 'edit';
      this.pair = null;
      return this.reply(`${lead} One attribute holds. I check it is the cause: scenes with "${readable(ok[0])}", edited to remove only that attribute.`, [
        this.call('text2image', { prompts: [prompt([ok[0]])], samples: 6 }),
      ]);
    }
    return this.conclude(lead);
  }

  private afterCombine(r: ToolResult | undefined): ChatReply {
    const rows = r?.ok ? (r.data as { images: Array<{ image: string; activation: number }> }).images : [];
    if (!rows.length || !this.pair) return this.conclude(`The combined scenes failed (${r?.text ?? 'no result'}).`);
    this.combined = { ids: rows.map((x) => x.image), mean: mean(rows.map((x) => x.activation)) };
    const [a, b] = this.pair;
    this.phase = 'edit';
    return this.reply(`Scenes with both average ${f(this.combined.mean)}. Now I remove each attribute, then both.`, [
      this.call('edit_images', { images: this.combined.ids, instructions: [removal(a), removal(b), `${removal(a)}; ${removal(b)}`] }),
    ]);
  }

  private afterEdit(r: ToolResult | undefined): ChatReply {
    if (!r?.ok) return this.conclude(`The edits failed (${r?.text ?? 'no result'}).`);
    const data = r.data as { results?: Array<{ instruction: string; activation: number; sourceActivation: number }>; images?: Array<{ image: string }> };
    if (!this.pair && data.images && !this.single) {
      // the single attribute's scenes just arrived: edit them
      const a = this.hyps.filter((h) => this.confirmed(h)).sort((x, y) => this.strength(y) - this.strength(x))[0];
      this.single = { before: NaN, after: NaN, instruction: removal(a) };
      return this.reply(`Now the same scenes without "${readable(a)}".`, [this.call('edit_images', { images: data.images.map((x) => x.image), instructions: [removal(a)] })]);
    }
    const res = data.results ?? [];
    if (this.single) {
      this.single.before = mean(res.map((x) => x.sourceActivation));
      this.single.after = mean(res.map((x) => x.activation));
      return this.conclude(`Removing it by "${this.single.instruction}" takes the mean activation from ${f(this.single.before)} to ${f(this.single.after)}.`);
    }
    const [a, b] = this.pair!;
    const by = (ins: string) => mean(res.filter((x) => x.instruction === ins).map((x) => x.activation));
    const base = mean(res.map((x) => x.sourceActivation));
    this.edits = { a: by(removal(b)), b: by(removal(a)), none: by(`${removal(a)}; ${removal(b)}`), base, labels: [readable(a), readable(b), ''] };
    return this.conclude(
      `With both: ${f(base)}; only ${readable(a)} (the other removed): ${f(this.edits.a)}; only ${readable(b)}: ${f(this.edits.b)}; neither: ${f(this.edits.none)}.`,
    );
  }

  private conclude(lead: string): ChatReply {
    this.phase = 'done';
    const ok = this.hyps.filter((h) => this.confirmed(h)).sort((a, b) => this.strength(b) - this.strength(a));
    const where = this.region === 'item' ? ' The unit looks at the item itself (its highlighted region lies on the item).' : this.region === 'background' ? ' The unit looks at the background (its highlighted region lies there).' : '';
    const evidence = (h: Hypothesis) =>
      `scenes with it average ${f(h.test!.mean)} against ${f(h.test!.control)} for matched controls (${h.test!.controls.join(', ')}), higher in ${Math.round(h.test!.wins * 100)}% of pairs`;
    let description: string;
    let label: string;
    if (this.pair && this.edits) {
      const [a, b] = this.pair;
      const e = this.edits;
      const top = this.exemplars[0]?.activation ?? 0;
      const controls = this.pair.map((h) => h.test?.control).filter((v): v is number => v !== undefined && Number.isFinite(v));
      const control = controls.length ? Math.max(...controls) : e.none;
      // the scenes with both must beat the controls clearly, else nothing here drives the unit
      const strong = e.base > 1.25 * Math.max(control, 0) && e.base - control > 0.1 * Math.max(top, 1e-6);
      const keepA = e.a >= 0.7 * e.base;
      const keepB = e.b >= 0.7 * e.base;
      const numbers = `${f(e.base)} with both, ${f(e.a)} with only ${readable(a)}, ${f(e.b)} with only ${readable(b)}, ${f(e.none)} with neither (controls ${f(control)})`;
      // both edits keeping the response, or neither, while removing both keeps it too: something else drives it
      const other = keepA === keepB && e.none >= 0.6 * e.base;
      if ((!strong || other) && ok[0]) {
        // the edits show no interaction: the attribute that held alone stands on its own test
        label = phrase(ok[0]);
        description = `Fires for ${readable(ok[0])}: ${evidence(ok[0])}. Scenes that also have the other attribute add nothing clear (${numbers}).`;
      } else if (!strong || other) {
        label = `weak: ${phrase(a)}`;
        description = `No attribute I tested drives the unit clearly: ${numbers}.`;
      } else if (keepA && keepB) {
        label = `${phrase(a)} OR ${phrase(b)}`;
        description = `Fires for ${readable(a)} or ${readable(b)}: either alone keeps most of the response (${numbers}).`;
      } else if (!keepA && !keepB) {
        label = `${phrase(a)} AND ${phrase(b)}`;
        description = `Fires for ${readable(a)} that are also ${readable(b)}: it needs both (${numbers}).`;
      } else {
        const main = keepA ? a : b;
        label = phrase(main);
        description = `Fires for ${readable(main)}${main.test && Number.isFinite(main.test.mean) ? `; ${evidence(main)}` : ''}. Removing the other attribute keeps the response, removing this one does not (${numbers}).`;
      }
    } else if (ok[0]) {
      const a = ok[0];
      label = phrase(a);
      const drop = this.single && Number.isFinite(this.single.after) ? ` Editing it away drops the activation from ${f(this.single.before)} to ${f(this.single.after)}.` : '';
      description = `Fires for ${readable(a)}: ${evidence(a)}.${drop}`;
    } else {
      const top = this.hyps[0];
      label = top ? `weak: ${phrase(top)}` : 'unclear';
      description = top
        ? `No attribute drives the unit reliably in generated scenes; its exemplars are often ${readable(top)} (${top.count}/${this.exemplars.length}), but scenes with that attribute do not beat controls clearly.`
        : 'No attribute stands out among the exemplars and none could be tested.';
    }
    description += where;
    return this.reply(`${lead}\n\n[DESCRIPTION]: ${description}\n[LABEL]: ${label}`, []);
  }
}

function status(h: Hypothesis): string {
  if (!h.test || !Number.isFinite(h.test.mean)) return ' — untested';
  return ` — ${f(h.test.mean)} vs ${f(h.test.control)} for controls`;
}

/** The tool results since the last assistant message, in call order. */
function lastResults(messages: ChatMessage[]): ToolResult[] {
  const out: ToolResult[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === 'tool') out.unshift(m.result);
    else if (m.role === 'assistant') break;
  }
  return out;
}

export function createOfflineClient(options: OfflineOptions = {}): ChatClient {
  return new OfflinePlanner(options);
}
