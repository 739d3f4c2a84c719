/**
 * CTI WebSocket client (docs/cti-protocol.md): token in the subprotocol, one reply per command id,
 * events by name, the last eventId per topic kept in sessionStorage so a reconnect or a page
 * reload resumes where it left off, and a reconnect loop with backoff.
 *
 *   connecting ──open──▶ open ──close──▶ closed ──(backoff)──▶ connecting
 *        any ──4001 / stop()──▶ ended
 */
export type CtiStatus = 'connecting' | 'open' | 'closed' | 'ended';

export interface CtiEvent { readonly topic: string; readonly name: string; readonly data: Record<string, unknown>; readonly eventId: string; readonly at: number }
export interface CtiReply { readonly ok: boolean; readonly result?: unknown; readonly error?: { code: string; message: string } }

export class CtiCommandError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

type EventListener = (event: CtiEvent) => void;

export class CtiClient {
  status: CtiStatus = 'connecting';
  private socket: WebSocket | undefined;
  private seq = 0;
  private readonly pending = new Map<string, (reply: CtiReply) => void>();
  private readonly listeners = new Map<string, Set<EventListener>>();
  private readonly statusListeners = new Set<(status: CtiStatus, detail?: string) => void>();
  private readonly topics = new Set<string>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly token: string, private readonly onOpen: (client: CtiClient) => Promise<void>) {}

  start(): void { this.connect(); }

  stop(): void {
    this.setStatus('ended');
    clearTimeout(this.timer);
    this.socket?.close(1000);
  }

  on(name: string, listener: EventListener): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener);
    this.listeners.set(name, set);
    return () => set.delete(listener);
  }

  onStatus(listener: (status: CtiStatus, detail?: string) => void): void { this.statusListeners.add(listener); }

  /** Sends a command; resolves with its result, rejects with CtiCommandError. */
  request<T = unknown>(type: string, payload: Record<string, unknown> = {}): Promise<T> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new CtiCommandError('CTI_OFFLINE', 'not connected'));
    const id = String(++this.seq);
    return new Promise<T>((resolve, reject) => {
      const timeout = setTimeout(() => { this.pending.delete(id); reject(new CtiCommandError('CTI_TIMEOUT', 'no reply')); }, 10_000);
      this.pending.set(id, (reply) => {
        clearTimeout(timeout);
        if (reply.ok) resolve(reply.result as T);
        else reject(new CtiCommandError(reply.error?.code ?? 'INTERNAL', reply.error?.message ?? 'failed'));
      });
      socket.send(JSON.stringify({ id, type, ...payload }));
    });
  }

  /** Follows a topic: resumes from the last seen event if there is one, else subscribes. */
  async follow(topic: string): Promise<void> {
    this.topics.add(topic);
    const last = sessionStorage.getItem(`hotline.cti.${topic}`);
    if (last) await this.request('resume', { topic, lastEventId: last });
    else await this.request('subscribe', { topics: [topic] });
  }

  private setStatus(status: CtiStatus, detail?: string): void {
    if (this.status === 'ended' && status !== 'ended') return;
    this.status = status;
    for (const listener of this.statusListeners) listener(status, detail);
  }

  private connect(): void {
    if (this.status === 'ended') return;
    this.setStatus('connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/cti`;
    const socket = new WebSocket(url, ['hotline.cti.v1', `bearer.${this.token}`]);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setStatus('open');
      this.onOpen(this).catch((error: unknown) => this.setStatus('open', String(error)));
    };
    socket.onmessage = (message) => this.receive(String(message.data));
    socket.onclose = (close) => {
      for (const [, settle] of this.pending) settle({ ok: false, error: { code: 'CTI_OFFLINE', message: 'connection closed' } });
      this.pending.clear();
      if (close.code === 4001 || close.code === 1008) { this.setStatus('ended', 'session'); return; }
      this.setStatus('closed', close.reason || String(close.code));
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as { type: string; id?: string } & CtiReply & CtiEvent;
    if (message.type === 'reply') {
      if (message.id) this.pending.get(message.id)?.(message);
      if (message.id) this.pending.delete(message.id);
      return;
    }
    if (message.type !== 'event') return;
    sessionStorage.setItem(`hotline.cti.${message.topic}`, message.eventId);
    for (const listener of this.listeners.get(message.name) ?? []) listener(message);
    for (const listener of this.listeners.get('*') ?? []) listener(message);
  }
}
