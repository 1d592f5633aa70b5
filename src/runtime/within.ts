/**
 * `promise`'s value if it settles within `ms`, else `fallback` (the promise goes on and is left to
 * its own handlers). The timer is cleared either way, so nothing waits on it afterwards.
 */
export async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(resolve, ms, fallback);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
