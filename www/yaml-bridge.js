// The page's way to the YAML reader, a second wasm module (yaml/ in the build) that the
// main module leaves out because it is a third of the app's size. It is loaded once, on the
// first YAML text or soon after the first render, from this page's own origin; a
// `iamplay-yaml-reader` event on window says it has loaded or failed.

let reader = null;
let failure = null;
let loading = null;

export function load_yaml_reader() {
  if (loading) return;
  const url = new URL('yaml/iamplay_yaml_reader.js', document.baseURI).href;
  loading = import(url)
    .then(async (module) => {
      await module.default();
      reader = module;
    })
    .catch((error) => {
      failure = String((error && error.message) || error);
    })
    .finally(() => window.dispatchEvent(new Event('iamplay-yaml-reader')));
}

// The tree in the flat form of `tree_transfer`, or undefined while the reader is loading
// (loading starts) or when it failed (see yaml_reader_failure).
export function read_yaml_text(text) {
  if (!reader) {
    load_yaml_reader();
    return undefined;
  }
  try {
    return reader.read_yaml(text);
  } catch (error) {
    // A fault inside the reader: it is not used again, and the page goes on.
    reader = null;
    failure = `the YAML reader stopped: ${String((error && error.message) || error)}`;
    return undefined;
  }
}

export function yaml_reader_failure() {
  return failure;
}
