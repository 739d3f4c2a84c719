/**
 * Knowledge-base articles on the store, with version history, and the search index over them.
 * Every change is one commit: the current article, an immutable copy of the version, and an entry
 * in the change stream `kb:changes`. Each server instance keeps its own in-memory index and, before
 * searching, applies the changes it has not seen yet (one round trip when nothing changed), so all
 * instances search the same articles and a restart rebuilds the index from the store.
 */
import type { Clock } from '../clock.ts';
import { HotlineError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { createKbIndex, type KbHit } from './kb-search.ts';
import { ticketKeys } from './ticket-keys.ts';

export interface KbArticleInput {
  readonly title: string;
  readonly body: string;
  readonly tags?: readonly string[];
  /** The owning unit. */
  readonly unit: string;
  readonly validFrom?: number | null;
  readonly validTo?: number | null;
}

export interface KbArticle {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly unit: string;
  readonly validFrom: number | null;
  readonly validTo: number | null;
  readonly version: number;
  readonly updatedAt: number;
  readonly updatedBy: string;
}

export interface KbSearchResult extends KbHit {
  readonly unit: string;
  /** The start of the body, for the result list. */
  readonly snippet: string;
}

export interface KbService {
  create(input: KbArticleInput, by: string): Promise<KbArticle>;
  /** Writes a new version; `expectedVersion` (optional) refuses with STORE_CONFLICT when someone else changed it first. */
  update(id: string, input: KbArticleInput, by: string, expectedVersion?: number): Promise<KbArticle>;
  get(id: string): Promise<KbArticle>;
  /** Every version, oldest first. */
  versions(id: string): Promise<KbArticle[]>;
  search(query: string, options?: { at?: number; limit?: number }): Promise<KbSearchResult[]>;
}

const CHANGES = 'kb:changes';
const ARTICLE_ID = /^kb-\d{1,12}$/;

function validate(input: KbArticleInput): void {
  if (!input.title?.trim() || input.title.length > 200) throw new HotlineError('TICKET_INVALID', 'title: 1 to 200 characters');
  if (typeof input.body !== 'string' || input.body.length > 50_000) throw new HotlineError('TICKET_INVALID', 'body: at most 50,000 characters');
  if (!input.unit?.trim()) throw new HotlineError('TICKET_INVALID', 'unit is required');
  const { validFrom, validTo } = input;
  if (validFrom != null && validTo != null && validTo <= validFrom) throw new HotlineError('TICKET_INVALID', 'validTo must be after validFrom');
}

export function createKbService(options: { store: Store; clock: Clock }): KbService {
  const { store, clock } = options;
  const index = createKbIndex();
  let seen = '0';
  const articles = new Map<string, KbArticle>();

  async function sync(): Promise<void> {
    for (;;) {
      const changes = await store.xrange(CHANGES, seen, 1000);
      if (changes.length === 0) return;
      const ids = [...new Set(changes.map((c) => c.fields['id'] ?? ''))].filter((id) => ARTICLE_ID.test(id));
      const docs = await store.getMany<KbArticle>(ids.map(ticketKeys.kbArticle));
      for (const doc of docs) {
        if (!doc) continue;
        articles.set(doc.value.id, doc.value);
        index.upsert(doc.value);
      }
      seen = changes[changes.length - 1]!.id;
    }
  }

  async function read(id: string): Promise<{ article: KbArticle; version: number }> {
    const found = ARTICLE_ID.test(id) ? await store.get<KbArticle>(ticketKeys.kbArticle(id)) : null;
    if (!found) throw new HotlineError('KB_ARTICLE_NOT_FOUND', 'no article with this id');
    return { article: found.value, version: found.version };
  }

  async function write(article: KbArticle, storeVersion: number): Promise<boolean> {
    const result = await store.commit([{ key: ticketKeys.kbArticle(article.id), version: storeVersion }], [
      { op: 'put', key: ticketKeys.kbArticle(article.id), value: article },
      { op: 'put', key: ticketKeys.kbVersion(article.id, article.version), value: article },
      { op: 'sadd', key: ticketKeys.kbIndex, member: article.id },
      { op: 'xadd', key: CHANGES, fields: { id: article.id, version: String(article.version), by: article.updatedBy } },
    ]);
    return result.ok;
  }

  function build(id: string, input: KbArticleInput, version: number, by: string): KbArticle {
    return {
      id, title: input.title.trim(), body: input.body, tags: [...(input.tags ?? [])], unit: input.unit.trim(),
      validFrom: input.validFrom ?? null, validTo: input.validTo ?? null, version, updatedAt: clock.now(), updatedBy: by,
    };
  }

  return {
    async create(input, by) {
      validate(input);
      const id = `kb-${await store.incr('kb:seq')}`;
      const article = build(id, input, 1, by);
      if (!(await write(article, 0))) throw new HotlineError('STORE_CONFLICT', `article ${id} already exists`);
      return article;
    },
    async update(id, input, by, expectedVersion) {
      validate(input);
      const { article, version } = await read(id);
      if (expectedVersion !== undefined && expectedVersion !== article.version) {
        throw new HotlineError('STORE_CONFLICT', `article ${id} is at version ${article.version}, not ${expectedVersion}`);
      }
      const next = build(id, input, article.version + 1, by);
      if (!(await write(next, version))) throw new HotlineError('STORE_CONFLICT', `article ${id} changed meanwhile; re-read and retry`);
      return next;
    },
    get: async (id) => (await read(id)).article,
    async versions(id) {
      const { article } = await read(id);
      const docs = await store.getMany<KbArticle>(Array.from({ length: article.version }, (_, i) => ticketKeys.kbVersion(id, i + 1)));
      return docs.flatMap((d) => (d ? [d.value] : []));
    },
    async search(query, options = {}) {
      await sync();
      return index.search(query, { at: options.at ?? clock.now(), limit: options.limit ?? 10 }).map((hit) => {
        const article = articles.get(hit.id)!;
        return { ...hit, unit: article.unit, snippet: article.body.slice(0, 80) };
      });
    },
  };
}
