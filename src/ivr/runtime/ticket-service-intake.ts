/**
 * The IVR's ticket intake over the ticket service (src/tickets/ticket-service.ts): a suggestion
 * left with the feedback key becomes a phone ticket with the call and the recording attached,
 * created by the actor `ivr` (role system). Idempotent per (call, request): the ticket id is kept
 * under `ivr-ticket:<call>:<request>`, so a resumed call asking again gets the same ticket.
 */
import type { Store } from '../../store/store.ts';
import type { IvrTicketFields, TicketIntake } from './runtime-ports.ts';

/** What the IVR needs of the ticket service (structurally: `TicketService.create`). */
export interface TicketCreator {
  create(
    input: {
      readonly channel: 'phone'; readonly caller: { readonly phone: string }; readonly content: string; readonly category: string;
      readonly urgency: string; readonly callId?: string; readonly recordingId?: string;
    },
    actor: { readonly username: string; readonly roles: readonly ['system'] },
  ): Promise<{ readonly id: string }>;
}

export function createTicketServiceIntake(options: { tickets: TicketCreator; store: Store; urgency?: string }): TicketIntake {
  const { tickets, store } = options;
  const key = (f: IvrTicketFields) => `ivr-ticket:${f.callId}:${f.requestId}`;
  return {
    async fileFromIvr(fields) {
      const known = await store.get<{ ticketId: string }>(key(fields));
      if (known) return { ticketId: known.value.ticketId };
      const ticket = await tickets.create({
        channel: 'phone', caller: { phone: fields.callerNumber }, content: fields.content, category: fields.category,
        urgency: options.urgency ?? 'general', callId: fields.callId, ...(fields.recording !== undefined && { recordingId: fields.recording }),
      }, { username: 'ivr', roles: ['system'] });
      // a concurrent second filing (only a resumed call re-asks) keeps the first id
      await store.commit([{ key: key(fields), version: 0 }], [{ op: 'put', key: key(fields), value: { ticketId: ticket.id } }]);
      return { ticketId: (await store.get<{ ticketId: string }>(key(fields)))?.value.ticketId ?? ticket.id };
    },
  };
}
