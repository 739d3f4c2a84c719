/**
 * Inbound calls: a caller dials a DID and the simulator's dialplan runs `Stasis(app,DID)`. Like
 * the traces, the caller is a Local pair: `Local/<DID>@hotline-in-<n>;2` enters Stasis (state
 * Ring) and its `;1` half is the caller's phone, never in Stasis. With `tech: 'PJSIP'` the caller
 * is a SIP phone instead (`PJSIP/<from>-<n>`, protocol_id a Call-ID, connected line empty), as in
 * the sip-caller-hold trace. With no WebSocket connected for the app, Stasis() fails
 * (STASISSTATUS=FAILED) and the call is hung up without events. `app` picks which Stasis
 * application the dialplan sends the call to (one Asterisk serving several server instances, each
 * with its own app name: the dialplan spreads callers over them).
 */
import { HotlineError } from '../errors.ts';
import { enterStasis } from './channels.ts';
import type { SimCore } from './core.ts';

export interface PlaceCall {
  /** Caller number (CALLERID(num)). */
  from: string;
  fromName?: string | undefined;
  /** The dialled number, e.g. 12345. */
  did: string;
  /** Stasis arguments; default `[did]` (`Stasis(app,DID)`); `[]` replays `Stasis(app)`. */
  args?: string[] | undefined;
  /** `Local` (default, like the traces' AMI-originated callers) or `PJSIP` (a SIP phone). */
  tech?: 'Local' | 'PJSIP' | undefined;
  /** The Stasis application the call enters (default: the simulator's `app`). */
  app?: string | undefined;
}

export interface PlacedCall {
  channelId: string;
  name: string;
  /** The caller's phone half (`;1`) of a Local caller, which a test may address (e.g. to see the 409 of a non-Stasis channel). */
  phoneChannelId: string | null;
}

export function placeCall(core: SimCore, defaultApp: string, call: PlaceCall): PlacedCall {
  const app = call.app ?? defaultApp;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(app)) throw new HotlineError('SIM_BAD_REQUEST', 'app must be 1-64 letters, digits, _ or -');
  if (!/^[0-9A-Za-z*#+]{1,32}$/.test(call.did)) throw new HotlineError('SIM_BAD_REQUEST', 'did must be 1-32 dialable characters');
  if (!/^[0-9A-Za-z*#+]{0,32}$/.test(call.from)) throw new HotlineError('SIM_BAD_REQUEST', 'from must be up to 32 dialable characters');
  if (!core.apps.get(app)?.sink) {
    throw new HotlineError('SIM_CONFLICT', `Stasis(${app}) failed: no WebSocket is connected for the application (STASISSTATUS=FAILED)`);
  }
  const args = call.args ?? [call.did];
  const caller = { name: call.fromName ?? '', number: call.from };
  const dialplan = { context: 'hotline-in', exten: call.did, priority: 2, app_name: 'Stasis', app_data: [app, ...args].join(',') };
  if (call.tech === 'PJSIP') {
    const ch = core.newChannel({
      name: `PJSIP/${call.from || 'anonymous'}-${core.suffix()}`, kind: 'inbound', state: 'Ring', caller, dialplan,
      protocolId: `${core.uuid()}@127.0.0.1`,
    });
    enterStasis(core, ch, app, args);
    return { channelId: ch.id, name: ch.name, phoneChannelId: null };
  }
  const suffix = core.suffix();
  const ch = core.newChannel({
    name: `Local/${call.did}@hotline-in-${suffix};2`, kind: 'inbound', state: 'Ring', caller, connected: caller, dialplan,
  });
  const phone = core.newChannel({
    name: `Local/${call.did}@hotline-in-${suffix};1`, kind: 'phone', state: 'Ring', caller, connected: caller,
    dialplan: { context: 'hotline-test', exten: 'answer-wait', priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
  });
  ch.peer = phone;
  phone.peer = ch;
  enterStasis(core, ch, app, args);
  return { channelId: ch.id, name: ch.name, phoneChannelId: phone.id };
}
