/**
 * How a live call's keys and silences are handled: barge-in, type-ahead, the first-digit and
 * inter-digit timeouts and the escalating retries, all on the manual clock (prompts last 1 s each
 * in the simulator). A test flow is published for DID 8001, a transfer test flow for DID 8003.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Flow } from '../../src/ivr/flow-schema.ts';
import { nextEvent, until } from '../support/sim-events.ts';
import { nothingLeft, startRig, type IvrRig } from './ivr-harness.ts';

const p = (sound: string) => ({ 'zh-CN': { sound: `sound:test/${sound}` } });

const inputFlow: Flow = {
  id: 'input-test', title: 'input behaviour', languages: ['zh-CN'], entry: 'notice',
  nodes: {
    notice: { type: 'play', prompt: p('notice'), bargeIn: false, next: 'menu' },
    menu: {
      type: 'menu', prompt: p('menu'), shortPrompt: p('menu-short'),
      noInputPrompts: [p('noinput-1'), p('noinput-2')], noMatchPrompts: [p('nomatch-1')],
      options: { 1: { next: 'one' }, 23: { next: 'two_three' } },
      firstDigitTimeoutMs: 5000, interDigitTimeoutMs: 3000, maxNoInput: 3, maxNoMatch: 2,
      next: { noInput: 'to_agent', noMatch: 'to_agent' },
    },
    one: { type: 'play', prompt: p('one'), next: 'bye' },
    two_three: { type: 'play', prompt: p('two-three'), next: 'bye' },
    to_agent: { type: 'queue', queue: 'general', next: { timeout: 'bye', full: 'bye', noAgents: 'bye' } },
    bye: { type: 'hangup' },
  },
};

/** A notice, then a transfer that the test answers; when it fails a menu offers a message (2). */
const transferFlow: Flow = {
  id: 'transfer-test', title: 'back from a transfer', languages: ['zh-CN'], entry: 'notice',
  nodes: {
    notice: { type: 'play', prompt: p('notice'), bargeIn: false, next: 'out' },
    out: { type: 'transfer', destination: '120', next: { failed: 'menu' } },
    menu: { type: 'menu', prompt: p('menu'), options: { 2: { next: 'message' } }, next: { noInput: 'bye', noMatch: 'bye' } },
    message: { type: 'play', prompt: p('message'), next: 'bye' },
    bye: { type: 'hangup' },
  },
};

