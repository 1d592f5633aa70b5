/**
 * A keyv store over Node's built-in `node:sqlite`: the embedded, durable default. No native
 * download, one file, survives restarts. keyv keeps the expiry inside the value and checks it on
 * read; the `expires` column lets this store delete stale rows on its own: at start and then
 * every minute.
 *
 * What is deleted is gone from the disk, not only from the table: `secure_delete` overwrites a
 * deleted row's bytes with zeros, and after every delete the write-ahead log, which still holds
 * earlier copies of the changed pages, is checkpointed into the database and truncated.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

export type SqliteKeyvOptions = (
  | {
      /** File path, or ':memory:'. The store opens and closes the database itself. */
      path: string;
    }
  | {
      /** A database opened with {@link openKeyvDatabase}, shared by several stores and closed by its owner. */
      database: DatabaseSync;
    }
) & {
  /** How often expired rows are swept, in ms (0 = never, not even at start). Default 60 000. */
  sweepIntervalMs?: number;
};

/** Opens (creating if needed) a database file with the table the stores use. */
export function openKeyvDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA busy_timeout = 5000;
    PRAGMA secure_delete = ON;
  `);
  const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (version < erasingFormat) {
    const existing = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'keyv'").get();
    // Written before secure_delete was on: its free pages may still hold deleted rows.
    if (existing) db.exec('VACUUM');
    db.exec(`PRAGMA user_version = ${erasingFormat}`);
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS keyv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER);
    CREATE INDEX IF NOT EXISTS keyv_expires ON keyv (expires) WHERE expires IS NOT NULL;
  `);
  truncateLog(db);
  return db;
}

/** `user_version` of a database whose deleted rows have always been overwritten. */
const erasingFormat = 1;

/**
 * Copies the write-ahead log into the database and empties it: the log keeps earlier versions of
 * every page it wrote, deleted rows included, until it is overwritten.
 */
function truncateLog(db: DatabaseSync): void {
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
}

/**
 * When a row with this expiry may be swept: the expiry rounded up to a step of a hundredth of its
 * time to live (at most a minute). keyv checks the exact expiry inside the value on every read, so
 * the row reads as gone on time; the column only decides when it leaves the disk. A row written
 * again within the same step (an update writes its conversation two or three times) keeps its
 * `expires`, and SQLite leaves the `keyv_expires` index untouched then: that index update was
 * about a third of a write's cost.
 */
function sweepableAt(expires: number, ttl: number): number {
  const step = Math.min(60_000, Math.floor(ttl / 100));
  return step > 1 ? Math.ceil(expires / step) * step : expires;
}

/**
 * The writes made to one database in one turn of the event loop, committed in one transaction
 * once that turn's I/O is handled (`setImmediate`). Each write's promise settles only after its
 * commit, so a caller that awaits it knows it is stored, as with a write of its own; a commit
 * costs about as much as the writes in it, so many conversations written at once share it. A
 * batch that fails is written again one by one, so a failing write fails its own caller only.
 *
 * Under load, commits come at most every {@link minCommitGapMs}: a write made sooner after the
 * last commit waits for the rest of that time, with the writes of the turns in between. An
 * upsert of a conversation row costs about 28 µs of CPU committed alone and 12 µs in a batch of
 * eight (2 cores, this project's machine); a write waits at most those few milliseconds, and not
 * at all while writes come further apart.
 */
const minCommitGapMs = 5;

