/**
 * Values as PostgREST's JSON carries them, as type options of lite's Postgres driver
 * (postgres.js). lite's driver hands a json/jsonb function argument to Postgres already
 * serialized and then serializes it again, so `rpc('f', { parts: [...] })` arrived as a JSON
 * string; and it answers `numeric` as a string (`"1.5000"`) where PostgREST writes a JSON number.
 */
export const postgrestTypes = {
  json: {
    to: 114,
    from: [114],
    serialize: (value: unknown) => (typeof value === 'string' && isJsonText(value) ? value : JSON.stringify(value)),
    parse: (text: string) => JSON.parse(text),
  },
  jsonb: {
    to: 3802,
    from: [3802],
    serialize: (value: unknown) => (typeof value === 'string' && isJsonText(value) ? value : JSON.stringify(value)),
    parse: (text: string) => JSON.parse(text),
  },
  numeric: {
    to: 1700,
    from: [1700],
    serialize: (value: unknown) => String(value),
    parse: (text: string) => Number(text),
  },
};

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
