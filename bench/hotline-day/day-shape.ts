/**
 * The day's shape from the environment (bench/hotline-day.ts lists the knobs). The default is half
 * the brief's shape (1,000 simultaneous calls, 250 agents, 250 consoles), so that `npm run bench`
 * ends within about ten minutes; `CONCURRENT=2000 AGENTS=500 SUPERVISORS=500` is the full day.
 */
import type { Shape } from './shared.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

export function dayShape(): Shape {
  const agents = env('AGENTS', 250);
  return {
    concurrent: env('CONCURRENT', 1000),
    agents,
    experts: env('EXPERTS', Math.round(agents / 10)),
    supervisors: env('SUPERVISORS', 250),
    rampS: env('RAMP_S', 20),
    holdS: env('HOLD_S', 40),
    feedbackShare: env('FEEDBACK', 0.05),
    threeWayShare: env('THREE_WAY', 0.1),
    impatientShare: env('IMPATIENT', 0.2),
    patienceS: [env('PATIENCE_MIN_S', 10), env('PATIENCE_MAX_S', 60)],
    talkMs: [env('TALK_MIN_MS', 8000), env('TALK_MAX_MS', 16000)],
    agentHangsUpShare: env('AGENT_HANGS_UP', 0.7),
    ringMs: env('RING_MS', 500),
    wrapMs: env('WRAP_MS', 1000),
    consultAfterMs: 1000,
    conferenceMs: 3000,
    messageMs: 2000,
    totalCalls: env('TOTAL_CALLS', 0),
    seed: env('SEED', 12345),
  };
}
