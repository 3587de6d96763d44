// Fetches one of the page's own static files (same origin, beside the page) as text.
export async function fetch_text(path) {
  const response = await fetch(new URL(path, document.baseURI));
  if (!response.ok) throw `${path}: ${response.status} ${response.statusText}`;
  return response.text();
}

// Resolves after `ms` milliseconds (a pause in typing on a long scenario file).
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
