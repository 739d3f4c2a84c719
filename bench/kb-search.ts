/**
 * Knowledge-base search benchmark: 10,000 generated Chinese articles, a set of typical agent
 * queries, p50/p99 latency per query printed (goal: p99 ≤ 20 ms). Timing is printed, never asserted.
 * Run: npx tsx bench/kb-search.ts [articles=10000] [runs=200]
 */
import { performance } from 'node:perf_hooks';
import { createKbIndex } from '../src/tickets/kb-search.ts';
import { kbCorpus } from '../tests/tickets/fixtures/kb-corpus.ts';

const articles = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 200);

const queries = [
  '护照', '护照办理需要什么材料', '港澳通行证续签', '公积金提取', '公积金贷款额度', '社保卡补办', '养老保险缴费年限',
  '户口迁入条件', '新生儿落户', 'ETC', '网约车投诉', '跨境电商包裹', '行邮税怎么算', '个人所得税汇算', '停水', '供暖不热怎么办',
  '异地就医备案', '小学入学学区', '预付卡退费', '噪音扰民', 'gongjijin', 'huzhao', '量子力学',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const buildStart = performance.now();
const corpus = kbCorpus(articles);
const index = createKbIndex();
for (const doc of corpus) index.upsert(doc);
const buildMs = performance.now() - buildStart;
console.log(`kb-search: ${index.size} articles indexed in ${buildMs.toFixed(0)} ms; ${runs} runs per query (after 20 warm-up runs)`);
console.log('query'.padEnd(24), 'hits', ' cold ms', '  p50 ms', '  p99 ms');

let worstP99 = 0;
const all: number[] = [];
for (const query of queries) {
  // cold: the first search of a term after a change computes and caches its scored postings
  const coldStart = performance.now();
  index.search(query, { at: Date.now() });
  const cold = performance.now() - coldStart;
  for (let i = 0; i < 20; i++) index.search(query, { at: Date.now() });
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    hits = index.search(query, { at: Date.now(), limit: 10 }).length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  all.push(...times);
  worstP99 = Math.max(worstP99, percentile(times, 99));
  console.log(query.padEnd(24 - [...query].filter((c) => c.charCodeAt(0) > 255).length), String(hits).padStart(4), cold.toFixed(2).padStart(8), percentile(times, 50).toFixed(2).padStart(8), percentile(times, 99).toFixed(2).padStart(8));
}
all.sort((a, b) => a - b);
console.log(`all queries: p50 ${percentile(all, 50).toFixed(2)} ms, p99 ${percentile(all, 99).toFixed(2)} ms; worst per-query p99 ${worstP99.toFixed(2)} ms (goal ≤ 20 ms)`);
