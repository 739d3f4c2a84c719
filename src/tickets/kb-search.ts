/**
 * Knowledge-base search for Chinese text, which has no spaces between words: Han runs are cut
 * into character bigrams and unigrams, Latin letters and digits into words; documents are ranked
 * by BM25F over title (boosted), tags and body. "护照" finds "出入境证件：护照办理" through its
 * bigram. Latin words (ETC, pinyin such as "huzhao") tolerate one typo when nothing matches exactly.
 * Articles outside their valid-from/to window are not returned.
 *
 * In-memory and synchronous: the service rebuilds it from the store at start and keeps it current.
 */

/** An article as the index sees it. */
export interface KbDocument {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  /** Valid from (ms, inclusive); null = always. */
  readonly validFrom: number | null;
  /** Valid until (ms, exclusive); null = open-ended. */
  readonly validTo: number | null;
}

export interface KbHit {
  readonly id: string;
  readonly title: string;
  readonly score: number;
}

export interface KbSearchOptions {
  /** Only articles valid at this instant (ms). Default: all. */
  readonly at?: number;
  /** At most this many hits (default 10). */
  readonly limit?: number;
}

export interface KbIndex {
  /** Adds or replaces an article. */
  upsert(doc: KbDocument): void;
  remove(id: string): void;
  search(query: string, options?: KbSearchOptions): KbHit[];
  readonly size: number;
}

interface Slot {
  readonly doc: KbDocument;
  /** Lengths in tokens: title, tags, body. */
  readonly lengths: readonly [number, number, number];
  readonly tokens: readonly string[];
}

const FIELD_BOOST = [3, 2, 1] as const;
const K1 = 1.2;
const B = 0.75;
const UNIGRAM_WEIGHT = 0.3;

const HAN = /\p{Script=Han}/u;

