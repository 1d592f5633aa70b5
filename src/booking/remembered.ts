/**
 * `compute` with its answers remembered by key, for up to `limit` keys, then forgotten all at
 * once: the flow asks for the same few days, times and numbers again and again, so a full memory
 * is rare and a cleared one soon holds what is asked for again.
 */
export function remembered<Key, Value extends NonNullable<unknown>>(
  limit: number,
  compute: (key: Key) => Value,
): (key: Key) => Value {
  const known = new Map<Key, Value>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      if (known.size >= limit) known.clear();
      value = compute(key);
      known.set(key, value);
    }
    return value;
  };
}
