import { createMemoryData } from '../../src/store/memory-data.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { flowVersionsContract } from './flow-versions-contract.ts';

flowVersionsContract('flow versions on the memory store', async () => {
  const data = createMemoryData();
  return { open: () => createMemoryStore({ data }), dispose: async () => {} };
});
