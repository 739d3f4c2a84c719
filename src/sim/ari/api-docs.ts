/**
 * Generates Swagger 1.1 api-docs (resources.json and one declaration per resource) from the
 * simulator's own route table and models — what ari-client 2.2.0 (swagger-client 2.0.26) needs.
 */
import { eventBaseModels, eventModels, resourceModels, swaggerModels } from './models.ts';
import type { ParamSpec, RouteSpec } from './route-spec.ts';

const apiVersion = '10.0.0';

function parameterJson(p: ParamSpec): Record<string, unknown> {
  return {
    name: p.name, description: p.name, paramType: p.in, required: p.required, allowMultiple: p.multiple, dataType: p.type,
    ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
    ...(p.values ? { allowableValues: { valueType: 'LIST', values: [...p.values] } } : {}),
  };
}

/** Names of the resources with a declaration (routes' resources plus `events`). */
export function resourceNames(routes: readonly RouteSpec[]): string[] {
  return [...new Set([...routes.map((r) => r.resource), 'events'])];
}

export function resourceListing(routes: readonly RouteSpec[], basePath: string): Record<string, unknown> {
  return {
    apiVersion, swaggerVersion: '1.1', basePath,
    apis: resourceNames(routes).map((name) => ({ path: `/api-docs/${name}.{format}`, description: `${name} resources` })),
  };
}

function eventsDeclaration(basePath: string): Record<string, unknown> {
  const eventTypes = Object.keys(eventModels);
  return {
    apiVersion, swaggerVersion: '1.1', basePath, resourcePath: '/api-docs/events.{format}',
    apis: [{
      path: '/events', description: 'Events from Asterisk to applications',
      operations: [{
        httpMethod: 'GET', upgrade: 'websocket', websocketProtocol: 'ari', summary: 'WebSocket connection for events.',
        nickname: 'eventWebsocket', responseClass: 'Message',
        parameters: [
          { name: 'app', paramType: 'query', required: true, allowMultiple: true, dataType: 'string' },
          { name: 'subscribeAll', paramType: 'query', required: false, allowMultiple: false, dataType: 'boolean' },
        ],
      }],
    }],
    models: {
      ...swaggerModels(eventBaseModels, { Message: ['Event'], Event: eventTypes }),
      ...swaggerModels(eventModels),
    },
  };
}

/** The API declaration of one resource, or undefined when there is none. */
export function apiDeclaration(routes: readonly RouteSpec[], name: string, basePath: string): Record<string, unknown> | undefined {
  if (name === 'events') return eventsDeclaration(basePath);
  const own = routes.filter((r) => r.resource === name);
  if (own.length === 0) return undefined;
  const paths = [...new Set(own.map((r) => r.path))];
  return {
    apiVersion, swaggerVersion: '1.1', basePath, resourcePath: `/api-docs/${name}.{format}`,
    apis: paths.map((path) => ({
      path, description: path,
      operations: own.filter((r) => r.path === path).map((r) => ({
        httpMethod: r.method, summary: r.summary, nickname: r.nickname, responseClass: r.responseClass,
        parameters: r.params.map(parameterJson),
      })),
    })),
    models: swaggerModels(resourceModels[name] ?? {}),
  };
}
