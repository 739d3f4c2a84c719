/** Finding the objects a route names, answering with Asterisk's 404/409 bodies when absent. */
import type { SimCore } from '../core.ts';
import type { SimBridge, SimChannel } from '../model.ts';
import { AriFailure } from './route-spec.ts';

export function findChannel(core: SimCore, id: string | undefined): SimChannel {
  const ch = id === undefined ? undefined : core.channels.get(id);
  if (!ch || ch.hungUp) throw new AriFailure(404, 'Channel not found');
  return ch;
}

/** A channel the app controls: 404 when absent, 409 when not in Stasis. */
export function stasisChannel(core: SimCore, id: string | undefined): SimChannel {
  const ch = findChannel(core, id);
  if (ch.stasisApp === null) throw new AriFailure(409, 'Channel not in Stasis application');
  return ch;
}

export function findBridge(core: SimCore, id: string | undefined): SimBridge {
  const bridge = id === undefined ? undefined : core.bridges.get(id);
  if (!bridge) throw new AriFailure(404, 'Bridge not found');
  return bridge;
}

/** Whether a channel id (or the `;2` id of a Local pair) is taken. */
export function assertFreeChannelId(core: SimCore, id: string | undefined): void {
  if (id !== undefined && core.channels.has(id)) throw new AriFailure(409, 'Channel with given unique ID already exists');
}
