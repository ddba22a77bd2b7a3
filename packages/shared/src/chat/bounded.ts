/**
 * `value` as JSON of at most `maxChars` characters, for what the model reads (tool answers, the
 * organization's aggregates): arrays are cut from the end, element by element, until the JSON
 * fits, and the answer says `truncated: true` so the model knows it saw only part. Whatever is
 * still too long (a single huge string) is cut as text.
 */
export function boundedJson(value: unknown, maxChars: number): string {
  const whole = JSON.stringify(value ?? null);
  if (whole.length <= maxChars) return whole;
  const copy = structuredClone(value) as unknown;
  const arrays = collectArrays(copy);
  // Longest arrays first: a list of 200 vendors goes before a list of 3 totals.
  arrays.sort((a, b) => b.length - a.length);
  const wrapped = () => JSON.stringify({ truncated: true, data: copy });
  for (const array of arrays) {
    // Halving keeps it to a few dozen stringifications even for thousands of rows.
    while (array.length > 0 && wrapped().length > maxChars) array.splice(Math.floor(array.length / 2));
    if (wrapped().length <= maxChars) return wrapped();
  }
  const text = wrapped();
  if (text.length <= maxChars) return text;
  // Escaping can lengthen the cut text again: shrink until the JSON fits.
  const cutTo = (length: number) => JSON.stringify({ truncated: true, text: text.slice(0, length) });
  let length = maxChars;
  while (length > 0 && cutTo(length).length > maxChars) length = Math.floor(length * 0.8);
  return cutTo(length);
}

function collectArrays(value: unknown, found: unknown[][] = []): unknown[][] {
  if (Array.isArray(value)) {
    found.push(value);
    for (const item of value) collectArrays(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) collectArrays(item, found);
  }
  return found;
}
