/** `lab agent` as a user runs it: a real process, the offline backend, lab.agent/1 and transcripts on disk. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTranscript } from '../../src/engine/agent/transcript';
import { lab } from '../setup/runLab';
import { KEY } from './helpers';
import { startScriptedServer } from './servers/scripted';

const dir = mkdtempSync(join(tmpdir(), 'lab-agent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MODEL = 'models/scenes-balanced.onnx';

describe('lab agent', () => {
  it('runs the offline agent on its shard of the units and writes lab.agent/1 and one transcript per unit', async () => {
    const r = await lab('agent', MODEL, 'scenes-test', '--layer', 'stage3.block2.relu2', '--units', '0-3', '--shard', '1/2', '--count', '800', '--seed', '5', '--json', '--transcript', join(dir, 't.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schema: 'lab.agent/1', backend: { kind: 'offline' }, dataset: { id: 'scenes-test', count: 800 }, rounds: 25, seed: 5, shard: '1/2' });
    expect(doc.units.map((u: { unit: number }) => u.unit)).toEqual([2, 3]);
    for (const u of doc.units) {
      expect(u.status).toBe('done');
      expect(typeof u.description).toBe('string');
      expect(u.label.length).toBeGreaterThan(0);
      expect(u.rounds).toBeGreaterThan(2);
      expect(u.toolCalls).toBeGreaterThan(2);
      expect(u.timings.totalMs).toBeGreaterThanOrEqual(u.timings.toolMs);
      expect(existsSync(u.transcript)).toBe(true);
      const t = parseTranscript(readFileSync(u.transcript, 'utf8'));
      expect(t.result?.label).toBe(u.label);
      expect(t.settings).toMatchObject({ seed: 5, subject: { kind: 'unit', unit: u.unit } });
    }
    expect(doc.units[0].transcript).toBe(join(dir, 't.u2.json'));

    // The other shard, then the merge a job array's last step runs: every unit once, in order.
    const part1 = join(dir, 'part1.json');
    writeFileSync(part1, r.stdout);
    const part0 = join(dir, 'part0.json');
    const r0 = await lab('agent', MODEL, 'scenes-test', '--layer', 'stage3.block2.relu2', '--units', '0-3', '--shard', '0/2', '--count', '800', '--seed', '5', '--out', part0);
    expect(r0.code).toBe(0);
    const all = join(dir, 'all.json');
    const m = await lab('agent', '--merge', part1, part0, '--out', all);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    const merged = JSON.parse(readFileSync(all, 'utf8'));
    expect(merged).toMatchObject({ schema: 'lab.agent/1', requested: [0, 1, 2, 3], seed: 5 });
    expect(merged.shard).toBeUndefined();
    expect(merged.units.map((u: { unit: number }) => u.unit)).toEqual([0, 1, 2, 3]);
    expect(merged.units.slice(2)).toEqual(doc.units);
    const twice = await lab('agent', '--merge', part1, part1, '--out', all);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/Shard 1\/2 is given twice/);
  });

  it('drives an OpenAI-compatible server with the key from the environment, which appears in no output', async () => {
    const server = await startScriptedServer({
      dialect: 'chat-completions',
      apiKey: KEY,
      script: [
        { reply: 'tools', text: 'Exemplars.', calls: [{ name: 'dataset_exemplars', arguments: { k: 4 } }] },
        { reply: 'status', status: 503, message: 'busy' },
        { reply: 'text', text: '[DESCRIPTION]: Fires for trousers.\n[LABEL]: trousers' },
      ],
    });
    try {
      process.env.LAB_AGENT_TEST_KEY = KEY;
      const file = join(dir, 'remote.json');
      const r = await lab('agent', MODEL, 'scenes-test', '--layer', 'stage3.block2.relu2', '--unit', '1', '--count', '300', '--backend', 'openai', '--base-url', server.baseUrl, '--model', 'scripted', '--api-key-env', 'LAB_AGENT_TEST_KEY', '--json', '--transcript', file);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.backend).toEqual({ kind: 'openai', model: 'scripted', baseUrl: server.baseUrl, seesImages: false });
      expect(doc.units[0]).toMatchObject({ status: 'done', label: 'trousers', rounds: 2, toolCalls: 1, faults: 1 });
      for (const text of [r.stdout, r.stderr, readFileSync(file, 'utf8')]) expect(text).not.toContain(KEY);
      expect(server.chatRequests()[0].headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      delete process.env.LAB_AGENT_TEST_KEY;
      await server.close();
    }
  });

  it('explains bad requests', async () => {
    const noUnit = await lab('agent', MODEL, 'scenes-test', '--layer', 'stage3.block2.relu2');
    expect(noUnit.code).toBe(1);
    expect(noUnit.stderr).toMatch(/--unit U or --units 0-63/);
    const folder = await lab('agent', MODEL, dir, '--layer', 'stage3.block2.relu2', '--unit', '0');
    expect(folder.stderr).toMatch(/built-in scene dataset/);
    const range = await lab('agent', MODEL, 'scenes-test', '--layer', 'stage3.block2.relu2', '--units', '120-130');
    expect(range.stderr).toMatch(/not within 0\.\.127/);
    const backend = await lab('agent', MODEL, 'scenes-test', '--layer', 'stage3.block2.relu2', '--unit', '0', '--backend', 'gemini');
    expect(backend.stderr).toMatch(/offline, openai or anthropic/);
    const pool = await lab('agent', MODEL, 'scenes-test', '--layer', 'fc', '--unit', '0');
    expect(pool.stderr).toMatch(/no spatial map/);
    const help = await lab('agent', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/lab agent MODEL\.onnx DATASET --layer L/);
  });
});
