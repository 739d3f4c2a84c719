/**
 * The catalogue a flow may refer to: queues, HTTP services, holiday calendars, opening-hour
 * schedules and transfer destinations. Flows name entries by id only; the linter rejects ids not
 * listed here, so a flow cannot invent a dial string or a URL (toll fraud, SSRF). This default is
 * code for now; later an admin edits it (stored), with the same shape.
 */

export interface CatalogueQueue {
  readonly title: string;
  /** The skill agents need, e.g. `general`, `transport`, `customs`. */
  readonly skill: string;
}

export interface CatalogueService {
  readonly title: string;
  /** Base URL the shell prefixes to the node's path; never built from caller data. */
  readonly baseUrl: string;
  readonly methods: ReadonlyArray<'GET' | 'POST'>;
}

/** Dates as `YYYY-MM-DD` in China Standard Time. */
export interface CatalogueCalendar {
  readonly title: string;
  /** Public holidays (closed, `holiday` exit). */
  readonly holidays: readonly string[];
  /** Make-up working days (调休) that fall on a weekend: treated as Monday. */
  readonly workdays: readonly string[];
}

/** Opening hours per weekday (0 = Sunday), as `HH:MM-HH:MM` ranges in UTC+8. */
export interface CatalogueSchedule {
  readonly title: string;
  readonly weekly: Readonly<Record<'0' | '1' | '2' | '3' | '4' | '5' | '6', readonly string[]>>;
}

export interface CatalogueDestination {
  readonly title: string;
  readonly kind: 'sub-centre' | 'sector-hotline' | 'emergency';
  /** Dial target the telephony shell uses (a PJSIP endpoint or trunk extension), never from caller data. */
  readonly endpoint: string;
}

export interface Catalogue {
  readonly queues: Readonly<Record<string, CatalogueQueue>>;
  readonly services: Readonly<Record<string, CatalogueService>>;
  readonly calendars: Readonly<Record<string, CatalogueCalendar>>;
  readonly schedules: Readonly<Record<string, CatalogueSchedule>>;
  readonly transferDestinations: Readonly<Record<string, CatalogueDestination>>;
}

const allDay = ['00:00-24:00'];
const office = ['08:30-12:00', '13:30-17:30'];

/** The hotline's default catalogue. */
export const defaultCatalogue: Catalogue = {
  queues: {
    general: { title: '12345 综合 general intake', skill: 'general' },
    transport: { title: '12328 交通运输 transport sub-centre', skill: 'transport' },
    customs: { title: '12360 海关 customs sub-centre', skill: 'customs' },
    'expert-customs': { title: '海关专席 customs expert seat', skill: 'expert-customs' },
    'expert-transport': { title: '交通专席 transport expert seat', skill: 'expert-transport' },
    'expert-social-security': { title: '社保专席 social security expert seat', skill: 'expert-social-security' },
    'expert-tax': { title: '税务专席 tax expert seat', skill: 'expert-tax' },
  },
  services: {
    'customs-parcel': { title: 'customs parcel status lookup', baseUrl: 'http://127.0.0.1:8090/customs-parcel', methods: ['GET'] },
  },
  calendars: {
    cn: {
      title: 'PRC public holidays 2026',
      holidays: ['2026-01-01', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22',
        '2026-04-05', '2026-05-01', '2026-05-02', '2026-05-03', '2026-06-19', '2026-09-25', '2026-10-01', '2026-10-02',
        '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
      workdays: ['2026-02-14', '2026-02-28', '2026-09-27', '2026-10-10'],
    },
    none: { title: 'no holidays (7×24 services)', holidays: [], workdays: [] },
  },
  schedules: {
    '24x7': { title: '7×24', weekly: { 0: allDay, 1: allDay, 2: allDay, 3: allDay, 4: allDay, 5: allDay, 6: allDay } },
    office: { title: 'office hours Mon–Fri', weekly: { 0: [], 1: office, 2: office, 3: office, 4: office, 5: office, 6: [] } },
  },
  transferDestinations: {
    'sub-centre-transport': { title: '12328 分中心', kind: 'sub-centre', endpoint: 'PJSIP/12328@subcentre' },
    'sub-centre-customs': { title: '12360 分中心', kind: 'sub-centre', endpoint: 'PJSIP/12360@subcentre' },
    '12328': { title: '12328 交通运输服务监督电话', kind: 'sector-hotline', endpoint: 'PJSIP/12328@trunk' },
    '12360': { title: '12360 海关热线', kind: 'sector-hotline', endpoint: 'PJSIP/12360@trunk' },
    '110': { title: '110 报警', kind: 'emergency', endpoint: 'PJSIP/110@trunk' },
    '119': { title: '119 火警', kind: 'emergency', endpoint: 'PJSIP/119@trunk' },
    '120': { title: '120 急救', kind: 'emergency', endpoint: 'PJSIP/120@trunk' },
    '122': { title: '122 交通事故', kind: 'emergency', endpoint: 'PJSIP/122@trunk' },
  },
};
