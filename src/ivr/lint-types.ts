/**
 * Types of the flow linter's verdict and options.
 */
import type { Catalogue } from './catalogue.ts';
import type { Flow } from './flow-schema.ts';

/** One problem: where (JSON path into the flow) and what, in a plain sentence. */
export interface Finding {
  /** Stable rule name, e.g. `unknown-target`, `unreachable`. */
  readonly rule: string;
  /** JSON pointer into the flow document, e.g. `/nodes/main_menu/options/9/next`. */
  readonly path: string;
  readonly message: string;
}

/** What a reserved key must do when a menu uses it as an option. */
export type ReservedPurpose = 'agent' | 'repeat' | 'end';

export interface LintOptions {
  /** Ids the flow may name (queues, services, calendars, schedules, transfer destinations). */
  readonly catalogue: Catalogue;
  /** Keys with a hotline-wide meaning (default 0 agent, * repeat, # end). */
  readonly reservedKeys?: Readonly<Record<string, ReservedPurpose>>;
  /** Flows a subflow node may name, by id (publishing passes each one's live version). */
  readonly flows?: Readonly<Record<string, Flow>>;
  /** Warn when the shortest route from entry to a queue/transfer is longer than this (default 4). */
  readonly maxStepsToHuman?: number;
}

export interface LintResult {
  /** No errors: the flow can be compiled and simulated. */
  readonly ok: boolean;
  /** No errors and no warnings: the flow may be published. */
  readonly publishable: boolean;
  readonly errors: readonly Finding[];
  readonly warnings: readonly Finding[];
  /** The validated flow when `ok`. */
  readonly flow: Flow | undefined;
}

export const defaultReservedKeys: Readonly<Record<string, ReservedPurpose>> = { 0: 'agent', '*': 'repeat', '#': 'end' };
