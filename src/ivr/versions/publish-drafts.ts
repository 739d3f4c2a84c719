/**
 * At boot: every flow file in ivr-flows/ whose flow has no live version yet is published once,
 * by author `system`. A flow that already has a live version is left alone, so editing a file
 * never changes what callers hear — only a publish does. Several instances booting together race
 * safely: the publish expects "no version", so exactly one wins and the others see a conflict.
 * Flows named by another draft's subflow node are published first (the parent inlines their live version).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isHotlineError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { formatFindings } from '../lint.ts';
import type { FlowVersions } from './flow-versions.ts';

export interface PublishDraftsResult {
  /** Flow ids published now. */
  readonly published: string[];
  /** Flow ids that already had a live version (or another instance published first). */
  readonly kept: string[];
  /** Files that did not pass the linter, with the reason. */
  readonly failed: Array<{ file: string; reason: string }>;
}

/** Publishes the drafts in `dir` (`*.json`, not in subfolders) that have no live version. */
export async function publishDraftsOnce(versions: FlowVersions, dir: string, logger: Logger): Promise<PublishDraftsResult> {
  const result: PublishDraftsResult = { published: [], kept: [], failed: [] };
  const files = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => entry.name)
    .sort();
  const drafts: Array<{ file: string; doc: unknown }> = [];
  for (const file of files) {
    try {
      drafts.push({ file, doc: JSON.parse(await readFile(path.join(dir, file), 'utf8')) });
    } catch (error) {
      result.failed.push({ file, reason: `not readable JSON: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  for (const { file, doc } of childrenFirst(drafts)) {
    const id = typeof doc === 'object' && doc !== null && typeof (doc as { id?: unknown }).id === 'string' ? (doc as { id: string }).id : undefined;
    if (id !== undefined && (await versions.aliases(id).catch(() => null))?.live) {
      result.kept.push(id);
      continue;
    }
    try {
      const { version } = await versions.publish({
        flow: doc, author: 'system', message: `initial version from ivr-flows/${file}`, expectedHash: null,
      });
      result.published.push(version.flowId);
      logger.info({ flowId: version.flowId, hash: version.hash, file }, 'published the initial version of a flow');
    } catch (error) {
      if (isHotlineError(error, 'FLOW_VERSION_CONFLICT')) {
        result.kept.push(id ?? file);
        continue;
      }
      const reason = isHotlineError(error, 'FLOW_INVALID')
        ? formatFindings({ ok: false, publishable: false, errors: asFindings(error.details?.['errors']), warnings: asFindings(error.details?.['warnings']), flow: undefined }).join('; ')
        : error instanceof Error ? error.message : String(error);
      result.failed.push({ file, reason });
      logger.error({ file, reason }, 'a flow file cannot be published; its DIDs go to the fallback queue until it is fixed');
    }
  }
  return result;
}

/** The drafts ordered so that a flow named by another's subflow node is published before it. */
function childrenFirst<T extends { doc: unknown }>(drafts: readonly T[]): T[] {
  const named = (doc: unknown): string[] => {
    const nodes = typeof doc === 'object' && doc !== null ? (doc as { nodes?: unknown }).nodes : undefined;
    if (typeof nodes !== 'object' || nodes === null) return [];
    return Object.values(nodes).flatMap((n: unknown) => {
      const node = n as { type?: unknown; flow?: unknown } | null;
      return node !== null && typeof node === 'object' && node.type === 'subflow' && typeof node.flow === 'string' ? [node.flow] : [];
    });
  };
  const idOf = (doc: unknown): unknown => (typeof doc === 'object' && doc !== null ? (doc as { id?: unknown }).id : undefined);
  const out: T[] = [];
  const placed = new Set<unknown>();
  let rest = [...drafts];
  // each pass places the drafts whose children are placed (or not among the drafts); a loop is placed last, and refused
  while (rest.length > 0) {
    const ready = rest.filter((d) => named(d.doc).every((id) => placed.has(id) || !drafts.some((o) => idOf(o.doc) === id)));
    const next = ready.length > 0 ? ready : rest;
    for (const d of next) { out.push(d); placed.add(idOf(d.doc)); }
    rest = rest.filter((d) => !next.includes(d));
  }
  return out;
}

function asFindings(value: unknown): Array<{ rule: string; path: string; message: string }> {
  return Array.isArray(value) ? (value as Array<{ rule: string; path: string; message: string }>) : [];
}
