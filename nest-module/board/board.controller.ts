/**
 * The board's routes, as a controller class made for the configured path (a controller's path is
 * fixed when its class is decorated). The guard runs on every route. The action route exists only
 * with `actions: true`; it checks the CSRF token after the guard.
 */
import {
  Controller,
  ForbiddenException,
  Get,
  Header,
  HttpCode,
  HttpException,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Req,
  Res,
  Sse,
  UseGuards,
  type MessageEvent,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import type { Observable } from 'rxjs';
import { WorkerRegistryError } from '../worker.errors.js';
import { WorkerRegistry } from '../worker.registry.js';
import { BoardCsrf, CSRF_COOKIE } from './board.csrf.js';
import {
  BoardFeed,
  boardWorker,
  type BoardEvent,
  type BoardSnapshot,
  type BoardWorker,
} from './board.feed.js';
import type { ResolvedBoardOptions } from './board.options.js';
import { boardCsp, renderBoardPage } from './board.page.js';

/** The actions of `POST {path}/workers/:name/:action`. */
export const BOARD_ACTIONS = Object.freeze(['stop', 'start', 'restart', 'remove'] as const);
type BoardAction = (typeof BOARD_ACTIONS)[number];

interface RequestLike {
  headers: Record<string, string | string[] | undefined>;
  protocol?: string;
}

/** The part of Node's `ServerResponse` used to close an event stream's connection. */
interface RawResponse {
  once(event: 'finish', listener: () => void): unknown;
  readonly socket: { end(): unknown } | null;
}

export interface BoardState extends BoardSnapshot {
  recent: BoardEvent[];
}

export function createBoardController(board: ResolvedBoardOptions): Type<unknown> {
  @Controller(board.path)
  class GorxBoardController {
    constructor(
      readonly feed: BoardFeed,
      readonly registry: WorkerRegistry,
      readonly csrf: BoardCsrf,
      readonly adapterHost: HttpAdapterHost,
    ) {}

    @Get()
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Cache-Control', 'no-store')
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Referrer-Policy', 'no-referrer')
    page(@Req() req: RequestLike, @Res({ passthrough: true }) res: unknown): string {
      const adapter = this.adapterHost.httpAdapter;
      const base = basePath(adapter.getRequestUrl(req));
      const nonce = randomBytes(16).toString('base64');
      adapter.setHeader(res, 'Content-Security-Policy', boardCsp(nonce));
      let csrf: string | null = null;
      if (board.actions) {
        let cookieNonce = this.csrf.nonceOf(req);
        if (cookieNonce === null) {
          cookieNonce = this.csrf.newNonce();
          const secure = req.protocol === 'https' ? '; Secure' : '';
          adapter.setHeader(
            res,
            'Set-Cookie',
            `${CSRF_COOKIE}=${cookieNonce}; Path=${base}; HttpOnly; SameSite=Strict${secure}`,
          );
        }
        csrf = this.csrf.token(cookieNonce);
      }
      return renderBoardPage({
        base,
        nonce,
        csrf,
        actions: board.actions,
        snapshot: this.feed.snapshot(),
        recent: this.feed.recent(),
      });
    }

    /** The same data as the page, as JSON (for scripts and tests). */
    @Get('state')
    @Header('Cache-Control', 'no-store')
    state(): BoardState {
      return { ...this.feed.snapshot(), recent: this.feed.recent() };
    }

    @Sse('events')
    events(@Res({ passthrough: true }) res: { raw?: unknown }): Observable<MessageEvent> {
      const raw = (res.raw ?? res) as RawResponse;
      // At shutdown the stream ends; its connection must close too, else the HTTP server's
      // close waits for the client to drop an idle keep-alive connection.
      return this.feed.stream(() => {
        const socket = raw.socket; // detached from the response once it finished
        raw.once('finish', () => socket?.end());
      });
    }

    async act(
      @Param('name') name: string,
      @Param('action') action: string,
      @Req() req: RequestLike,
    ): Promise<{ worker: string; action: BoardAction; status: BoardWorker | null }> {
      const refusal = this.csrf.refusal(req);
      if (refusal !== null) throw new ForbiddenException(`board action refused: ${refusal}`);
      if (!(BOARD_ACTIONS as readonly string[]).includes(action)) {
        throw new NotFoundException(
          `unknown board action "${action}" (${BOARD_ACTIONS.join(', ')})`,
        );
      }
      const a = action as BoardAction;
      try {
        await this.registry[a](name);
      } catch (e) {
        throw httpError(e);
      }
      const status = this.registry.get(name);
      return { worker: name, action: a, status: status === undefined ? null : boardWorker(status) };
    }
  }

  const proto = GorxBoardController.prototype;
  if (board.actions) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'act')!;
    HttpCode(200)(proto, 'act', descriptor);
    Post('workers/:name/:action')(proto, 'act', descriptor);
  }
  if (board.guard !== null) UseGuards(board.guard)(GorxBoardController);
  return GorxBoardController;
}

/** The board's own path as the client reached it (global prefix included), without the query. */
function basePath(url: string): string {
  const path = url.split('?')[0]!.replace(/\/+$/, '');
  return path === '' ? '/' : path;
}

function httpError(e: unknown): unknown {
  if (!(e instanceof WorkerRegistryError)) return e;
  const status =
    e.code === 'ERR_WORKER_NOT_FOUND'
      ? HttpStatus.NOT_FOUND
      : e.code === 'ERR_SHUTTING_DOWN'
        ? HttpStatus.SERVICE_UNAVAILABLE
        : HttpStatus.CONFLICT;
  return new HttpException({ statusCode: status, message: e.message, code: e.code }, status);
}
