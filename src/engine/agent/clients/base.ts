/**
 * The part of a network backend that does not depend on the API: the model name (the setting,
 * else the server's first listed model), one chat turn as a POST under the retry policy
 * (streamed when the request has `onDelta`, never retried once streamed text reached the caller),
 * and the final checks of the reply. A subclass supplies the URLs, headers, body and parsers.
 */
import type { BackendKind, BackendSettings, ChatClient, ChatReply, ChatRequest } from '../types';
import { checkReply, retrying, transportOf, type ClientOptions, type Transport } from './common';
import { AgentFault } from './faults';
import type { Exchange } from './http';

export abstract class HttpChatClient implements ChatClient {
  abstract readonly kind: BackendKind;
  protected readonly transport: Transport;
  private model: string | undefined;

  constructor(
    protected readonly settings: BackendSettings,
    options: ClientOptions,
    /** Names the server in messages ("the Anthropic API at https://…"). */
    protected readonly where: string,
  ) {
    this.transport = transportOf(settings, options);
    this.model = settings.model?.trim() || undefined;
  }

  abstract listModels(signal?: AbortSignal): Promise<string[]>;

  /** GET of a JSON document under the retry policy. */
  protected getJson(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    return retrying(this.transport, { where: this.where, secret: this.settings.apiKey, signal }, async (ex) => {
      const res = await ex.fetch(url, { method: 'GET', headers });
      return ex.json(res);
    });
  }

  /** The model to ask: the setting, else the server's first (single-model vLLM / llama.cpp servers). */
  protected async modelName(signal?: AbortSignal): Promise<string> {
    if (this.model) return this.model;
    const models = await this.listModels(signal);
    if (models.length === 0) throw new AgentFault('bad-response', `${this.where} lists no model; set one in the backend settings`);
    this.model = models[0];
    return this.model;
  }

  /** One turn: POST `body`, then parse the whole reply or read the stream. */
  protected async turn(
    request: ChatRequest,
    url: string,
    headers: Record<string, string>,
    body: unknown,
    parse: (json: unknown) => ChatReply,
    read: (ex: Exchange, res: Response, onDelta: (text: string) => void) => Promise<ChatReply>,
  ): Promise<ChatReply> {
    const onDelta = request.onDelta;
    let emitted = false;
    const reply = await retrying(
      this.transport,
      // streamed text already shown would be shown twice
      { where: this.where, secret: this.settings.apiKey, signal: request.signal, onRetry: request.onRetry, mayRetry: () => !emitted },
      async (ex) => {
        const res = await ex.fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
        if (!onDelta) return parse(await ex.json(res));
        return read(ex, res, (text) => {
          emitted = true;
          onDelta(text);
        });
      },
    );
    return checkReply(reply, this.where);
  }

  abstract chat(request: ChatRequest): Promise<ChatReply>;
}
