/**
 * The board's options, checked when `GorxModule.forRoot()` is called (before any module exists)
 * and resolved once.
 */
import type { CanActivate, ExecutionContext, Type } from '@nestjs/common';
import { ObservabilityError } from '../observability.errors.js';
import type { BoardGuard, GorxBoardOptions } from '../observability.options.js';

export const GORX_BOARD_OPTIONS = Symbol('GORX_BOARD_OPTIONS');

export interface ResolvedBoardOptions {
  /** Normalised: starts with `/`, no trailing `/`. */
  readonly path: string;
  /** The guard as a Nest guard class (a function guard is wrapped in one), or null. */
  readonly guard: Type<CanActivate> | null;
  readonly actions: boolean;
}

const PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

export function resolveBoardOptions(board: GorxBoardOptions): ResolvedBoardOptions {
  if (typeof board !== 'object' || board === null) {
    throw new ObservabilityError(
      'ERR_INVALID_OPTIONS',
      'board must be an object: { path?, guard?, actions? }',
    );
  }
  const raw = board.path ?? '/gorx';
  if (typeof raw !== 'string' || !PATH.test(raw) || raw.includes('//')) {
    throw new ObservabilityError(
      'ERR_INVALID_OPTIONS',
      `board.path must be a URL path starting with "/", got ${JSON.stringify(raw)}`,
    );
  }
  const path = raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
  if (board.actions !== undefined && typeof board.actions !== 'boolean') {
    throw new ObservabilityError('ERR_INVALID_OPTIONS', 'board.actions must be a boolean');
  }
  if (board.guard !== undefined && typeof board.guard !== 'function') {
    throw new ObservabilityError(
      'ERR_INVALID_OPTIONS',
      'board.guard must be a Nest guard class or a function (request) => boolean',
    );
  }
  const actions = board.actions === true;
  if (actions && board.guard === undefined) {
    throw new ObservabilityError(
      'ERR_BOARD_GUARD_REQUIRED',
      'board.actions: true lets requests stop and restart workers: give board.guard too ' +
        '(a Nest guard class, or a function of the request returning whether it may act)',
    );
  }
  return { path, guard: board.guard === undefined ? null : toGuardClass(board.guard), actions };
}

/** A guard class as it is; a function wrapped in a guard class that calls it with the request. */
function toGuardClass(guard: BoardGuard): Type<CanActivate> {
  if (isGuardClass(guard)) return guard as unknown as Type<CanActivate>;
  const allow = guard as (request: unknown) => boolean | Promise<boolean>;
  class GorxBoardFunctionGuard implements CanActivate {
    async canActivate(context: ExecutionContext): Promise<boolean> {
      return (await allow(context.switchToHttp().getRequest())) === true;
    }
  }
  return GorxBoardFunctionGuard;
}

function isGuardClass(guard: BoardGuard): boolean {
  const proto = (guard as { prototype?: { canActivate?: unknown } }).prototype;
  return typeof proto?.canActivate === 'function';
}
