/**
 * Bridge behaviour: entering and leaving (with the BRIDGEPEER and connected-line updates a mixing
 * bridge produces), moving between bridges, destroying. Event order follows the traces.
 */
import type { SimCore } from './core.ts';
import { bridgeJson, type SimBridge, type SimChannel } from './model.ts';

function members(core: SimCore, bridge: SimBridge): SimChannel[] {
  return bridge.channels.map((id) => core.channels.get(id)).filter((c): c is SimChannel => c !== undefined);
}

function setBridgePeer(core: SimCore, ch: SimChannel, value: string): void {
  ch.variables.set('BRIDGEPEER', value);
  core.emitChannel(ch, 'ChannelVarset', { variable: 'BRIDGEPEER', value });
}

/** Two-party bridge: each side's connected line becomes the other's caller id. */
function updateConnectedLines(core: SimCore, pair: SimChannel[]): void {
  if (pair.length !== 2) return;
  const [a, b] = pair as [SimChannel, SimChannel];
  for (const [ch, other] of [[b, a], [a, b]] as const) {
    if (ch.connected.name === other.caller.name && ch.connected.number === other.caller.number) continue;
    ch.connected = { ...other.caller };
    core.emitChannel(ch, 'ChannelConnectedLine');
  }
}

/**
 * Re-publishes BRIDGEPEER: newcomers first (peers in bridge order), then the others (peers newest
 * first; after a departure the others go newest first too), as the three-way trace shows.
 */
function publishPeers(core: SimCore, bridge: SimBridge, newcomers: SimChannel[]): void {
  const all = members(core, bridge);
  if (bridge.type !== 'mixing' || all.length < 2) return;
  const peers = (names: string[]): string => [...bridge.recorders, ...names].join(',');
  for (const ch of newcomers) setBridgePeer(core, ch, peers(all.filter((o) => o !== ch).map((o) => o.name)));
  const existing = newcomers.length > 0 ? all : [...all].reverse();
  for (const ch of existing) {
    if (newcomers.includes(ch)) continue;
    setBridgePeer(core, ch, peers([...all].reverse().filter((o) => o !== ch).map((o) => o.name)));
  }
}

/**
 * Re-publishes every member's BRIDGEPEER in bridge order, as Asterisk does when a snoop is
 * attached to or detached from a member (`fresh` false: the values stay) or a recorder joins or
 * leaves (`fresh` true: recorders first, then the other members newest first).
 */
export function republishPeers(core: SimCore, bridge: SimBridge, fresh: boolean): void {
  const all = members(core, bridge);
  if (bridge.type !== 'mixing' || all.length < 2) return;
  for (const ch of all) {
    const others = [...all].reverse().filter((o) => o !== ch).map((o) => o.name);
    setBridgePeer(core, ch, fresh ? [...bridge.recorders, ...others].join(',') : ch.variables.get('BRIDGEPEER') ?? others.join(','));
  }
}

/** Snoops attached to members re-publish the BRIDGEPEER set once more each (as in the snoop trace). */
function snoopRepublish(core: SimCore, bridge: SimBridge, entered: SimChannel[]): void {
  const ids = new Set(bridge.channels);
  const snoops = [...core.channels.values()].filter((c) => c.spiedId !== null && ids.has(c.spiedId)).length;
  for (let i = 0; i < snoops; i++) publishPeers(core, bridge, entered);
}

/** Adds channels (in list order); a channel in another bridge is moved. */
export function addToBridge(core: SimCore, bridge: SimBridge, chans: SimChannel[]): void {
  const entered: SimChannel[] = [];
  for (const ch of chans) {
    if (ch.bridgeId === bridge.id) continue;
    if (ch.bridgeId !== null) {
      const old = core.bridges.get(ch.bridgeId);
      if (old) removeFromBridge(core, old, ch, false, true);
    }
    bridge.channels.push(ch.id);
    ch.bridgeId = bridge.id;
    bridge.app ??= ch.eventApp;
    core.emitChannel(ch, 'ChannelEnteredBridge', { bridge: bridgeJson(bridge) });
    if (bridge.type === 'mixing' && bridge.channels.length >= 3) bridge.technology = 'softmix';
    entered.push(ch);
  }
  if (entered.length === 0) return;
  publishPeers(core, bridge, entered);
  snoopRepublish(core, bridge, entered);
  if (bridge.type === 'mixing') updateConnectedLines(core, members(core, bridge));
}

/**
 * A bridge destroyed while a channel that was moved out of it is still up: Asterisk delivered its
 * BridgeDestroyed only when that channel hung up (snoop trace, {bridge2}).
 */
const owedDestroyed = new WeakMap<SimChannel, SimBridge[]>();
const movedOut = new WeakMap<SimBridge, Set<SimChannel>>();

/** Delivers BridgeDestroyed events a hanging-up channel was holding back. */
export function releaseOwedBridges(core: SimCore, ch: SimChannel): void {
  for (const bridge of owedDestroyed.get(ch) ?? []) core.emit(bridge.app, 'BridgeDestroyed', { bridge: bridgeJson(bridge) });
  owedDestroyed.delete(ch);
}

/** Removes one channel; `byHangup` marks the bridge for BridgeDestroyed on DELETE. */
export function removeFromBridge(core: SimCore, bridge: SimBridge, ch: SimChannel, byHangup: boolean, moving = false): void {
  if (moving) movedOut.set(bridge, (movedOut.get(bridge) ?? new Set()).add(ch));
  const index = bridge.channels.indexOf(ch.id);
  if (index < 0) return;
  if (bridge.type === 'mixing') setBridgePeer(core, ch, '');
  bridge.channels.splice(index, 1);
  ch.bridgeId = null;
  if (byHangup) bridge.leftByHangup = true;
  core.emitChannel(ch, 'ChannelLeftBridge', { bridge: bridgeJson(bridge) });
  if (bridge.channels.length <= 2) bridge.technology = bridge.type === 'mixing' ? 'simple_bridge' : 'holding_bridge';
  const rest = members(core, bridge);
  if (bridge.type === 'mixing' && rest.length >= 2) {
    publishPeers(core, bridge, []);
    updateConnectedLines(core, rest);
  }
  if (rest.length === 0) bridge.moh = null;
}

/** Destroys a bridge: members leave it first; BridgeDestroyed only where Asterisk sent it. */
export function destroyBridge(core: SimCore, bridge: SimBridge): void {
  for (const ch of members(core, bridge)) removeFromBridge(core, bridge, ch, false);
  core.bridges.delete(bridge.id);
  if (!bridge.leftByHangup) return;
  const holder = [...movedOut.get(bridge) ?? []].find((c) => !c.hungUp);
  if (holder) owedDestroyed.set(holder, [...owedDestroyed.get(holder) ?? [], bridge]);
  else core.emit(bridge.app, 'BridgeDestroyed', { bridge: bridgeJson(bridge) });
}

/** Creates a bridge of `type` (`mixing` unless `holding` is among the comma-separated types). */
export function createBridge(core: SimCore, id: string, types: string, name: string): SimBridge {
  const holding = types.split(',').includes('holding');
  const bridge: SimBridge = {
    id, type: holding ? 'holding' : 'mixing', name, creationtime: core.clock.now(), channels: [],
    technology: holding ? 'holding_bridge' : 'simple_bridge', moh: null, app: null, leftByHangup: false, recorders: [],
  };
  core.bridges.set(id, bridge);
  return bridge;
}
