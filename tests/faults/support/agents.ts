/**
 * The seats of a fault test: `count` agents from extension 1001 with the general skill, logged in
 * and ready; their phones answer after 50–290 ms unless listed as `manual` (they ring until the
 * test answers, and their agents start not ready).
 */
import type { AcdState } from '../../../src/acd/acd-state.ts';
import type { Simulator } from '../../../src/sim/simulator.ts';

export const agentOf = (extension: string): string => `agent${extension}`;

export async function seatAgents(sim: Simulator, acd: AcdState, count: number, manual: readonly string[] = []): Promise<string[]> {
  const extensions = await seatPhones(sim, count, manual);
  for (const extension of extensions) {
    await acd.upsertAgent(agentOf(extension), { extension, skills: { general: 5 } });
    await acd.applyAgent(agentOf(extension), { type: 'login', ready: !manual.includes(extension) });
  }
  return extensions;
}

/** The seats' phones on a (new) simulator: extensions 1001… answer after 50–290 ms, `manual` ones ring until answered. */
export async function seatPhones(sim: Simulator, count: number, manual: readonly string[] = []): Promise<string[]> {
  const extensions = Array.from({ length: count }, (_, i) => String(1001 + i));
  for (const extension of extensions) {
    await sim.control.setEndpoint('PJSIP', extension, manual.includes(extension)
      ? { behavior: 'manual' }
      : { behavior: 'answer', answerAfterMs: 50 + (Number(extension) % 7) * 40 });
  }
  return extensions;
}
