/**
 * The backends of the agent. `createClient` builds the OpenAI-compatible or the Anthropic client
 * from the settings, wrapped in the JSON-in-text fallback when `toolMode` asks for it. The
 * 'offline' planner is not built here: the loop picks it itself (./offline.ts), so this module
 * needs no network-free special case and throws for that kind.
 */
import type { BackendSettings, ChatClient } from '../types';
import { AnthropicClient } from './anthropic';
import type { ClientOptions } from './common';
import { withJsonInText } from './jsonInText';
import { OpenAIClient } from './openai';

export { AgentFault, isAgentFault, parseRetryAfter, redact } from './faults';
export { DEFAULT_RETRY, type RetryPolicy } from './retry';
export type { ClientOptions } from './common';
export { AnthropicClient, ANTHROPIC_BASE_URL } from './anthropic';
export { OpenAIClient, OPENAI_BASE_URL } from './openai';
export { parseToolCalls, toolsPrompt, withJsonInText } from './jsonInText';

export function createClient(settings: BackendSettings, options: ClientOptions = {}): ChatClient {
  let client: ChatClient;
  switch (settings.kind) {
    case 'openai':
      client = new OpenAIClient(settings, options);
      break;
    case 'anthropic':
      client = new AnthropicClient(settings, options);
      break;
    case 'offline':
      throw new Error("createClient builds the network backends only; the loop runs the 'offline' planner itself");
    default: {
      const kind: never = settings.kind;
      throw new Error(`Unknown backend kind: ${String(kind)}`);
    }
  }
  return settings.toolMode === 'json-in-text' ? withJsonInText(client) : client;
}
