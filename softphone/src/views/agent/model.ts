/**
 * The agent desktop's state, fed by the CTI (agent topic) and the SIP layer. The call in hand is
 * kept in sessionStorage so a page reload restores the screen pop (the CTI resumes only events
 * after the last one seen). Listeners re-render on change.
 *
 * Call phases:  ringing ──answer──▶ connected ⇄ held
 *                  │                  │ ⇄ consulting ⇄ conference   (transfers, issue 6)
 *                  └──────────────────┴──▶ ended (wrap-up; cleared when the agent is ready again)
 */
import type { CtiClient } from '../../core/cti.ts';
import type { RegistrationStatus, SipCall } from '../../sip/phone.ts';

export interface AgentStatus { readonly state: string; readonly since: number; readonly reason?: string; readonly callId?: string }
export interface OfferTicket { readonly ticketId: string; readonly status: string; readonly category: string; readonly summary: string; readonly createdAt: number }
export interface Offer {
  readonly callId: string; readonly caller: string; readonly did: string; readonly queueId: string; readonly waitingMs: number;
  readonly ivr: ReadonlyArray<{ node: string; input?: string }>;
  readonly history: ReadonlyArray<{ callId: string; at: number; ticketId?: string }>;
  readonly openTickets: readonly OfferTicket[];
  readonly ringTimeoutMs: number; readonly callbackOf?: string;
  /** When the desktop got the offer (ms). */
  readonly receivedAt: number;
}
export type CallPhase = 'ringing' | 'connected' | 'held' | 'consulting' | 'conference' | 'transferring' | 'ended';
export interface CallView {
  readonly offer: Offer;
  phase: CallPhase;
  answeredAt?: number;
  endedAt?: number;
  endedCause?: string;
  /** The last transfer progress (e.g. consult-failed: busy). */
  note?: string;
  ticketIds: string[];
  /** Shown from a SIP call alone (Asterisk's fallback queue, or the CTI down): no offer, no ticket context. */
  noContext?: boolean;
  /** The call was on the seat's SIP phone (a reload ends that audio). */
  onPhone?: boolean;
  /** The SIP call (`SipCall.id`) of a context-less call. */
  sipCallId?: string;
}
export interface DesktopConfig {
  readonly demo: boolean;
  readonly pauseReasons: readonly string[];
  readonly transferNumbers: readonly string[];
  readonly emergencyNumbers: readonly string[];
}

const CALL_KEY = 'hotline.call';

export class AgentModel {
  status: AgentStatus = { state: 'logged_out', since: Date.now() };
  call: CallView | null = null;
  sip: RegistrationStatus | null = null;
  sipCall: SipCall | null = null;
  /** The seat has a SIP phone (settings from GET /api/me/sip); false in demo mode. */
  hasPhone = false;
  muted = false;
  loginError: string | null = null;
  private readonly listeners = new Set<(what: 'status' | 'call' | 'sip') => void>();

  constructor(readonly cti: CtiClient, readonly config: DesktopConfig) {
    try {
      const saved = sessionStorage.getItem(CALL_KEY);
      if (saved) this.call = JSON.parse(saved) as CallView;
    } catch { /* ignore */ }
    // A context-less call lived only in the SIP session, which the reload ended.
    if (this.call?.noContext && this.call.phase !== 'ended') this.call = { ...this.call, phase: 'ended', endedAt: Date.now(), endedCause: 'reload' };
    cti.on('agent.state', (event) => this.setStatus(event.data as unknown as AgentStatus));
    cti.on('call.offer', (event) => {
      if (this.call?.noContext && this.call.phase !== 'ended') return; // on a fallback call: the offer rings out (RONA)
      const offer = { ...(event.data as unknown as Omit<Offer, 'receivedAt'>), receivedAt: event.at };
      this.call = { offer, phase: 'ringing', ticketIds: [] };
      this.save('call');
    });
    cti.on('call.progress', (event) => {
      const { callId, status, reason, consultId } = event.data as { callId: string; status: string; reason?: string; consultId?: string };
      if (this.call && status === 'transferred' && consultId !== undefined && this.call.offer.callId === consultId) {
        // An expert's consult became the call: it is this desk's call now, under the call's id.
        this.call = { ...this.call, offer: { ...this.call.offer, callId }, phase: 'connected' };
        this.save('call');
        return;
      }
      if (!this.call || this.call.offer.callId !== callId) return;
      const phases: Record<string, CallPhase> = {
        answered: 'connected', resumed: 'connected', held: 'held', consulting: 'consulting', conference: 'conference', transferring: 'transferring',
        'consult-failed': 'connected', transferred: 'ended',
      };
      if (status === 'answered' && this.call.answeredAt === undefined) this.call.answeredAt = event.at;
      this.call.note = status === 'consult-failed' ? `consult-failed:${reason ?? ''}` : status === 'transferred' ? 'transferred' : undefined;
      const phase = phases[status];
      if (phase) this.call.phase = phase;
      this.save('call');
    });
    cti.on('call.ended', (event) => {
      const { callId, cause } = event.data as { callId: string; cause: string };
      if (!this.call || this.call.offer.callId !== callId) return;
      this.call.phase = 'ended';
      this.call.endedAt = event.at;
      this.call.endedCause = cause;
      this.save('call');
    });
  }

  on(listener: (what: 'status' | 'call' | 'sip') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(what: 'status' | 'call' | 'sip'): void { for (const l of this.listeners) l(what); }

  save(what: 'call'): void {
    if (this.call) sessionStorage.setItem(CALL_KEY, JSON.stringify(this.call));
    else sessionStorage.removeItem(CALL_KEY);
    this.emit(what);
  }

  setStatus(status: AgentStatus): void {
    this.status = status;
    // Ready again (or logged out): the finished call leaves the screen.
    if ((status.state === 'ready' || status.state === 'logged_out') && this.call?.phase === 'ended') {
      this.call = null;
      this.save('call');
    }
    // A call the server no longer has for us (e.g. missed while reloading): end it on screen.
    if (this.call && !this.call.noContext && this.call.phase !== 'ended' && ['ready', 'not_ready', 'wrap_up', 'logged_out'].includes(status.state)) {
      this.call.phase = 'ended';
      this.call.endedAt ??= status.since;
      this.save('call');
    }
    this.emit('status');
  }
}
