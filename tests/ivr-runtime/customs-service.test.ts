import { afterEach, describe, expect, it } from 'vitest';
import { createCustomsService, type CustomsService } from '../../src/stub/customs-service.ts';
import { until } from '../support/sim-events.ts';

describe('customs service stub', () => {
  let service: CustomsService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
  });

  describe('when a known parcel is looked up', () => {
    it('answers its status with the text callers hear in Chinese and English', async () => {
      service = await createCustomsService();
      const response = await fetch(`${service.url}/customs-parcel/parcels/87654321`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        trackingNumber: '87654321', status: 'held', statusText: '您的包裹被海关暂扣，请联系海关',
        statusTexts: { 'zh-CN': '您的包裹被海关暂扣，请联系海关', en: 'your parcel is held by customs; please contact customs' },
        updatedAt: '2026-11-20T08:00:00+08:00',
      });
      const english = (await (await fetch(`${service.url}/parcels/87654321?lang=en`)).json()) as { statusText: string };
      expect(english.statusText).toBe('your parcel is held by customs; please contact customs');
    });
  });

  describe('when the number is unknown or malformed', () => {
    it('answers 404 and 400', async () => {
      service = await createCustomsService();
      expect((await fetch(`${service.url}/parcels/99999999`)).status).toBe(404);
      expect((await fetch(`${service.url}/parcels/..%2Fetc`)).status).toBe(400);
      expect((await fetch(`${service.url}/other`)).status).toBe(404);
    });
  });

  describe('when answers are held back', () => {
    it('does not answer until the delay is lifted for new requests, and close ends held requests', async () => {
      service = await createCustomsService({ delayMs: 'never' });
      const stub = service;
      const held = fetch(`${stub.url}/parcels/12345678`).then((r) => r.status, () => 'failed');
      await until(() => stub.requests.length === 1, 'the stub received the request');
      service.setDelay(0);
      expect((await fetch(`${service.url}/parcels/12345678`)).status).toBe(200);
      await service.close();
      service = undefined;
      expect(await held).toBe('failed');
    });
  });
});
