/** Shared bits of the backend tests: a tiny real PNG, an image store, a tool spec, a conversation. */
import { PNG } from 'pngjs';
import type { ChatMessage, ImageResolver, StoredImage, ToolSpec } from '../../src/engine/agent/types';

export function pngBase64(r: number, g: number, b: number): string {
  const png = new PNG({ width: 2, height: 2 });
  for (let i = 0; i < 4; i++) png.data.set([r, g, b, 255], i * 4);
  return PNG.sync.write(png).toString('base64');
}

export const RED: StoredImage = { id: 'img-1', width: 2, height: 2, png: pngBase64(255, 0, 0) };
export const BLUE: StoredImage = { id: 'img-2', width: 2, height: 2, png: pngBase64(0, 0, 255) };

export function store(...images: StoredImage[]): ImageResolver {
  const map = new Map(images.map((i) => [i.id, i]));
  return { get: (id) => map.get(id) };
}

export const EXEMPLARS: ToolSpec = {
  name: 'dataset_exemplars',
  description: 'The k images of the dataset that most activate the unit.',
  parameters: {
    type: 'object',
    properties: { k: { type: 'integer', minimum: 1, maximum: 32 } },
    required: ['k'],
    additionalProperties: false,
  },
  version: 1,
};

/** system, user (text + image), assistant tool call, tool result with an image, user follow-up. */
export function conversation(): ChatMessage[] {
  return [
    { role: 'system', content: 'You are an interpretability agent.' },
    { role: 'user', content: [{ type: 'text', text: 'Describe unit 7.' }, { type: 'image', image: { id: 'img-1', caption: 'a red square' } }] },
    { role: 'assistant', content: 'Let me look.', toolCalls: [{ id: 'call_a', name: 'dataset_exemplars', arguments: '{"k":2}' }] },
    {
      role: 'tool',
      result: { callId: 'call_a', name: 'dataset_exemplars', ok: true, text: 'Top activations: 3.1, 2.7', images: [{ id: 'img-2', caption: 'a blue square' }] },
    },
    { role: 'user', content: [{ type: 'text', text: 'Go on.' }] },
  ];
}

export const KEY = 'sk-test-SECRET-0123456789abcdef';
