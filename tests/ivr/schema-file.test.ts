import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { defaultFlowDir, readJsonFiles } from '../../src/ivr/flow-files.ts';
import { flowJsonSchema } from '../../src/ivr/flow-schema.ts';
import { baseFlow } from './support.ts';

const file = path.join(defaultFlowDir, 'schema', 'flow.schema.json');
const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

describe('ivr-flows/schema/flow.schema.json', () => {
  describe('when compared with the TypeBox definitions', () => {
    it('is current (regenerate with `tsx scripts/flows-check.ts --write-schema`)', () => {
      expect(written).toEqual(flowJsonSchema());
    });
  });

  describe('when used by an editor or another tool (Ajv, draft 2020-12)', () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(written);

    it.each(readJsonFiles(defaultFlowDir).map((f) => [path.basename(f.file), f.text]))('accepts the shipped flow %s', (_name, text) => {
      expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);
    });

    it('rejects a node with an unknown type and an option without a target', () => {
      const f = baseFlow();
      (f.nodes.welcome as Record<string, unknown>).type = 'say';
      expect(validate(f)).toBe(false);
      const g = baseFlow();
      ((g.nodes.main_menu as Record<string, Record<string, unknown>>).options!)[1] = {};
      expect(validate(g)).toBe(false);
    });
  });
});
