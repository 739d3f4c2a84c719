/**
 * A call the IVR cannot run a flow for (no published version, a state it cannot resume, a live
 * call found without state after a restart): it goes straight to the fallback queue and waits
 * there until an agent takes it or the caller hangs up. Same shape as an IVR session.
 */
import type { Logger } from '../../log.ts';
import type { CallFacts, IvrSession, SessionDeps } from './ivr-session.ts';

export function createParkedCall(
  deps: SessionDeps, call: CallFacts, queueId: string, log: Logger, onEnd: (session: IvrSession) => void,
): IvrSession {
  const gone = new AbortController();
  let ended = false;
  const saved = deps.states.save({ ...call, state: null, parkedQueue: queueId, savedAt: deps.clock.now() })
    .catch((error: unknown) => log.warn({ err: error }, 'could not save the parked call'));
  const end = () => {
    if (ended) return;
    ended = true;
    void saved.then(() => deps.states.remove(call.channelId)).catch((error: unknown) => log.warn({ err: error }, 'could not remove the saved call'));
    onEnd(session);
  };
  const session: IvrSession = {
    channelId: call.channelId, flowId: '', version: '',
    state: () => null,
    feed: () => undefined,
    callerGone() {
      gone.abort();
      end();
    },
    recordingEnded: () => undefined,
    stop() {
      ended = true;
    },
    idle: () => Promise.resolve(),
  };
  const requestId = `parked-${call.channelId}`;
  deps.queue.enqueue(call.channelId, queueId, 9, { reason: 'no-ivr' }, {
    channelId: call.channelId, requestId, signal: gone.signal, arrivedAt: deps.clock.now(), callerNumber: call.callerNumber,
    onOutcome: (outcome) => {
      log.info({ outcome }, 'parked call left the queue');
      if (outcome !== 'answered') void deps.telephony.hangup(call.channelId, 'congestion').catch(() => undefined);
      end(); // the queue has the call now, or it was hung up: either way this session is done
    },
  }).catch((error: unknown) => {
    log.error({ err: error }, 'could not queue the parked call');
    void deps.telephony.hangup(call.channelId, 'congestion').catch(() => undefined);
    end();
  });
  return session;
}
