/**
 * GET /api/me/sip: the SIP settings of the signed-in agent's seat, for the softphone's SIP layer
 * (softphone/src/sip): endpoint, AOR domain, password (derived per seat from SIP_SECRET), the
 * WebSocket URL, ICE servers and the header that carries the hotline call id on the agent leg.
 * Without SIP_WS_URL the server is in demo mode: `wsUrl` and `password` are null and agents answer
 * through the CTI. See docs/softphone-sip.md.
 */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { UserService } from '../../auth/user-service.ts';
import { sipPassword } from '../../auth/sip-password.ts';
import type { Config } from '../../config/config.ts';
import { HotlineError } from '../../errors.ts';
import { ErrorBody } from '../schemas.ts';

/** The SIP header on the agent leg's INVITE that carries the hotline call id. */
export const correlationHeader = 'X-Hotline-Call-Id';

const IceServer = Type.Object({
  urls: Type.String(),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});

const SipSettingsBody = Type.Object({
  endpoint: Type.String({ description: 'the seat\'s extension: SIP user and digest user name' }),
  domain: Type.String({ description: 'domain of the AOR sip:<endpoint>@<domain>' }),
  wsUrl: Type.Union([Type.String(), Type.Null()], { description: 'SIP-over-WebSocket URL; null = demo mode (answer through CTI)' }),
  password: Type.Union([Type.String(), Type.Null()], { description: 'the seat\'s SIP password; null in demo mode' }),
  iceServers: Type.Array(IceServer),
  correlationHeader: Type.String({ description: 'INVITE header carrying the hotline call id (the CTI call.offer callId)' }),
});

export type SipConfig = Pick<
  Config,
  'SIP_WS_URL' | 'SIP_DOMAIN' | 'SIP_SECRET' | 'SIP_ICE_SERVERS' | 'SIP_TURN_USERNAME' | 'SIP_TURN_CREDENTIAL'
>;

/** ICE servers from the configuration; TURN URLs get the TURN user and credential. */
export function iceServersFrom(config: SipConfig): Array<{ urls: string; username?: string; credential?: string }> {
  if (!config.SIP_ICE_SERVERS) return [];
  return config.SIP_ICE_SERVERS.split(',').map((urls) =>
    urls.startsWith('turn') && config.SIP_TURN_USERNAME && config.SIP_TURN_CREDENTIAL
      ? { urls, username: config.SIP_TURN_USERNAME, credential: config.SIP_TURN_CREDENTIAL }
      : { urls },
  );
}

export function sipRoutes({ config, users }: { config: SipConfig; users: Pick<UserService, 'getUser'> }) {
  const wsUrl = config.SIP_WS_URL ?? null;
  const domain = config.SIP_DOMAIN ?? (wsUrl ? new URL(wsUrl).hostname : 'hotline.invalid');
  const iceServers = iceServersFrom(config);
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/api/me/sip', {
      config: { auth: ['agent'] },
      schema: {
        tags: ['agent'],
        summary: 'SIP settings of my seat (softphone registration)',
        response: { 200: SipSettingsBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    }, async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const username = request.session?.username;
      const user = username ? await users.getUser(username) : null;
      if (!user?.extension) throw new HotlineError('NOT_FOUND', 'this user has no seat (extension)');
      return {
        endpoint: user.extension,
        domain,
        wsUrl,
        password: wsUrl && config.SIP_SECRET ? sipPassword(config.SIP_SECRET, user.extension) : null,
        iceServers,
        correlationHeader,
      };
    });
  };
}
