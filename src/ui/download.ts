/** Saves a Blob as a file through a temporary link (the one download path of the app). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
  // The download holds its own reference by now.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
