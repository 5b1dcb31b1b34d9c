/** The controller and providers `GorxModule` adds when `board` is given. */
import type { Provider, Type } from '@nestjs/common';
import type { GorxBoardOptions } from '../observability.options.js';
import { createBoardController } from './board.controller.js';
import { BoardCsrf } from './board.csrf.js';
import { BoardFeed } from './board.feed.js';
import { GORX_BOARD_OPTIONS, resolveBoardOptions } from './board.options.js';

export function boardModuleParts(options: GorxBoardOptions): {
  controllers: Type<unknown>[];
  providers: Provider[];
} {
  const board = resolveBoardOptions(options); // throws before any module exists
  return {
    controllers: [createBoardController(board)],
    providers: [{ provide: GORX_BOARD_OPTIONS, useValue: board }, BoardFeed, BoardCsrf],
  };
}
