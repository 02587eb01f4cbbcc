/**
 * gunzip with the platform's DecompressionStream (browsers, workers, Node ≥ 18), for the
 * `gunzip` argument of loadSynthBanks. Node scripts may pass zlib.gunzipSync instead.
 */
export async function gunzip(gz: Uint8Array): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error('This runtime has no DecompressionStream; pass another gunzip (zlib in Node).');
  }
  const stream = new Blob([gz as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