/** Cuts text into index tokens: Han bigrams and unigrams, lowercased Latin/digit words. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const runs = text.normalize('NFKC').toLowerCase().match(/\p{Script=Han}+|[a-z0-9]+/gu) ?? [];
  for (const run of runs) {
    if (!HAN.test(run[0]!)) {
      tokens.push(run);
      continue;
    }
    const chars = [...run];
    for (let i = 0; i < chars.length; i++) {
      tokens.push(chars[i]!);
      if (i + 1 < chars.length) tokens.push(chars[i]! + chars[i + 1]!);
    }
  }
  return tokens;
}

function isUnigram(token: string): boolean {
  return token.length === 1 && HAN.test(token);
}

export function createKbIndex(): KbIndex {
  const slots: Array<Slot | undefined> = [];
  const slotOf = new Map<string, number>();
  const postings = new Map<string, Map<number, [number, number, number]>>();
  const latinVocabulary = new Map<string, number>();
  const totals = [0, 0, 0];
  let live = 0;

  function add(doc: KbDocument): void {
    const fields = [tokenize(doc.title), tokenize(doc.tags.join(' ')), tokenize(doc.body)] as const;
    const slot = slots.length;
    const unique = new Set<string>();
    fields.forEach((tokens, f) => {
      for (const token of tokens) {
        let list = postings.get(token);
        if (!list) postings.set(token, (list = new Map()));
        let tf = list.get(slot);
        if (!tf) list.set(slot, (tf = [0, 0, 0]));
        tf[f]!++;
        unique.add(token);
      }
      totals[f]! += tokens.length;
    });
    for (const token of unique) if (!HAN.test(token)) latinVocabulary.set(token, (latinVocabulary.get(token) ?? 0) + 1);
    slots.push({ doc, lengths: [fields[0].length, fields[1].length, fields[2].length], tokens: [...unique] });
    slotOf.set(doc.id, slot);
    live++;
  }

  function remove(id: string): void {
    const slot = slotOf.get(id);
    if (slot === undefined) return;
    const entry = slots[slot]!;
    for (const token of entry.tokens) {
      const list = postings.get(token)!;
      list.delete(slot);
      if (list.size === 0) postings.delete(token);
      const count = latinVocabulary.get(token);
      if (count === 1) latinVocabulary.delete(token);
      else if (count !== undefined) latinVocabulary.set(token, count - 1);
    }
    entry.lengths.forEach((length, f) => (totals[f]! -= length));
    slots[slot] = undefined;
    slotOf.delete(id);
    live--;
  }

  /** Invalidates cached scores; rebuilds when removed slots outnumber live ones (edits leave holes). */
  function changed(): void {
    generation++;
    if (slots.length < 1000 || slots.length < 2 * live) return;
    const docs = slots.flatMap((slot) => (slot ? [slot.doc] : []));
    slots.length = 0;
    slotOf.clear();
    postings.clear();
    latinVocabulary.clear();
    scoredCache.clear();
    totals.fill(0);
    live = 0;
    for (const doc of docs) add(doc);
  }

  function queryTerms(query: string): Array<[string, number]> {
    const tokens = [...new Set(tokenize(query))];
    const hasBigram = tokens.some((t) => HAN.test(t) && t.length > 1);
    const terms: Array<[string, number]> = [];
    for (const token of tokens) {
      if (isUnigram(token)) terms.push([token, hasBigram ? UNIGRAM_WEIGHT : 1]);
      else if (HAN.test(token) || postings.has(token)) terms.push([token, 1]);
      else for (const near of closeWords(token)) terms.push([near, 0.8]);
    }
    return terms;
  }

  function closeWords(word: string): string[] {
    if (word.length < 3) return [];
    return [...latinVocabulary.keys()].filter((candidate) => Math.abs(candidate.length - word.length) <= 1 && withinOneEdit(word, candidate));
  }

  /** Per term: its documents and their saturated BM25F term weights, cached until the index changes. */
  interface Scored { readonly generation: number; readonly slots: Int32Array; readonly weights: Float64Array; readonly idf: number }
  const scoredCache = new Map<string, Scored>();
  let generation = 0;

  function scored(token: string): Scored | undefined {
    const cached = scoredCache.get(token);
    if (cached && cached.generation === generation) return cached;
    const list = postings.get(token);
    if (!list) return undefined;
    const average = totals.map((total) => (live === 0 ? 1 : Math.max(1, total / live)));
    const result: Scored = { generation, slots: new Int32Array(list.size), weights: new Float64Array(list.size), idf: Math.log(1 + (live - list.size + 0.5) / (list.size + 0.5)) };
    let i = 0;
    for (const [slot, tf] of list) {
      const lengths = slots[slot]!.lengths;
      let weighted = 0;
      for (let f = 0; f < 3; f++) if (tf[f]! > 0) weighted += (FIELD_BOOST[f]! * tf[f]!) / (1 - B + (B * lengths[f]!) / average[f]!);
      result.slots[i] = slot;
      result.weights[i++] = (weighted * (K1 + 1)) / (weighted + K1);
    }
    scoredCache.set(token, result);
    return result;
  }

  function search(query: string, options: KbSearchOptions = {}): KbHit[] {
    const terms = queryTerms(query).map(([token, weight]) => ({ token, weight, scored: scored(token) }));
    const scores = new Float64Array(slots.length);
    const matched = new Int32Array(slots.length);
    const candidates: number[] = [];
    // a document must match a word or bigram of the query; only when none does anywhere, enough single characters
    const strong = terms.filter((t) => !isUnigram(t.token) && t.scored);
    const weak = terms.filter((t) => isUnigram(t.token) && t.scored);
    for (const term of strong.length > 0 ? strong : weak) {
      const { slots: list, weights, idf } = term.scored!;
      for (let i = 0; i < list.length; i++) {
        const slot = list[i]!;
        if (matched[slot] === 0) candidates.push(slot);
        matched[slot] = matched[slot]! + 1;
        scores[slot]! += term.weight * idf * weights[i]!;
      }
    }
    if (strong.length > 0) {
      for (const term of weak) {
        const { slots: list, weights, idf } = term.scored!;
        for (let i = 0; i < list.length; i++) if (matched[list[i]!]! > 0) scores[list[i]!]! += term.weight * idf * weights[i]!;
      }
    }
    const minMatched = strong.length > 0 ? 1 : Math.max(1, Math.ceil(0.6 * terms.filter((t) => isUnigram(t.token)).length));
    return topHits(candidates.filter((slot) => matched[slot]! >= minMatched && validAt(slots[slot]!.doc, options.at)), scores, options.limit ?? 10);
  }

  function topHits(candidates: number[], scores: Float64Array, limit: number): KbHit[] {
    const top: number[] = [];
    const better = (a: number, b: number): boolean => scores[a]! > scores[b]! || (scores[a] === scores[b] && slots[a]!.doc.id < slots[b]!.doc.id);
    for (const slot of candidates) {
      if (top.length === limit && !better(slot, top[top.length - 1]!)) continue;
      let at = top.length === limit ? top.length - 1 : top.length;
      while (at > 0 && better(slot, top[at - 1]!)) at--;
      top.splice(at, 0, slot);
      if (top.length > limit) top.pop();
    }
    return top.map((slot) => ({ id: slots[slot]!.doc.id, title: slots[slot]!.doc.title, score: scores[slot]! }));
  }

  return {
    upsert(doc) {
      remove(doc.id);
      add(doc);
      changed();
    },
    remove(id) {
      remove(id);
      changed();
    },
    search,
    get size() {
      return live;
    },
  };
}

function validAt(doc: KbDocument, at: number | undefined): boolean {
  return at === undefined || ((doc.validFrom === null || at >= doc.validFrom) && (doc.validTo === null || at < doc.validTo));
}

/** Levenshtein distance ≤ 1. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { i++; j++; continue; }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (a.length < b.length) j++;
    else { i++; j++; }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
