/**
 * `lab --help`, `lab COMMAND --help` for every command in the registry (so a new command is covered
 * by adding it there), and `lab --version`: exit 0, each page shows its usage, every option the
 * usage names is documented and printed, and an example; an unknown option is a usage error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands';
import { optionLabel } from '../../src/cli/help';
import { REPO_ROOT } from '../setup/fixturePaths';
import { lab } from '../setup/runLab';

const optionsInUsage = (usage: string[]) => [...new Set(usage.join(' ').match(/--[a-z][a-z0-9-]*/g) ?? [])].map((o) => o.slice(2));

describe('lab help', () => {
  it.each(COMMANDS.map((c) => [c.help.name, c.help] as const))('lab %s --help prints its usage, options and an example and exits 0', async (name, help) => {
    const r = await lab(name, '--help');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const line of help.usage) expect(r.stdout).toContain(line);
    const documented = new Set(help.options.map((o) => o.name));
    for (const option of optionsInUsage(help.usage)) {
      expect(documented, `--${option} is in the usage of lab ${name} but not among its options`).toContain(option);
    }
    for (const o of help.options) expect(r.stdout).toContain(optionLabel(o));
    expect(help.examples.length).toBeGreaterThan(0);
    for (const e of help.examples) {
      expect(e).toMatch(new RegExp(`^npx lab ${name}\\b`));
      expect(r.stdout).toContain(e);
    }
    // -h and `lab help NAME` are the same page.
    expect((await lab(name, '-h')).stdout).toBe(r.stdout);
    expect((await lab('help', name)).stdout).toBe(r.stdout);
  });

  it('lab --help lists every command; lab --version prints package.json’s version; a bare lab is a usage error', async () => {
    const r = await lab('--help');
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c.help.name} +${c.help.summary.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;
    const v = await lab('--version');
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(version);
    const bare = await lab();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('lab COMMAND --help');
  });

  it('an unknown option or command is a usage error that points at the help', async () => {
    const r = await lab('run', 'models/scenes-balanced.onnx', 'x.png', '--layer', 'stem.relu');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lab run has no option --layer');
    expect(r.stderr).toContain('`lab run --help`');
    const flag = await lab('inspect', 'models/scenes-balanced.onnx', '--json=yes');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--json takes no value');
    const cmd = await lab('nope');
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('Unknown command "nope"');
  });
});
