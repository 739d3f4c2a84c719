/**
 * The feedback key filing a real ticket through the ticket service: a phone suggestion with the
 * call and the recording attached, once per request even when a resumed call asks again.
 */
import { describe, expect, it, afterEach } from 'vitest';
import { createTicketServiceIntake } from '../../src/ivr/runtime/ticket-service-intake.ts';
import { systemClock } from '../../src/clock.ts';
import { createMemoryStore } from '../../src/store/memory-store.ts';
import { createTicketService, type TicketService } from '../../src/tickets/ticket-service.ts';
import { nextEvent, until } from '../support/sim-events.ts';
import { logger, nothingLeft, sounds12345 as s, startRig, type IvrRig } from './ivr-harness.ts';

describe('IVR runtime filing tickets through the ticket service', () => {
  let rig: IvrRig | undefined;
  afterEach(async () => {
    if (rig) await nothingLeft(rig.sim);
    await rig?.close();
    rig = undefined;
  });

  describe('when a resumed call asks for the same ticket again', () => {
    it('returns the first ticket and creates no second one', async () => {
      const store = createMemoryStore();
      const tickets = createTicketService({ store, clock: systemClock, logger });
      const intake = createTicketServiceIntake({ tickets, store });
      const fields = {
        callId: '1795395600.0', requestId: 'ticket-6', flowId: '12345', flowVersion: 'f'.repeat(64), did: '12345',
        callerNumber: '13800138000', category: 'suggestion', content: '意见建议留言', recording: 'ivr/1795395600_0/feedback-r5', fields: {},
      };
      const first = await intake.fileFromIvr(fields);
      const second = await intake.fileFromIvr(fields);
      expect(second.ticketId).toBe(first.ticketId);
      expect((await tickets.history('13800138000')).map((t) => t.id)).toEqual([first.ticketId]);
    });
  });

  describe('when the caller leaves a suggestion with the feedback key', () => {
    it('creates one registered phone ticket with the call and the recording', async () => {
      let tickets: TicketService | undefined;
      rig = await startRig({
        ticketIntake: ({ store, clock }) => {
          tickets = createTicketService({ store, clock, logger });
          return createTicketServiceIntake({ tickets, store });
        },
      });
      const r = rig;
      const { channelId } = await r.sim.control.placeCall({ from: '13800138000', did: '12345' });
      await r.hears(channelId, s.greeting);
      const menu = r.hears(channelId, s.main);
      await r.advance(channelId, 1000);
      await menu;
      const prompt = r.hears(channelId, s.record);
      await r.sim.control.sendDtmf(channelId, { digits: '9' });
      await prompt;
      const recording = nextEvent(r.sim, (e) => e['type'] === 'RecordingStarted', 'the recording');
      await r.advance(channelId, 1000);
      await recording;
      await r.advance(channelId, 5000);
      const thanks = r.hears(channelId, s.thanks);
      await r.sim.control.sendDtmf(channelId, { digits: '#' });
      await thanks;

      const history = await tickets!.history('13800138000');
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({
        state: 'registered', channel: 'phone', category: 'suggestion', urgency: 'general', callIds: [channelId],
        recordingIds: [expect.stringMatching(/^ivr\/.+\/feedback-r\d+$/)], createdBy: 'ivr',
      });
      await r.sim.control.hangup(channelId);
      await until(() => r.calls.activeCalls() === 0, 'the call ended');
    });
  });
});
