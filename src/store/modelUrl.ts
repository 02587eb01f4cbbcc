/**
 * Which model addresses the lab accepts: http(s) URLs and relative paths, nothing else
 * (no javascript:, data:, file:, blob:), no control characters, at most MAX_URL_CHARS.
 */
export const MAX_URL_CHARS = 2048;

export type UrlCheck = { ok: true } | { ok: false; reason: string };

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Checks the text of an address, without resolving it. */
export function checkModelUrl(text: string): UrlCheck {
  if (text.length === 0) return { ok: false, reason: 'the address is empty' };
  if (text.length > MAX_URL_CHARS) return { ok: false, reason: `the address is longer than ${MAX_URL_CHARS} characters` };
  // The URL parser drops tabs and newlines ("java\nscript:" becomes "javascript:"), so refuse them outright.
  if (CONTROL.test(text)) return { ok: false, reason: 'the address contains control characters' };
  if (text.trim() !== text) return { ok: false, reason: 'the address starts or ends with spaces' };
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    return { ok: false, reason: `“${scheme}:” addresses are not allowed (use http, https, or a relative path)` };
  }
  if (text.startsWith('\\')) return { ok: false, reason: 'the address starts with a backslash' };
  return { ok: true };
}

/** Resolves an accepted address against the page; throws with the reason when it is not accepted. */
export function resolveModelUrl(text: string, base: string): URL {
  const check = checkModelUrl(text);
  if (!check.ok) throw new Error(check.reason);
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new Error('it is not a valid address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`“${url.protocol}” addresses are not allowed (use http, https, or a relative path)`);
  }
  return url;
}
