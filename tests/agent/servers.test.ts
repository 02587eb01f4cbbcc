/** The scripted server itself: what the e2e and the loop's tests rely on beyond the clients' tests. */
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedServer, type ScriptedServer } from './servers/scripted';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startScriptedServer', () => {
  it('answers CORS preflights naming the auth headers, and marks replies for any origin', async () => {
    server = await startScriptedServer({ dialect: 'messages', apiKey: 'k-123456789', script: [{ reply: 'text', text: 'hi' }] });
    const pre = await fetch(`${server.url}/v1/messages`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key, anthropic-version, content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toBe('x-api-key, anthropic-version, content-type');
    const res = await fetch(`${server.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'k-123456789', 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(((await res.json()) as { content: unknown }).content).toEqual([{ type: 'text', text: 'hi' }]);
    expect(server.chatRequests()).toHaveLength(1); // the preflight is recorded but is not a chat request
    expect(server.requests).toHaveLength(2);
  });

  it('answers 500 "script exhausted" once the script is used up, or the `then` step', async () => {
    server = await startScriptedServer({ dialect: 'chat-completions', script: [] });
    const post = () => fetch(`${server!.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"m","messages":[]}' });
    const r = await post();
    expect(r.status).toBe(500);
    expect(JSON.stringify(await r.json())).toContain('script exhausted');
    await server.close();
    server = await startScriptedServer({ dialect: 'chat-completions', then: { reply: 'text', text: 'again' } });
    for (let i = 0; i < 2; i++) expect(((await (await post()).json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('again');
  });
});
