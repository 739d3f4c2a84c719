/**
 * At boot: every flow file in ivr-flows/ whose flow has no live version yet is published once,
 * by author `system`. A flow that already has a live version is left alone, so editing a file
 * never changes what callers hear — only a publish does. Several instances booting together race
 * safely: the publish expects "no version", so exactly one wins and the others see a conflict.
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
  for (const file of files) {
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
    } catch (error) {
      result.failed.push({ file, reason: `not readable JSON: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
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

function asFindings(value: unknown): Array<{ rule: string; path: string; message: string }> {
  return Array.isArray(value) ? (value as Array<{ rule: string; path: string; message: string }>) : [];
}
