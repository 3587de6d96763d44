// Raw DEFLATE with the browser's own compressor, for share links: the page's wasm then
// carries only the decompressor (src/share.rs reads every raw DEFLATE stream).
export async function deflate_raw(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
