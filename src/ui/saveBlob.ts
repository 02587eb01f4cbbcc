/** Saves a Blob as a file download (an object URL clicked through a link). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  // The download holds its own reference by now.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