class GroupCommit {
  readonly #db: DatabaseSync;
  #pending: Array<{ write: () => void; resolve: () => void; reject: (error: unknown) => void }> = [];
  /** The next commit, on the next turn or once the gap since the last one has passed. */
  #scheduled: { cancel(): void } | undefined;
  #lastCommitAt = Number.NEGATIVE_INFINITY;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  #schedule(): void {
    const wait = this.#lastCommitAt + minCommitGapMs - performance.now();
    if (wait > 0) {
      const timer = setTimeout(() => this.flush(), wait);
      this.#scheduled = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(() => this.flush());
      this.#scheduled = { cancel: () => clearImmediate(immediate) };
    }
  }

  /** Runs `write` in the next commit; settles with its result once that is committed. */
  write<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let result: T;
      this.#pending.push({
        write: () => {
          result = write();
        },
        resolve: () => resolve(result),
        reject,
      });
      if (this.#scheduled === undefined) this.#schedule();
    });
  }

  /** Commits what is pending now (before a delete, a sweep or closing: they keep their order). */
  flush(): void {
    this.#scheduled?.cancel();
    this.#scheduled = undefined;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#lastCommitAt = performance.now();
    if (batch.length > 1) {
      try {
        this.#db.exec('BEGIN');
        for (const { write } of batch) write();
        this.#db.exec('COMMIT');
        for (const { resolve } of batch) resolve();
        return;
      } catch {
        if (this.#db.isOpen && this.#db.isTransaction) this.#db.exec('ROLLBACK');
      }
    }
    for (const { write, resolve, reject } of batch) {
      try {
        write();
        resolve();
      } catch (error) {
        reject(error);
      }
    }
  }
}

/**
 * One group commit per database: the stores of all namespaces share their database's, and so do
 * the reminders kept in it.
 */
const groupCommits = new WeakMap<DatabaseSync, GroupCommit>();
export function groupCommitOf(db: DatabaseSync): GroupCommit {
  let group = groupCommits.get(db);
  if (group === undefined) {
    group = new GroupCommit(db);
    groupCommits.set(db, group);
  }
  return group;
}

export class SqliteKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: SqliteKeyvOptions;
  namespace?: string | undefined;
  readonly #db: DatabaseSync;
  readonly #ownsDatabase: boolean;
  readonly #get: StatementSync;
  readonly #set: StatementSync;
  readonly #delete: StatementSync;
  readonly #sweep: StatementSync;
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #writes: GroupCommit;

  constructor(options: SqliteKeyvOptions) {
    super();
    this.opts = options;
    this.#ownsDatabase = 'path' in options;
    this.#db = 'path' in options ? openKeyvDatabase(options.path) : options.database;
    this.#writes = groupCommitOf(this.#db);
    this.#get = this.#db.prepare('SELECT value FROM keyv WHERE key = ? AND (expires IS NULL OR expires > ?)');
    this.#set = this.#db.prepare(
      'INSERT INTO keyv (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires',
    );
    this.#delete = this.#db.prepare('DELETE FROM keyv WHERE key = ?');
    this.#sweep = this.#db.prepare('DELETE FROM keyv WHERE expires IS NOT NULL AND expires <= ?');
    const interval = options.sweepIntervalMs ?? 60_000;
    if (interval > 0) this.sweep();
    this.#timer = interval > 0 ? setInterval(() => this.sweep(), interval).unref() : undefined;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.#get.get(key, Date.now()) as { value: string } | undefined;
    return row?.value as StoredData<Value> | undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const expires = typeof ttl === 'number' && ttl > 0 ? sweepableAt(Date.now() + ttl, ttl) : null;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    await this.#writes.write(() => this.#set.run(key, text, expires));
    return true;
  }

  async delete(key: string): Promise<boolean> {
    this.#writes.flush();
    return this.#erased(Number(this.#delete.run(key).changes)) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async clear(): Promise<void> {
    this.#writes.flush();
    if (this.namespace) {
      this.#db.prepare('DELETE FROM keyv WHERE key LIKE ?').run(`${this.namespace}:%`);
    } else {
      this.#db.exec('DELETE FROM keyv');
    }
    this.#erased(1);
  }

  /** Deletes expired rows, also from the disk; returns how many. */
  sweep(): number {
    this.#writes.flush();
    return this.#erased(Number(this.#sweep.run(Date.now()).changes));
  }

  /** After rows were deleted, their earlier copies leave the write-ahead log too. */
  #erased(rows: number): number {
    if (rows > 0) truncateLog(this.#db);
    return rows;
  }

  async disconnect(): Promise<void> {
    if (this.#db.isOpen) this.#writes.flush();
    if (this.#timer) clearInterval(this.#timer);
    if (this.#ownsDatabase && this.#db.isOpen) this.#db.close();
  }
}
