import { describe, expect, it } from 'vitest';
import { createKbIndex, tokenize, type KbDocument } from '../../src/tickets/kb-search.ts';
import { kbCorpus } from './fixtures/kb-corpus.ts';

function indexOf(docs: readonly KbDocument[]) {
  const index = createKbIndex();
  for (const doc of docs) index.upsert(doc);
  return index;
}

const passport: KbDocument = {
  id: 'kb-passport', title: '出入境证件：护照办理', body: '首次申请普通护照，请携带居民身份证到出入境接待大厅办理。',
  tags: ['出入境'], validFrom: null, validTo: null,
};

describe('knowledge-base search', () => {
  const corpus = kbCorpus();
  const index = indexOf([...corpus, passport]);

  describe('when tokenizing Chinese', () => {
    it('cuts Han runs into unigrams and bigrams and keeps Latin words', () => {
      expect(tokenize('护照ETC办理')).toEqual(['护', '护照', '照', 'etc', '办', '办理', '理']);
    });
  });

  describe('when the corpus has hundreds of articles', () => {
    it('holds at least 200 distinct articles', () => {
      expect(corpus.length).toBeGreaterThanOrEqual(200);
      expect(new Set(corpus.map((a) => a.title)).size).toBe(corpus.length);
    });

    it('finds 出入境证件：护照办理 for 护照 among the top hits', () => {
      const hits = index.search('护照', { limit: 10 });
      expect(hits.map((h) => h.id)).toContain('kb-passport');
      expect(hits.every((h) => h.title.includes('护照') || h.title.includes('出入境'))).toBe(true);
    });

    it('ranks the exact title first for a full question', () => {
      expect(index.search('公积金贷款材料清单')[0]!.title).toBe('住房公积金：公积金贷款材料清单');
      expect(index.search('供暖不热怎么办')[0]!.title).toContain('供暖不热');
    });

    it('ranks a title match above a body-only mention', () => {
      const hits = index.search('社保卡补办');
      expect(hits[0]!.title).toBe('社会保险：社保卡补办');
    });

    it('finds Latin terms and tolerates one typo in them', () => {
      expect(index.search('ETC')[0]!.title).toContain('ETC');
      expect(index.search('gongjijn')[0]!.title).toContain('公积金');
    });

    it('returns nothing for a query with no matching term', () => {
      expect(index.search('量子力学')).toEqual([]);
      expect(index.search('')).toEqual([]);
    });
  });

  describe('when articles have a validity window', () => {
    const dated = indexOf([
      { ...passport, id: 'old', title: '护照收费标准（旧）', validFrom: 0, validTo: 1000 },
      { ...passport, id: 'new', title: '护照收费标准（新）', validFrom: 1000, validTo: null },
    ]);

    it('returns only what is valid at the given time', () => {
      expect(dated.search('护照收费', { at: 999 }).map((h) => h.id)).toEqual(['old']);
      expect(dated.search('护照收费', { at: 1000 }).map((h) => h.id)).toEqual(['new']);
      expect(dated.search('护照收费').map((h) => h.id).sort()).toEqual(['new', 'old']);
    });
  });

  describe('when an article changes or goes away', () => {
    it('searches the new version and forgets removed articles', () => {
      const live = indexOf([passport]);
      live.upsert({ ...passport, title: '出入境证件：港澳通行证办理', body: '通行证' });
      expect(live.search('护照')).toEqual([]);
      expect(live.search('港澳')[0]!.id).toBe('kb-passport');
      live.remove('kb-passport');
      expect(live.search('港澳')).toEqual([]);
      expect(live.size).toBe(0);
    });

    it('stays correct after thousands of edits (the index compacts itself)', () => {
      const live = indexOf(kbCorpus(50));
      for (let i = 0; i < 3000; i++) live.upsert({ ...passport, title: `护照办理第${i}版` });
      expect(live.size).toBe(51);
      expect(live.search('护照办理第2999版')[0]).toMatchObject({ id: 'kb-passport', title: '护照办理第2999版' });
      expect(live.search('护照', { limit: 50 }).filter((h) => h.id === 'kb-passport')).toHaveLength(1);
      expect(live.search('社保卡补办')[0]!.title).toBe('社会保险：社保卡补办');
    });
  });
});