describe('IVR runtime input handling', () => {
  let rig: IvrRig | undefined;
  afterEach(async () => {
    if (rig) await nothingLeft(rig.sim);
    await rig?.close();
    rig = undefined;
  });

  async function call(): Promise<{ r: IvrRig; channelId: string }> {
    rig = await startRig({ publishShipped: false, didFlows: { didFlows: { 8001: 'input-test' } } });
    await rig.versions.publish({ flow: inputFlow, author: 'test', message: 'input test flow', expectedHash: null });
    const { channelId } = await rig.sim.control.placeCall({ from: '13800138000', did: '8001' });
    await rig.hears(channelId, 'sound:test/notice');
    return { r: rig, channelId };
  }

  /** Lets the notice play out and the menu prompt start. */
  async function toMenu(r: IvrRig, channelId: string): Promise<void> {
    const menu = r.hears(channelId, 'sound:test/menu');
    await r.advance(channelId, 1000);
    await menu;
  }

  async function hangUp(r: IvrRig, channelId: string): Promise<void> {
    if (!(await r.sim.control.channel(channelId)).hungUp) await r.sim.control.hangup(channelId);
    await until(() => r.calls.activeCalls() === 0, 'the call ended');
  }

  describe('when a key is pressed during a prompt that allows barge-in', () => {
    it('stops the prompt at once and goes on without waiting for its end', async () => {
      const { r, channelId } = await call();
      await toMenu(r, channelId);
      const one = r.hears(channelId, 'sound:test/one');
      await r.sim.control.sendDtmf(channelId, { digits: '1' });
      await one; // the clock did not move: the menu prompt was stopped, not played out
      const { heard } = await r.sim.control.channel(channelId);
      const menu = heard.find((h) => (h['media'] as string[] | undefined)?.[0] === 'sound:test/menu');
      const next = heard.find((h) => (h['media'] as string[] | undefined)?.[0] === 'sound:test/one');
      expect(next?.at).toBe(menu?.at);
      await hangUp(r, channelId);
    });
  });

  describe('when a key is pressed during a notice without barge-in', () => {
    it('plays the notice to its end, then the menu takes the typed-ahead key without prompting', async () => {
      const { r, channelId } = await call();
      await r.sim.control.sendDtmf(channelId, { digits: '1' });
      await until(() => r.calls.session(channelId)?.state()?.typeAhead === '1', 'the key is typed ahead');
      await r.settle(channelId);
      expect(await r.played(channelId)).toEqual(['sound:test/notice']);
      const one = r.hears(channelId, 'sound:test/one');
      await r.advance(channelId, 1000);
      await one;
      expect(await r.played(channelId)).toEqual(['sound:test/notice', 'sound:test/one']);
      await hangUp(r, channelId);
    });
  });

  describe('when the caller stays silent', () => {
    it('waits the first-digit timeout after the prompt, escalates the retry prompts, then queues the caller', async () => {
      const { r, channelId } = await call();
      await toMenu(r, channelId);
      await r.advance(channelId, 1000); // menu prompt ends: the 5 s first-digit timer starts
      await r.advance(channelId, 4999);
      expect(await r.played(channelId)).toEqual(['sound:test/notice', 'sound:test/menu']);
      const first = r.hears(channelId, 'sound:test/noinput-1');
      await r.advance(channelId, 1);
      await first;
      const second = r.hears(channelId, 'sound:test/noinput-2');
      await r.advance(channelId, 2000 + 5000); // hint + short prompt, then the timeout again
      await second;
      await r.advance(channelId, 2000 + 4999);
      expect(r.queue.parked().size).toBe(0);
      await r.advance(channelId, 1);
      await until(() => r.queue.parked().get(channelId) === 'general', 'queued after the third no-input');
      const media = (await r.sim.control.channel(channelId)).heard.filter((h) => h.kind === 'playback').map((h) => h['media']);
      expect(media).toEqual([
        ['sound:test/notice'], ['sound:test/menu'],
        ['sound:test/noinput-1', 'sound:test/menu-short'], ['sound:test/noinput-2', 'sound:test/menu-short'],
      ]);
      await hangUp(r, channelId);
    });
  });

  describe('when the caller stops typing in the middle of a key sequence', () => {
    it('ends the input after the inter-digit timeout (a no-match here), then accepts the full sequence', async () => {
      const { r, channelId } = await call();
      await toMenu(r, channelId);
      const stopped = nextEvent(r.sim, (e) => e['type'] === 'PlaybackFinished', 'the menu prompt stopped by the key');
      await r.sim.control.sendDtmf(channelId, { digits: '2' });
      await stopped;
      await r.settle(channelId);
      await r.advance(channelId, 2999);
      expect(await r.played(channelId)).toEqual(['sound:test/notice', 'sound:test/menu']);
      const retry = r.hears(channelId, 'sound:test/nomatch-1');
      await r.advance(channelId, 1);
      await retry;
      const done = r.hears(channelId, 'sound:test/two-three');
      await r.sim.control.sendDtmf(channelId, { digits: '23' });
      await done;
      const hungUp = until(async () => (await r.sim.control.channel(channelId)).hungUp, 'the flow hung up');
      await r.advance(channelId, 1000);
      await hungUp;
      await until(() => r.calls.activeCalls() === 0, 'the call ended');
    });
  });

  describe('when the caller keeps pressing wrong keys', () => {
    it('counts no-matches apart and queues the caller after the second', async () => {
      const { r, channelId } = await call();
      await toMenu(r, channelId);
      const retry = r.hears(channelId, 'sound:test/nomatch-1');
      await r.sim.control.sendDtmf(channelId, { digits: '9' });
      await retry;
      await r.sim.control.sendDtmf(channelId, { digits: '9' });
      await until(() => r.queue.parked().get(channelId) === 'general', 'queued after the second no-match');
      await hangUp(r, channelId);
    });
  });

  describe('when the caller presses keys while a transfer rings and the transfer fails', () => {
    it('the next menu plays its prompt and waits for a new key instead of acting on the keys pressed while it rang', async () => {
      let ringing: ((ok: boolean) => void) | undefined;
      rig = await startRig({
        publishShipped: false, didFlows: { didFlows: { 8003: 'transfer-test' } },
        transfer: { transfer: () => new Promise<boolean>((resolve) => { ringing = resolve; }) },
      });
      const r = rig;
      await r.versions.publish({ flow: transferFlow, author: 'test', message: 'transfer test flow', expectedHash: null });
      const { channelId } = await r.sim.control.placeCall({ from: '13800138000', did: '8003' });
      let keys = 0;
      r.telephony.port.onEvent((e) => { if (e.type === 'dtmf' && e.channelId === channelId) keys += 1; });
      await r.hears(channelId, 'sound:test/notice');
      await r.sim.control.sendDtmf(channelId, { digits: '2' }); // during the notice: typed ahead
      await until(() => r.calls.session(channelId)?.state()?.typeAhead === '2', 'the key is typed ahead');
      await r.advance(channelId, 1000);
      await until(() => ringing !== undefined, 'the transfer rings');
      await r.sim.control.sendDtmf(channelId, { digits: '22' }); // while it rings: the menu's option
      await until(() => keys === 3, 'the keys pressed while it rings reach the runtime');
      await r.settle(channelId);

      ringing!(false); // busy
      await until(async () => (await r.played(channelId)).length > 1, 'the flow goes on after the failed transfer');
      await r.advance(channelId, 1000); // the menu prompt plays out: keys typed before would show now
      expect(await r.played(channelId)).toEqual(['sound:test/notice', 'sound:test/menu']);
      expect(r.calls.session(channelId)?.state()).toMatchObject({ node: 'menu', phase: 'listen' });

      const message = r.hears(channelId, 'sound:test/message');
      await r.sim.control.sendDtmf(channelId, { digits: '2' });
      await message;
      await hangUp(r, channelId);
    });
  });
});
