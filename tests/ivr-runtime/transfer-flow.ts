import type { Flow } from '../../src/ivr/flow-schema.ts';

const p = (sound: string) => ({ 'zh-CN': { sound: `sound:test/${sound}` } });

/** A notice, then a transfer to 120; when it fails, a message and goodbye (the IVR transfer tests). */
export const transferFlow: Flow = {
  id: 'transfer-test', title: 'transfer to 120', languages: ['zh-CN'], entry: 'notice',
  nodes: {
    notice: { type: 'play', prompt: p('notice'), bargeIn: false, next: 'out' },
    out: { type: 'transfer', destination: '120', next: { failed: 'sorry' } },
    sorry: { type: 'play', prompt: p('sorry'), next: 'bye' },
    bye: { type: 'hangup' },
  },
};
