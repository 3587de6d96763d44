// Fetches one of the page's own static files (same origin, beside the page) as text.
export async function fetch_text(path) {
  const response = await fetch(new URL(path, document.baseURI));
  if (!response.ok) throw `${path}: ${response.status} ${response.statusText}`;
  return response.text();
}
