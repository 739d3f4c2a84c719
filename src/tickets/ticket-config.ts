/**
 * Ticket configuration that admins edit: categories, urgencies, units, the dispatch catalogue
 * (matter type → lead unit), deadline rules, the calendar, the yellow-light share and whether
 * 基本满意 counts as satisfied. Stored as one document; defaults from the domain doc.
 */
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { HotlineError } from '../errors.ts';
import { CalendarYearSchema, createWorkingCalendar, type WorkingCalendar } from './calendar.ts';
import { defaultCalendarYears } from './default-calendar.ts';
import { DeadlineRuleSchema, defaultCategories, defaultDeadlineRules, defaultUrgencies, parseDeadlineRules } from './deadlines.ts';

const Name = Type.String({ minLength: 1, maxLength: 60, pattern: '^[^\\s\\x00-\\x1f][^\\x00-\\x1f]*$' });

export const TicketConfigSchema = Type.Object({
  categories: Type.Array(Name, { minItems: 1, maxItems: 50, uniqueItems: true }),
  urgencies: Type.Array(Name, { minItems: 1, maxItems: 10, uniqueItems: true }),
  units: Type.Array(Name, { minItems: 1, maxItems: 1000, uniqueItems: true }),
  catalogue: Type.Array(Type.Object({ matterType: Name, leadUnit: Name, assistingUnits: Type.Array(Name, { maxItems: 20 }) }, { additionalProperties: false }), { maxItems: 5000 }),
  rules: Type.Array(DeadlineRuleSchema, { minItems: 1, maxItems: 500 }),
  calendarYears: Type.Array(CalendarYearSchema, { maxItems: 20 }),
  yellowShare: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
  countBasicallySatisfied: Type.Boolean(),
  /** Minutes before an unreachable citizen is called again. */
  callbackRetryMinutes: Type.Integer({ minimum: 1, maximum: 10_080 }),
}, { additionalProperties: false });
export type TicketConfig = Static<typeof TicketConfigSchema>;

/** The configuration until an admin changes it. Units and catalogue are examples of a city's. */
export function defaultTicketConfig(): TicketConfig {
  return {
    categories: [...defaultCategories],
    urgencies: [...defaultUrgencies],
    units: ['市公安局', '市人力资源和社会保障局', '市住房公积金管理中心', '市交通运输局', '市税务局', '市城市管理委员会', '市市场监督管理局', '市教育局', '市医疗保障局', '海关', '12345热线'],
    catalogue: [
      { matterType: '出入境证件', leadUnit: '市公安局', assistingUnits: [] },
      { matterType: '户籍', leadUnit: '市公安局', assistingUnits: [] },
      { matterType: '社会保险', leadUnit: '市人力资源和社会保障局', assistingUnits: [] },
      { matterType: '住房公积金', leadUnit: '市住房公积金管理中心', assistingUnits: [] },
      { matterType: '交通出行', leadUnit: '市交通运输局', assistingUnits: [] },
      { matterType: '税务', leadUnit: '市税务局', assistingUnits: [] },
      { matterType: '水电气热', leadUnit: '市城市管理委员会', assistingUnits: [] },
      { matterType: '消费维权', leadUnit: '市市场监督管理局', assistingUnits: [] },
      { matterType: '海关通关', leadUnit: '海关', assistingUnits: [] },
    ],
    rules: structuredClone([...defaultDeadlineRules]),
    calendarYears: defaultCalendarYears(),
    yellowShare: 0.8,
    countBasicallySatisfied: true,
    callbackRetryMinutes: 120,
  };
}

let sharedDefault: TicketConfig | undefined;

/**
 * The default configuration for readers (what applies while no configuration is stored): built
 * once — validating the shipped calendar years is costly, and every screen pop reads the
 * configuration — and frozen, so no reader can change it for the others.
 */
export function readDefaultTicketConfig(): TicketConfig {
  return (sharedDefault ??= deepFreeze(defaultTicketConfig()));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Validates a whole configuration (as an admin sends it); throws TICKET_INVALID. */
export function parseTicketConfig(value: unknown): TicketConfig {
  if (!Value.Check(TicketConfigSchema, value)) {
    const first = Value.Errors(TicketConfigSchema, value)[0];
    throw new HotlineError('TICKET_INVALID', `ticket configuration: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'}`);
  }
  parseDeadlineRules(value.rules);
  createWorkingCalendar(value.calendarYears);
  const units = new Set(value.units);
  for (const entry of value.catalogue) {
    for (const unit of [entry.leadUnit, ...entry.assistingUnits]) {
      if (!units.has(unit)) throw new HotlineError('TICKET_INVALID', `catalogue: ${entry.matterType} names unknown unit ${unit}`);
    }
  }
  for (const rule of value.rules) {
    if (rule.urgency !== '*' && !value.urgencies.includes(rule.urgency)) throw new HotlineError('TICKET_INVALID', `rules: unknown urgency ${rule.urgency}`);
    if (rule.category !== '*' && !value.categories.includes(rule.category)) throw new HotlineError('TICKET_INVALID', `rules: unknown category ${rule.category}`);
  }
  return value;
}

const calendars = new WeakMap<TicketConfig, WorkingCalendar>();

/** The calendar of a configuration (built once per configuration object). */
export function calendarOf(config: TicketConfig): WorkingCalendar {
  let calendar = calendars.get(config);
  if (!calendar) {
    calendar = createWorkingCalendar(config.calendarYears);
    calendars.set(config, calendar);
  }
  return calendar;
}
