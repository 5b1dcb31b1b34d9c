/**
 * `GorxModule`'s configurable-module definition (Nest's `ConfigurableModuleBuilder`): `forRoot`,
 * `forRootAsync`, the options token, and `isGlobal` (false unless asked).
 * @module
 */
import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { GorxBoardOptions } from './observability.options.js';
import type { GorxModuleOptions } from './worker.options.js';

/**
 * `board` is an extra (given to `forRoot` and to `forRootAsync` alike, never from a factory):
 * its routes must exist when the module is built, before any factory runs. `GorxModule` adds
 * them (see gorx.module.ts).
 */
const definition = new ConfigurableModuleBuilder<GorxModuleOptions>({ moduleName: 'Gorx' })
  .setClassMethodName('forRoot')
  .setExtras(
    { isGlobal: false, board: undefined as GorxBoardOptions | undefined },
    (module, extras) => ({ ...module, global: extras.isGlobal }),
  )
  .build();

/** The base class `GorxModule` extends (not exported from `gorx/nest`). */
export const ConfigurableGorxModule = definition.ConfigurableModuleClass;

/**
 * Injection token of the `GorxModuleOptions` given to `forRoot` / `forRootAsync`.
 *
 * @example
 * ```ts
 * import { Inject, Injectable } from '@nestjs/common';
 * import { GORX_MODULE_OPTIONS, type GorxModuleOptions } from 'gorx/nest';
 *
 * @Injectable()
 * class ShowsOptions {
 *   constructor(@Inject(GORX_MODULE_OPTIONS) readonly options: GorxModuleOptions) {}
 * }
 * ```
 */
export const GORX_MODULE_OPTIONS = definition.MODULE_OPTIONS_TOKEN;

/**
 * The argument of `GorxModule.forRoot()`: `GorxModuleOptions` plus `isGlobal` and `board`.
 *
 * @example
 * ```ts
 * import type { GorxRootOptions } from 'gorx/nest';
 *
 * const options: GorxRootOptions = { isGlobal: true, shutdownGraceMs: 2_000 };
 * ```
 */
export type GorxRootOptions = GorxModuleOptions & {
  /** Register the module globally (Nest's `global: true`), so `WorkerRegistry` injects everywhere. */
  isGlobal?: boolean | undefined;
  /** A live worker board (off unless given); see `GorxBoardOptions`. */
  board?: GorxBoardOptions | undefined;
};

/**
 * The argument of `GorxModule.forRootAsync()`: `useFactory` + `inject`, `useClass` or
 * `useExisting`, plus `imports`, `isGlobal` and `board`.
 *
 * @example
 * ```ts
 * import type { GorxRootAsyncOptions } from 'gorx/nest';
 *
 * const options: GorxRootAsyncOptions = { useFactory: () => ({ shutdownGraceMs: 2_000 }) };
 * ```
 */
export type GorxRootAsyncOptions = typeof definition.ASYNC_OPTIONS_TYPE;
