/**
 * Where the stores live, read from STORAGE_URL. No dependencies, so configuration can check the
 * variable with the same parser the stores use.
 */
export type StorageLocation =
  | { kind: 'sqlite'; path: string }
  | { kind: 'memory' }
  | { kind: 'redis'; url: string; keyPrefix: string };

const keyPrefixPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/** Reads a STORAGE_URL; throws a RangeError naming what is wrong. */
export function parseStorageUrl(url: string): StorageLocation {
  if (url === 'memory:') return { kind: 'memory' };
  if (url.startsWith('sqlite:') && url.length > 'sqlite:'.length) {
    return { kind: 'sqlite', path: url.slice('sqlite:'.length) };
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RangeError('is not a valid redis:// URL');
    }
    const keyPrefix = parsed.searchParams.get('prefix') ?? 'trialgram';
    if (!keyPrefixPattern.test(keyPrefix)) {
      throw new RangeError('prefix may only use A-Z, a-z, 0-9, _, . and - (1-64 chars)');
    }
    parsed.searchParams.delete('prefix');
    return { kind: 'redis', url: parsed.toString(), keyPrefix };
  }
  throw new RangeError('must be sqlite:<path>, memory: or redis://host:port');
}
