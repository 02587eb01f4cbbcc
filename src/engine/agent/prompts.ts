/**
 * MAIA's protocol in our words: a system prompt generated from the tool specs, the task prompt
 * for the subject, the nudges the loop sends, and the parsers for hypotheses and the conclusion.
 */
import type { AgentSubject, ToolSpec } from './types';

export function systemPrompt(tools: readonly ToolSpec[], rounds: number): string {
  const docs = tools.map((t) => `### ${t.name} (v${t.version})\n${t.description}\nArguments (JSON Schema): ${JSON.stringify(t.parameters)}`).join('\n\n');
  return [
    'You are an interpretability researcher. Your subject is one unit (neuron) of a vision model that looks at 64×64 synthetic scenes: a garment or accessory (Fashion-MNIST classes) with a colour and a texture, on a photo or procedural background.',
    'Your job is to find out what makes the unit fire, by experiment, and to describe it so that a reader could predict which images activate it.',
    'You act only through the tools below; you cannot run code. Images are passed by handle (img-N): use the handles earlier results gave you. An activation is the maximum of the unit\'s map over the image.',
    '',
    '## How to work',
    '- Each turn, run one experiment: one or more tool calls that test one idea. Start with dataset_exemplars.',
    '- After each result, write what you learned and then your current hypotheses, strongest first, under a line "[HYPOTHESES]", one per line starting with "- ".',
    '- Test a hypothesis against controls: images that have the attribute and matched images that do not. Use edit_images to change one attribute at a time and separate causes. Watch for concepts that combine (A or B, A and B).',
    `- You have ${rounds} rounds. When the evidence is clear, reply WITHOUT tool calls, ending with exactly two lines:`,
    '[DESCRIPTION]: one or two sentences on what drives the unit, with the evidence in numbers',
    '[LABEL]: a short label (a few words)',
    '',
    '## Tools',
    docs,
  ].join('\n');
}

export function subjectText(subject: AgentSubject, layerLabel: string, classLabel?: string): string {
  return subject.kind === 'unit' ? `unit ${subject.unit} of layer ${layerLabel}` : `the logit of class ${subject.index}${classLabel ? ` (${classLabel})` : ''}`;
}

export function taskPrompt(subject: string, model: string): string {
  return `Describe ${subject} of the model ${model}. Begin with its dataset exemplars, then design experiments to confirm or refute each hypothesis.`;
}

export const CONCLUDE_NOW =
  'You have used all your rounds. Reply now without tool calls, with your conclusion as "[DESCRIPTION]: …" and "[LABEL]: …".';
export const NEED_TOOL_OR_FINAL =
  'Run the next experiment with a tool call, or, if you are done, reply with "[DESCRIPTION]: …" and "[LABEL]: …".';
export const CUT_AT_LENGTH = 'Your reply was cut at the length limit. Be briefer: one experiment, a short note and your hypotheses.';
export const EMPTY_REPLY = 'Your reply was empty. Run the next experiment with a tool call, or conclude.';

/** Lines after "[HYPOTHESES]" that start with "-", "*" or a number, up to a blank line or the next tag. */
export function parseHypotheses(text: string): string[] | null {
  const at = text.search(/\[HYPOTHES[EI]S\]/i);
  if (at < 0) return null;
  const out: string[] = [];
  for (const line of text.slice(at).split('\n').slice(1)) {
    const l = line.trim();
    if (/^\[[A-Z]+\]/.test(l)) break;
    if (l === '') {
      if (out.length) break;
      continue;
    }
    const m = /^(?:[-*•]|\d+[.)])\s*(.+)$/.exec(l);
    if (m) out.push(m[1].trim());
    else if (out.length) break;
  }
  return out;
}

/** The final "[DESCRIPTION]: …" and "[LABEL]: …" of a reply, when it has both. */
export function parseFinal(text: string): { description: string; label: string } | null {
  const d = /\[DESCRIPTION\]\s*:?\s*([\s\S]*?)(?=\n\s*\[LABEL\]|$)/i.exec(text);
  const l = /\[LABEL\]\s*:?\s*(.+)/i.exec(text);
  if (!d || !l) return null;
  const description = d[1].trim();
  const label = l[1].trim();
  return description && label ? { description, label } : null;
}
