import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKbService, type KbService } from '../../src/tickets/kb-service.ts';
import { kbCorpus } from './fixtures/kb-corpus.ts';
import { backends, type Backend } from './support.ts';

describe.each(backends('tickets-kb'))('knowledge base on the %s store', (_name, makeBackend) => {
  let backend: Backend;
  let kb: KbService;

  beforeEach(() => {
    backend = makeBackend();
    kb = createKbService({ store: backend.open(), clock: backend.clock });
  });
  afterEach(() => backend.dispose());

  describe('when 200 articles are maintained through the service', () => {
    it('finds 出入境证件：护照办理 for 护照, also from another instance', async () => {
      for (const article of kbCorpus(200)) await kb.create(article, 'admin');
      const hits = await kb.search('护照办理');
      expect(hits[0]).toMatchObject({ title: '出入境证件：护照办理', unit: '市公安局出入境管理支队' });
      const other = createKbService({ store: backend.open(), clock: backend.clock });
      expect((await other.search('护照')).map((h) => h.title)).toContain('出入境证件：护照办理');
    });
  });

  describe('when an article is edited', () => {
    it('keeps every version and searches the newest', async () => {
      const v1 = await kb.create({ title: '公积金提取条件', body: '购房可提取', unit: '市住房公积金管理中心' }, 'unit-a');
      expect((await kb.search('公积金')).map((h) => h.id)).toEqual([v1.id]);
      const other = createKbService({ store: backend.open(), clock: backend.clock });
      await other.update(v1.id, { title: '住房公积金租房提取', body: '租房可按月提取', unit: '市住房公积金管理中心' }, 'unit-b', 1);
      expect((await kb.search('租房提取'))[0]).toMatchObject({ id: v1.id, title: '住房公积金租房提取' });
      expect(await kb.search('条件')).toEqual([]);
      expect((await kb.versions(v1.id)).map((a) => [a.version, a.title, a.updatedBy])).toEqual([[1, '公积金提取条件', 'unit-a'], [2, '住房公积金租房提取', 'unit-b']]);
      await expect(kb.update(v1.id, { title: 'x', body: 'y', unit: 'z' }, 'unit-a', 1)).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    });
  });

  describe('when an article is outside its validity window', () => {
    it('is not found before it starts or after it ends', async () => {
      const now = backend.clock.now();
      await kb.create({ title: '春节期间办事指南', body: '节假日安排', unit: '12345热线', validFrom: now + 1000, validTo: now + 2000 }, 'admin');
      expect(await kb.search('春节')).toEqual([]);
      await backend.clock.advance(1000);
      expect(await kb.search('春节')).toHaveLength(1);
      await backend.clock.advance(1000);
      expect(await kb.search('春节')).toEqual([]);
    });
  });

  describe('when input is bad', () => {
    it('refuses it with coded errors', async () => {
      await expect(kb.create({ title: '', body: '', unit: 'u' }, 'a')).rejects.toMatchObject({ code: 'TICKET_INVALID' });
      await expect(kb.get('kb-999')).rejects.toMatchObject({ code: 'KB_ARTICLE_NOT_FOUND' });
      await expect(kb.get('../etc')).rejects.toMatchObject({ code: 'KB_ARTICLE_NOT_FOUND' });
    });
  });
});
