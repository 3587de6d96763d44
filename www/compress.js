// Raw DEFLATE with the browser's own compressor and decompressor, for share links: the
// page's wasm then carries neither (src/share.rs reads every raw DEFLATE stream).
export async function deflate_raw(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Unpacks raw DEFLATE with the browser's own decompressor, refusing more than `limit` bytes
// of output (a link that unpacks to gigabytes stops at the limit). Rejects with 'too-large'
// or 'damaged' (not DEFLATE, cut short, or followed by garbage).
export async function inflate_raw(bytes, limit) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    let step;
    try {
      step = await reader.read();
    } catch {
      throw 'damaged';
    }
    if (step.done) break;
    total += step.value.length;
    if (total > limit) {
      reader.cancel().catch(() => {});
      throw 'too-large';
    }
    chunks.push(step.value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
