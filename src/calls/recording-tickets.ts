/**
 * The tickets a call recording belongs to, on the ticket service: the caller's tickets (by phone,
 * newest first) that name the call in `callIds`; linking adds the recording with `link_call`.
 */
import type { TicketService } from '../tickets/ticket-service.ts';
import type { TicketState } from '../tickets/ticket-states.ts';
import type { RecordingTickets } from './recordings.ts';

/** States in which a ticket no longer needs its evidence kept beyond the retention period. */
const finished: ReadonlySet<TicketState> = new Set(['direct_answered', 'not_accepted', 'closed', 'archived']);

export function recordingTickets(tickets: TicketService, lookBack = 50): RecordingTickets {
  return {
    async ofCall(callId, callerNumber) {
      if (callerNumber === 'unknown' || callerNumber === '') return [];
      const history = await tickets.history(callerNumber, lookBack);
      return history
        .filter((t) => t.callIds.includes(callId))
        .map((t) => ({ id: t.id, open: !finished.has(t.state), recordingIds: t.recordingIds }));
    },
    async link(ticketId, recordingId) {
      await tickets.act(ticketId, 'link_call', { recordingId }, { username: 'recordings', roles: ['system'] });
    },
  };
}
