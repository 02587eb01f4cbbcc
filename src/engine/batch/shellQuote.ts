/** POSIX shell quoting for generated job scripts: safe words as they are, the rest in single quotes. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export const shellLine = (words: readonly string[]) => words.map(shellQuote).join(' ');
