/**
 * The one contract every store adapter passes (tests/store/memory-store.test.ts and
 * tests/store/redis-store.test.ts run it). A harness opens store instances over one shared data
 * set — two instances play two server processes on one Redis — and lets store time pass.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import { coordinationCases } from './contract-coordination.ts';
import { documentCases } from './contract-documents.ts';
import { structureCases } from './contract-structures.ts';

export interface StoreHarness {
  /** A new store instance over the same data (another server instance). */
  open(): Store;
  /** Lets `ms` of store time pass, for TTLs and leases. */
  advance(ms: number): Promise<void>;
  /** Closes every instance it opened and removes the data. */
  dispose(): Promise<void>;
}

/** What each group of cases sees: the current test's harness and its first store instance. */
export interface ContractContext {
  readonly harness: StoreHarness;
  readonly store: Store;
}

/** Registers the store contract for the adapter `unit`; `makeHarness` runs before each test. */
export function storeContract(unit: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(unit, () => {
    let harness: StoreHarness | undefined;
    let store: Store | undefined;
    beforeEach(async () => {
      harness = await makeHarness();
      store = harness.open();
    });
    afterEach(async () => {
      await harness?.dispose();
      harness = undefined;
      store = undefined;
    });
    const context: ContractContext = {
      get harness() {
        if (!harness) throw new Error('no harness outside a test');
        return harness;
      },
      get store() {
        if (!store) throw new Error('no store outside a test');
        return store;
      },
    };
    documentCases(context);
    structureCases(context);
    coordinationCases(context);
  });
}
